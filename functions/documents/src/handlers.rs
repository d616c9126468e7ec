//! The document collection and its items (spec 7.2.1–7.2.5): list, upload,
//! detail, edit, delete, and the download link.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use shared::auth::collections::{DOCUMENTS, VEHICLES};
use shared::auth::{CurrentUser, UserData};
use shared::domain::documents::{
    search_key, Document, DEFAULT_TYPE, DESCRIPTION_MAX, TITLE_MAX, TYPES,
};
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::http::listing::{bool_filter, choice_filter, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Fields, Text};
use shared::http::{created, no_content, ok, Page};
use shared::store::purges::ObjectsPurge;
use shared::usecases::object_purge;
use shared::{Error, Result};

use crate::files::{self, check_part};
use crate::form::DocumentForm;
use crate::uploads;
use crate::DocumentsState;

/// The caller with their vehicles and documents (one round of reads).
pub type Library = UserData<{ VEHICLES | DOCUMENTS }>;

pub const NOT_FOUND: Error = Error::NotFound(Some("Document"));
const ORDERING_FIELDS: &[&str] = &["created_at", "updated_at", "file_size"];
const FOREIGN_VEHICLE: &str = "You can only create documents for your own vehicles.";

fn sort_key(d: &Document, field: &str) -> SortKey {
    match field {
        "updated_at" => SortKey::Time(d.updated_at),
        "file_size" => SortKey::Number(d.file_size as f64),
        _ => SortKey::Time(d.created_at),
    }
}

/// Documents as the API shows them: a fresh download link each, the
/// vehicle's representation, and the extracted text when asked.
pub struct Presenter<'a> {
    pub state: &'a DocumentsState,
    pub user: &'a User,
    pub vehicles: &'a [Vehicle],
}

impl Presenter<'_> {
    pub async fn one(&self, d: &Document, text: Option<&str>) -> Result<Value> {
        let url = files::download_url(&self.state.bucket, &d.file_key, &d.mime_type, &d.file_name)
            .await?;
        let vehicle = d
            .vehicle_id
            .as_deref()
            .and_then(|id| self.vehicles.iter().find(|v| v.id == id))
            .map(|v| v.to_json(self.user));
        Ok(d.to_json(&url, vehicle, text))
    }

    /// Rows with their texts (one BatchGetItem for all of them).
    pub async fn rows(&self, documents: &[Document]) -> Result<Vec<Value>> {
        let ids: Vec<&str> = documents.iter().map(|d| d.id.as_str()).collect();
        let texts = self
            .state
            .store
            .documents()
            .texts(&self.user.id, &ids)
            .await?;
        let mut rows = Vec::with_capacity(documents.len());
        for d in documents {
            rows.push(self.one(d, texts.get(&d.id).map(String::as_str)).await?);
        }
        Ok(rows)
    }
}

/// `GET /api/documents/`: filters, search (title, description, the
/// extracted text, the vehicle's make and model), ordering, pages.
pub async fn list(
    State(state): State<DocumentsState>,
    library: Library,
    url: RequestUrl,
) -> Result<Response> {
    let mut documents = filtered(&library, &url)?;
    sort(
        &mut documents,
        &ordering(&url, ORDERING_FIELDS, &["-created_at"]),
        sort_key,
    );
    let page = Page::paginate(documents, &url)?;
    let presenter = Presenter {
        state: &state,
        user: &library.user,
        vehicles: &library.fleet.vehicles,
    };
    let rows = presenter.rows(&page.results).await?;
    Ok(ok(Page {
        count: page.count,
        next: page.next,
        previous: page.previous,
        results: rows,
    }))
}

fn filtered(library: &Library, url: &RequestUrl) -> Result<Vec<Document>> {
    let kind = choice_filter(url, "document_type", TYPES)?;
    let analyzed = bool_filter(url, "is_analyzed");
    let vehicle = url.param("vehicle").filter(|v| !v.is_empty());
    let terms: Vec<String> = url
        .param("search")
        .map(search_terms)
        .unwrap_or_default()
        .iter()
        .map(|t| search_key(t))
        .filter(|t| !t.is_empty())
        .collect();
    let vehicles: HashMap<&str, String> = library
        .fleet
        .vehicles
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                search_key(&format!("{} {}", v.make, v.model)),
            )
        })
        .collect();
    Ok(library
        .fleet
        .documents()?
        .iter()
        .filter(|d| kind.is_none_or(|k| d.document_type == k))
        .filter(|d| analyzed.is_none_or(|a| d.is_analyzed == a))
        .filter(|d| vehicle.is_none_or(|v| d.vehicle_id.as_deref() == Some(v)))
        .filter(|d| {
            if terms.is_empty() {
                return true;
            }
            let haystack = format!(
                "{} {} {} {}",
                search_key(&d.title),
                search_key(d.description.as_deref().unwrap_or("")),
                d.search_text,
                d.vehicle_id
                    .as_deref()
                    .and_then(|v| vehicles.get(v))
                    .map_or("", String::as_str)
            );
            terms.iter().all(|t| haystack.contains(t.as_str()))
        })
        .cloned()
        .collect())
}

/// The metadata fields of a create or an edit.
struct Metadata {
    title: Option<String>,
    description: Option<Option<String>>,
    document_type: Option<String>,
}

fn read_metadata(f: &mut Fields, creating: bool) -> Metadata {
    let title = if creating || !f.is_partial() {
        f.required_text("title", TITLE_MAX)
    } else {
        f.text("title", Text::required(TITLE_MAX)).value()
    };
    let description = f
        .text("description", Text::optional(DESCRIPTION_MAX))
        .into_update();
    let kind = f.choice("document_type", TYPES, false);
    let document_type = f.not_null("document_type", kind);
    Metadata {
        title,
        description,
        document_type,
    }
}

/// The vehicle a new document is filed under: absent, empty or null is
/// none; another user's or an unknown id is refused with the spec's
/// message (after the field errors).
fn read_vehicle<'a>(f: &mut Fields, raw: Option<&'a Value>) -> Option<Option<&'a str>> {
    match raw {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(id)) if id.trim().is_empty() => Some(None),
        Some(Value::String(id)) => Some(Some(id.as_str())),
        Some(other) => {
            f.error(
                "vehicle",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    shared::http::body::type_name(other)
                ),
            );
            None
        }
    }
}

/// `POST /api/documents/`: a multipart upload, or the confirmation of a
/// presigned upload (`upload_key`). `201` with the full representation.
pub async fn create(
    State(state): State<DocumentsState>,
    library: UserData<VEHICLES>,
    form: DocumentForm,
) -> Result<Response> {
    let owner = &library.user;
    let upload_key = form
        .fields
        .get("upload_key")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let mut f = Fields::new(&form.fields);
    let meta = read_metadata(&mut f, true);
    let vehicle_id = read_vehicle(&mut f, form.fields.get("vehicle"));
    check_part(&mut f, form.file.as_ref(), upload_key.is_none());
    f.finish()?;
    let vehicle = match vehicle_id.flatten() {
        Some(id) => Some(
            library
                .fleet
                .vehicle(id)
                .ok_or_else(|| Error::field("vehicle", FOREIGN_VEHICLE))?,
        ),
        None => None,
    };
    let document_id = uuid::Uuid::now_v7().to_string();
    let (file, upload_id) = match (form.file, upload_key) {
        (Some(part), _) => (
            files::store_part(&state.bucket, &owner.id, &document_id, part).await?,
            None,
        ),
        (None, Some(key)) => {
            let (file, upload) = uploads::confirm(&state, &owner.id, &document_id, &key).await?;
            (file, Some(upload))
        }
        (None, None) => return Err(Error::field("file", files::NO_FILE)),
    };
    let document = Document::new(
        document_id,
        &owner.id,
        vehicle.map(|v| v.id.clone()),
        meta.title.unwrap_or_default(),
        meta.description.flatten(),
        meta.document_type.unwrap_or_else(|| DEFAULT_TYPE.into()),
        file,
    );
    if let Err(e) = state
        .store
        .documents()
        .create(
            &document,
            vehicle,
            upload_id.as_ref().map(|u| u.id.as_str()),
            owner.plan.as_ref(),
        )
        .await
    {
        // The object was written first: take it back (best effort; an
        // orphan would only cost storage until the account's purge).
        let _ = state.bucket.delete(&document.file_key).await;
        return Err(e);
    }
    if let Some(upload) = upload_id {
        let _ = state.bucket.delete(&upload.object_key).await;
    }
    let presenter = Presenter {
        state: &state,
        user: owner,
        vehicles: &library.fleet.vehicles,
    };
    Ok(created(presenter.one(&document, None).await?))
}

/// The caller's document `id` (404 for anyone else's).
pub async fn owned(state: &DocumentsState, owner_id: &str, id: &str) -> Result<Document> {
    state
        .store
        .documents()
        .get(owner_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn detail(
    State(state): State<DocumentsState>,
    UserData { user, fleet }: UserData<VEHICLES>,
    Path(id): Path<String>,
) -> Result<Response> {
    let documents = state.store.documents();
    let (document, text) =
        tokio::try_join!(documents.get(&user.id, &id), documents.text(&user.id, &id))?;
    let document = document.ok_or(NOT_FOUND)?;
    let presenter = Presenter {
        state: &state,
        user: &user,
        vehicles: &fleet.vehicles,
    };
    Ok(ok(presenter.one(&document, text.as_deref()).await?))
}

pub async fn replace(
    state: State<DocumentsState>,
    user: UserData<VEHICLES>,
    path: Path<String>,
    form: DocumentForm,
) -> Result<Response> {
    edit(state, user, path, form, false).await
}

pub async fn patch(
    state: State<DocumentsState>,
    user: UserData<VEHICLES>,
    path: Path<String>,
    form: DocumentForm,
) -> Result<Response> {
    edit(state, user, path, form, true).await
}

/// PUT/PATCH: the metadata, and a new file when one is sent (it replaces
/// the old object, which is purged, and resets the analysis). `vehicle`
/// is ignored, as in the reference.
async fn edit(
    State(state): State<DocumentsState>,
    UserData { user, fleet }: UserData<VEHICLES>,
    Path(id): Path<String>,
    form: DocumentForm,
    partial: bool,
) -> Result<Response> {
    // The text is read with the document (one round trip): the answer
    // shows it unless a new file resets the analysis.
    let documents = state.store.documents();
    let (before, text) =
        tokio::try_join!(documents.get(&user.id, &id), documents.text(&user.id, &id))?;
    let before = before.ok_or(NOT_FOUND)?;
    let mut f = Fields::partial(&form.fields, partial);
    let meta = read_metadata(&mut f, false);
    check_part(&mut f, form.file.as_ref(), false);
    f.finish()?;
    let mut after = before.clone();
    if let Some(title) = meta.title {
        after.title = title;
    }
    if let Some(description) = meta.description {
        after.description = description;
    }
    if let Some(kind) = meta.document_type {
        after.document_type = kind;
    }
    let new_file = match form.file {
        Some(part) => Some(files::store_part(&state.bucket, &user.id, &id, part).await?),
        None => None,
    };
    if let Some(file) = new_file.clone() {
        after.replace_file(file);
    }
    let marker = match state
        .store
        .documents()
        .edit(&before, &mut after, user.plan.as_ref())
        .await
    {
        Ok(marker) => marker,
        Err(e) => {
            if let Some(file) = new_file {
                let _ = state.bucket.delete(&file.key).await;
            }
            return Err(e);
        }
    };
    if let Some(marker) = marker {
        purge_now(&state, &marker).await;
    }
    let text = text.filter(|_| after.file_key == before.file_key);
    let presenter = Presenter {
        state: &state,
        user: &user,
        vehicles: &fleet.vehicles,
    };
    Ok(ok(presenter.one(&after, text.as_deref()).await?))
}

/// Deletes the objects of a marker this request wrote, at once; a
/// failure leaves it to the scheduled run.
async fn purge_now(state: &DocumentsState, marker: &ObjectsPurge) {
    if let Err(e) = object_purge::purge_keys(&state.store, &state.bucket, marker).await {
        tracing::warn!(error = %e, "purging a file failed; left to the scheduled run");
    }
}

pub async fn delete(
    State(state): State<DocumentsState>,
    UserData { user, fleet }: UserData<VEHICLES>,
    Path(id): Path<String>,
) -> Result<Response> {
    let document = owned(&state, &user.id, &id).await?;
    let vehicle = document
        .vehicle_id
        .as_deref()
        .and_then(|v| fleet.vehicle(v));
    let marker = state.store.documents().delete(&document, vehicle).await?;
    purge_now(&state, &marker).await;
    Ok(no_content())
}

/// `GET /api/documents/{id}/file/`: a redirect to a fresh download link
/// (what `file` holds where no link can be signed, like the vehicle view).
pub async fn file(
    State(state): State<DocumentsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let document = owned(&state, &user.id, &id).await?;
    let url = files::download_url(
        &state.bucket,
        &document.file_key,
        &document.mime_type,
        &document.file_name,
    )
    .await?;
    Ok((StatusCode::FOUND, [(LOCATION, url)]).into_response())
}
