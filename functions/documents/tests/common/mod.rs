//! The documents app on a table, a bucket and a queue of its own.

#![allow(dead_code)]

use serde_json::Value;
use testkit::documents::{documents_resources, multipart, DocumentsResources, Part};

pub type TestApp = testkit::TestApp<documents::DocumentsState>;

pub struct Docs {
    pub app: TestApp,
    pub res: DocumentsResources,
}

pub async fn spawn() -> Docs {
    let res = documents_resources().await;
    let app = TestApp::spawn_with(documents::router, |c| {
        c.bucket_name = Some(res.bucket.clone());
        c.ocr_queue_url = Some(res.ocr_queue_url.clone());
    })
    .await;
    Docs { app, res }
}

impl Docs {
    /// Uploads `bytes` as `file_name` with `fields`; the response.
    pub async fn upload(
        &self,
        token: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> testkit::TestResponse {
        let (ct, body) = multipart(
            fields,
            Some(Part {
                file_name,
                content_type,
                bytes,
            }),
        );
        self.app
            .post("/api/documents/")
            .bearer(token)
            .raw(&ct, &body)
            .send()
            .await
    }

    /// Uploads a small PDF titled `title`; its id.
    pub async fn pdf(&self, token: &str, title: &str, extra: &[(&str, &str)]) -> String {
        let mut fields = vec![("title", title)];
        fields.extend_from_slice(extra);
        let res = self
            .upload(
                token,
                &fields,
                "facture.pdf",
                Some("application/pdf"),
                &testkit::samples::pdf(),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body["id"].as_str().unwrap().to_string()
    }

    /// The object behind a document, read from the bucket.
    pub async fn object_of(&self, document: &Value) -> Option<Vec<u8>> {
        let key = self.key_of(document).await?;
        testkit::documents::object(&self.res.bucket, &key)
            .await
            .map(|(bytes, _)| bytes)
    }

    /// The document's object key, from the store.
    pub async fn key_of(&self, document: &Value) -> Option<String> {
        let owner = document["user"].as_str()?;
        let id = document["id"].as_str()?;
        self.app
            .state
            .store
            .documents()
            .get(owner, id)
            .await
            .unwrap()
            .map(|d| d.file_key)
    }
}
