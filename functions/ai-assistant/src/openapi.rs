//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the AI assistant's
//! conversations, their messages and the assistant's actions (spec 13,
//! issue 15). One `utoipa::path` stub per operation, named after its
//! handler, at the seed path (`/api/ai/...`) with its trailing slash; the
//! reference's `/api/conversations/...`, `/api/messages/...` and
//! `/api/assistant/...` are `ALIASES`.
//!
//! The shapes are the ones `Conversation::to_json`, `Message::to_json` and
//! the handlers write; the bodies the ones the handlers read, with the
//! bounds of the same constants; the refusals quote the handlers' messages
//! (a test finds each one in the sources). The plan-limit 403 is the shared
//! `PlanLimit` with the assistant's `limit_detail`. Every operation reads a
//! token: none is public.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::assistant::{
    ANSWER_MAX, CLIENT_HISTORY_CHARS, CLIENT_HISTORY_TURNS, CONTENT_MAX,
    MAX_CONVERSATIONS_PER_USER, MAX_MESSAGES_PER_CONVERSATION, RECENT_DEFAULT, RECENT_MAX, ROLES,
    ROLE_ASSISTANT, ROLE_USER, TITLE_MAX,
};
use shared::openapi::schema_ref as reference;
use shared::openapi::{trimmed_text_pattern, DetailRef, FieldErrorsRef, TRIMMED_SPACE};
use shared::{json_component as component, json_one_of as one_of};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::engine::SOURCE_OFFLINE;

const CONVERSATIONS: &str = "assistant conversations";
const MESSAGES: &str = "assistant messages";
const ASSISTANT: &str = "assistant";
const CONVERSATION_ID: &str = "The conversation id";
const MESSAGE_ID: &str = "The message id";

/// The longest id a conversation reference may have (`required_text`'s
/// bound in `messages::create`; longer ids are a 404 elsewhere).
const ID_MAX: usize = 64;
/// The messages a conversation shows in lists (`conversations`' constant).
const LISTED_MESSAGES: usize = 20;
/// The bound of `actions::whole` (year, mileage).
const WHOLE_MAX: u64 = 10_000_000;

/// The handlers' messages, quoted in the descriptions (each is found in
/// the sources by a test).
mod says {
    pub const MESSAGE_REQUIRED: &str = "Le message est requis";
    pub const MESSAGE_TOO_LONG: &str = "Le message dépasse ";
    pub const HISTORY_INVALID: &str = "Historique invalide : ";
    pub const HISTORY_NOT_A_LIST: &str = "une liste est attendue";
    pub const HISTORY_TURNS: &str = " messages au plus";
    pub const HISTORY_ROLES: &str = "les rôles sont user ou assistant";
    pub const HISTORY_CONTENT: &str = "chaque message a un contenu texte";
    pub const HISTORY_CHARS: &str = " caractères au plus";
    pub const NOT_AN_ID: &str = "Not a valid id.";
    pub const VEHICLE_REQUIRED: &str = "Les informations du véhicule sont requises";
    pub const MISSING: &str = "Champs manquants: ";
    pub const INVALID_FIELD: &str = "Champ invalide: ";
    pub const SYMPTOMS_REQUIRED: &str = "Les symptômes et les informations du véhicule sont requis";
    pub const SYMPTOMS_TOO_LONG: &str = "Les symptômes dépassent ";
    pub const MISSING_VEHICLE: &str = "Champs manquants du véhicule: ";
    pub const QUESTION_REQUIRED: &str = "La question et les informations du véhicule sont requises";
    pub const QUESTION_TOO_LONG: &str = "La question dépasse ";
    pub const STANDARD_REQUIRED: &str = "📦 Cette fonctionnalité nécessite au minimum le plan Standard (9.99€/mois). Mettez à niveau votre abonnement pour y accéder.";
    pub const PREMIUM_REQUIRED: &str = "⭐ Cette fonctionnalité nécessite le plan Premium (19.99€/mois). Mettez à niveau votre abonnement pour y accéder.";
    pub const FOREIGN_CONVERSATION: &str = "You can only add messages to your own conversations.";
    pub const RENAMED_MEANWHILE: &str = "The conversation changed meanwhile; reload and retry.";
    pub const RECENT_BOUNDS: &str = "Ensure this value is between 1 and ";
    pub const INVALID_INTEGER: &str = "A valid integer is required.";
    pub const NO_CONVERSATION: &str = "No Conversation matches the given query.";
    pub const NO_MESSAGE: &str = "No Message matches the given query.";
    pub const CONVERSATIONS_REACHED: &str = "An account can keep at most ";
    pub const MESSAGES_REACHED: &str = "A conversation holds at most ";
}

// ---- inputs -------------------------------------------------------------

/// A text that `Fields::text` reads: trimmed, at most `max` characters
/// once trimmed; JSON numbers are taken as their text.
fn text_in(max: usize, optional: bool) -> Value {
    if optional {
        json!({
            "type": ["string", "number", "null"],
            "pattern": trimmed_text_pattern(max, true),
            "description": format!(
                "At most {max} characters once trimmed; blank or null is none; a number is taken as its text."
            ),
        })
    } else {
        json!({
            "type": ["string", "number"],
            "pattern": trimmed_text_pattern(max, false),
            "description": format!(
                "At most {max} characters once trimmed; not blank; null is a 400; a number is taken as its text."
            ),
        })
    }
}

/// A text the assistant's actions read (`text_of`, `some_text`): a JSON
/// string only, trimmed, not blank, at most `max` characters once trimmed.
fn string_in(max: usize, description: &str) -> Value {
    json!({
        "type": "string",
        "pattern": trimmed_text_pattern(max, false),
        "description": description,
    })
}

/// A vehicle field the actions take (`actions::given`): a text that is not
/// blank once trimmed, or any number.
fn given_in(description: &str) -> Value {
    json!({
        "type": ["string", "number"],
        "pattern": format!("[^{TRIMMED_SPACE}]"),
        "description": description,
    })
}

/// `actions::whole`: a number, or a decimal text, from 0 to `WHOLE_MAX`
/// (the fraction dropped).
fn whole_in(description: &str) -> Value {
    let s = TRIMMED_SPACE;
    json!({
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": WHOLE_MAX},
            {
                "type": "string",
                "pattern": format!(
                    "^[{s}]*(\\+?(0*[0-9]{{1,7}}(\\.[0-9]*)?|0*10000000(\\.0*)?|\\.[0-9]+)|-(0+(\\.0*)?|\\.0+))[{s}]*$"
                ),
            },
        ],
        "description": format!(
            "{description} A number, or its decimal text, from 0 to {WHOLE_MAX} (the fraction is dropped); \
             another value is a 400 `{}<key>`.",
            says::INVALID_FIELD
        ),
    })
}

component!(
    /// The body of a conversation's create and update.
    ConversationWrite,
    "ConversationWrite",
    json!({
        "type": "object",
        "description": "Only the title is written; unknown fields are ignored.",
        "properties": {
            "title": text_in(TITLE_MAX, true),
        },
    })
);

component!(
    /// The body of `POST /api/ai/messages/`.
    AssistantMessageCreate,
    "AssistantMessageCreate",
    json!({
        "type": "object",
        "description": "The owner's note in one of their conversations: stored with the role `user`, never answered, not counted against the allowance.",
        "properties": {
            "conversation": {
                "type": ["string", "number"],
                "pattern": trimmed_text_pattern(ID_MAX, false),
                "description": format!(
                    "The id of one of the caller's conversations (trimmed, at most {ID_MAX} characters); another id is a 400 `{}`.",
                    says::FOREIGN_CONVERSATION
                ),
            },
            "content": text_in(CONTENT_MAX, false),
        },
        "required": ["conversation", "content"],
    })
);

component!(
    /// The body of `send_message/`.
    AssistantSend,
    "AssistantSend",
    json!({
        "type": "object",
        "properties": {
            "content": text_in(CONTENT_MAX, false),
        },
        "required": ["content"],
    })
);

component!(
    /// One turn of the history a client sends (`chat::client_history`).
    AssistantTurn,
    "AssistantTurn",
    json!({
        "type": "object",
        "description": "An earlier turn; other members are ignored.",
        "properties": {
            "role": {"type": "string", "enum": [ROLE_USER, ROLE_ASSISTANT]},
            "content": {"type": "string", "description": "Taken as it is (not trimmed)."},
        },
        "required": ["role", "content"],
    })
);

fn history_in() -> Value {
    json!({
        "type": ["array", "null"],
        "items": reference("AssistantTurn"),
        "maxItems": CLIENT_HISTORY_TURNS,
        "description": format!(
            "Earlier turns, oldest first: at most {CLIENT_HISTORY_TURNS}, of {CLIENT_HISTORY_CHARS} \
             characters in all (a 400 `{}...` beyond); only `{ROLE_USER}` and `{ROLE_ASSISTANT}` \
             turns. The newest that fit the model's budget are sent. Null or absent: none.",
            says::HISTORY_INVALID
        ),
    })
}

component!(
    /// The body of `chat/`.
    AssistantChat,
    "AssistantChat",
    json!({
        "type": "object",
        "properties": {
            "message": string_in(CONTENT_MAX, &format!(
                "The owner's message (a JSON string, trimmed; at most {CONTENT_MAX} characters)."
            )),
            "history": history_in(),
            "conversation_id": {
                "type": ["string", "null"],
                "description": "One of the caller's conversations to continue (its stored messages are the history, and a `history` sent is only checked); another id is a 404. Null or absent: a new conversation, titled with the message's start.",
            },
        },
        "required": ["message"],
    })
);

component!(
    /// `vehicleInfo` of `maintenance_suggestions/`.
    AssistantVehicleMileage,
    "AssistantVehicleMileage",
    json!({
        "type": "object",
        "description": "The vehicle (not one of the caller's: any vehicle); echoed as sent, other members included.",
        "properties": {
            "make": given_in("A text that is not blank, or a number."),
            "model": given_in("A text that is not blank, or a number."),
            "year": whole_in("The model year."),
            "mileage": whole_in("The odometer, in km."),
        },
        "required": ["make", "model", "year", "mileage"],
    })
);

component!(
    /// `vehicleInfo` of `diagnostic/` and `maintenance_ask/`.
    AssistantVehicle,
    "AssistantVehicle",
    json!({
        "type": "object",
        "description": "The vehicle (not one of the caller's: any vehicle); echoed as sent, other members included.",
        "properties": {
            "make": given_in("A text that is not blank, or a number."),
            "model": given_in("A text that is not blank, or a number."),
            "year": whole_in("The model year."),
        },
        "required": ["make", "model", "year"],
    })
);

component!(
    /// The body of `maintenance_suggestions/`.
    AssistantSuggestionsRequest,
    "AssistantSuggestionsRequest",
    json!({
        "type": "object",
        "properties": {"vehicleInfo": reference("AssistantVehicleMileage")},
        "required": ["vehicleInfo"],
    })
);

component!(
    /// The body of `diagnostic/`.
    AssistantDiagnosticRequest,
    "AssistantDiagnosticRequest",
    json!({
        "type": "object",
        "properties": {
            "symptoms": string_in(CONTENT_MAX, &format!(
                "What the owner notices (a JSON string, trimmed; at most {CONTENT_MAX} characters); fault codes in it (`P0301`) are looked up."
            )),
            "vehicleInfo": reference("AssistantVehicle"),
        },
        "required": ["symptoms", "vehicleInfo"],
    })
);

component!(
    /// The body of `maintenance_ask/`.
    AssistantAskRequest,
    "AssistantAskRequest",
    json!({
        "type": "object",
        "properties": {
            "question": string_in(CONTENT_MAX, &format!(
                "The question (a JSON string, trimmed; at most {CONTENT_MAX} characters)."
            )),
            "vehicleInfo": reference("AssistantVehicle"),
            "history": history_in(),
        },
        "required": ["question", "vehicleInfo"],
    })
);

// ---- outputs ------------------------------------------------------------

fn time_out(description: &str) -> Value {
    json!({"type": "string", "format": "date-time", "description": description})
}

component!(
    /// `Message` (spec 13.1, `Message::to_json`).
    AssistantMessage,
    "AssistantMessage",
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "conversation": {"type": "string", "format": "uuid", "description": "The conversation's id."},
            "role": {
                "type": "string",
                "enum": ROLES,
                "description": format!(
                    "`{ROLE_USER}`: the owner's; `{ROLE_ASSISTANT}`: the assistant's answer (at most {ANSWER_MAX} characters). No operation writes `system`."
                ),
            },
            "content": {"type": "string"},
            "created_at": time_out("When it was stored."),
        },
        "required": ["id", "conversation", "role", "content", "created_at"],
    })
);

component!(
    /// `Conversation` (spec 13.1, `Conversation::to_json`).
    ConversationOut,
    "Conversation",
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "user": {"type": "string", "format": "uuid", "description": "The owner's id (the caller)."},
            "title": {"type": ["string", "null"], "maxLength": TITLE_MAX},
            "messages": {
                "type": "array",
                "items": reference("AssistantMessage"),
                "description": format!(
                    "Oldest first: every message in the detail and after a create or an update; the latest {LISTED_MESSAGES} in the lists (`messages_count` says how many there are)."
                ),
            },
            "messages_count": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_MESSAGES_PER_CONVERSATION,
                "description": format!("Every message, both roles (at most {MAX_MESSAGES_PER_CONVERSATION})."),
            },
            "created_at": time_out("When it was created."),
            "updated_at": time_out("Its last activity: created, renamed, or a message answered in it (`/api/messages/`'s notes do not move it)."),
        },
        "required": ["id", "user", "title", "messages", "messages_count", "created_at", "updated_at"],
    })
);

component!(
    /// What `stats/` answers (spec 13.2.4).
    ConversationStats,
    "ConversationStats",
    json!({
        "type": "object",
        "properties": {
            "total_conversations": {"type": "integer", "minimum": 0},
            "total_messages": {"type": "integer", "minimum": 0},
            "average_messages_per_conversation": {
                "type": "number",
                "minimum": 0,
                "description": "Messages per conversation, rounded to 2 decimals; 0 without conversations.",
            },
        },
        "required": ["total_conversations", "total_messages", "average_messages_per_conversation"],
    })
);

fn offline_out() -> Value {
    json!({
        "type": "boolean",
        "description": "True when the offline assistant answered (no model configured, or the model failed): rules over the caller's data, said in the answer.",
    })
}

component!(
    /// What `send_message/` answers.
    AssistantSent,
    "AssistantSent",
    json!({
        "type": "object",
        "description": "The owner's message (the `Message` fields) with the assistant's answer.",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "conversation": {"type": "string", "format": "uuid"},
            "role": {"type": "string", "enum": [ROLE_USER]},
            "content": {"type": "string"},
            "created_at": time_out("When it was stored."),
            "assistant_message": {
                "allOf": [reference("AssistantMessage")],
                "description": "The answer, stored in the conversation.",
            },
            "offline": offline_out(),
            "messages_count": {
                "type": "integer",
                "minimum": 2,
                "maximum": MAX_MESSAGES_PER_CONVERSATION,
                "description": "The conversation's messages now.",
            },
        },
        "required": ["id", "conversation", "role", "content", "created_at", "assistant_message", "offline", "messages_count"],
    })
);

component!(
    /// What `chat/` answers.
    AssistantChatAnswer,
    "AssistantChatAnswer",
    json!({
        "type": "object",
        "properties": {
            "content": {"type": "string", "description": "The assistant's text (always some)."},
            "model": {
                "type": "string",
                "description": format!("What answered: the model's name, or `{SOURCE_OFFLINE}`."),
            },
            "offline": offline_out(),
            "conversation": {"type": "string", "format": "uuid", "description": "The conversation both messages were stored in."},
            "conversation_id": {"type": "string", "format": "uuid", "description": "The same."},
            "user_message": reference("AssistantMessage"),
            "assistant_message": reference("AssistantMessage"),
        },
        "required": ["content", "model", "offline", "conversation", "conversation_id", "user_message", "assistant_message"],
    })
);

component!(
    /// What `maintenance_suggestions/` answers.
    AssistantSuggestions,
    "AssistantSuggestions",
    json!({
        "type": "object",
        "properties": {
            "vehicleInfo": {"type": "object", "description": "`vehicleInfo` as sent."},
            "suggestions": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": 5,
                "description": "Preventive-maintenance tasks, the most pressing first (the model's list, or the offline intervals by mileage and age).",
            },
            "generatedAt": time_out("When they were made."),
        },
        "required": ["vehicleInfo", "suggestions", "generatedAt"],
    })
);

/// What `diagnostic/` answers (spec 13.2.10): its values have no fixed
/// type (the model's are passed on as it gave them).
struct AssistantDiagnostic;
impl PartialSchema for AssistantDiagnostic {
    fn schema() -> RefOr<Schema> {
        let fields = [
            (
                "diagnosis",
                "The probable diagnosis (or the model's whole text when it gave no JSON).",
            ),
            ("urgency", "`low`, `medium` or `high` (default `medium`)."),
            (
                "estimatedCost",
                "A repair cost estimate in euros (default `À déterminer`).",
            ),
            (
                "recommendations",
                "Practical recommendations, an array of texts.",
            ),
        ];
        let mut object = ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "The offline assistant writes strings (and an array of strings); the model's \
                 values are passed on with the JSON type it gave, each defaulted when missing.",
            ));
        for (name, description) in fields {
            object = object
                .property(
                    name,
                    ObjectBuilder::new()
                        .schema_type(SchemaType::AnyValue)
                        .description(Some(description)),
                )
                .required(name);
        }
        object.into()
    }
}
impl ToSchema for AssistantDiagnostic {
    fn name() -> std::borrow::Cow<'static, str> {
        "AssistantDiagnostic".into()
    }
}

component!(
    /// What `maintenance_ask/` answers (spec 13.2.11).
    AssistantAnswer,
    "AssistantAnswer",
    json!({
        "type": "object",
        "properties": {
            "question": {"type": "string", "description": "The question, trimmed."},
            "answer": {"type": "string"},
            "vehicleInfo": {"type": "object", "description": "`vehicleInfo` as sent."},
            "offline": offline_out(),
            "timestamp": time_out("When it was answered."),
        },
        "required": ["question", "answer", "vehicleInfo", "offline", "timestamp"],
    })
);

component!(
    /// `{"error": ...}`: the reference's refusals (spec 13.2.8 to 13.2.11).
    AssistantError,
    "AssistantError",
    json!({
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    })
);

component!(
    /// The 403 of a caller whose month's allowance is used up
    /// (`quota::exhausted`): the shared `PlanLimit`, whose `detail` is the
    /// spec's message naming the plan to move to, the limit's own sentence
    /// then in `limit_detail`.
    AssistantPlanLimit,
    "AssistantPlanLimit",
    json!({
        "description": "The shared `PlanLimit`, with `limit_detail` when `detail` is the spec's message.",
        "allOf": [
            reference("PlanLimit"),
            {
                "type": "object",
                "properties": {
                    "limit_detail": {
                        "type": "string",
                        "description": "The limit's sentence (`Assistant messages per month: your plan (Free) allows 20. ...`), when `detail` is the spec's message naming the plan to move to; absent otherwise.",
                    },
                },
            },
        ],
    })
);

fn error() -> RefOr<Schema> {
    Ref::from_schema_name(AssistantError::name()).into()
}

fn plan_limit() -> RefOr<Schema> {
    Ref::from_schema_name(AssistantPlanLimit::name()).into()
}

one_of!(
    /// A 400 of a body: field errors, or a body that cannot be parsed.
    Invalid,
    [FieldErrorsRef::schema(), DetailRef::schema()]
);

one_of!(
    /// A 400 of the assistant: the reference's `{"error"}`, field errors
    /// (a body that is not an object, a bound), or a body that cannot be
    /// parsed.
    Refused,
    [error(), FieldErrorsRef::schema(), DetailRef::schema()]
);

one_of!(
    /// The 403 of `diagnostic/`: not Premium, or the allowance used up.
    NotPremiumOrUsedUp,
    [DetailRef::schema(), plan_limit()]
);

// ---- operations ---------------------------------------------------------

/// Replaced in `openapi()` (they quote the handlers' messages).
const USED_UP: &str = "The month's allowance of assistant messages is used up";
const BODY_REFUSED: &str = "The body refused";
const CHAT_REFUSED: &str = "The message or the history refused";
const ACTION_REFUSED: &str = "The body refused (`error`)";

#[utoipa::path(get, path = "/api/ai/conversations/", tag = CONVERSATIONS,
    summary = "The caller's conversations, the most recently active first",
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page of conversations, each with its latest messages", body = Vec<ConversationOut>)))]
fn list() {}

#[utoipa::path(post, path = "/api/ai/conversations/", tag = CONVERSATIONS,
    summary = "Start a conversation",
    request_body(content = ConversationWrite, description = "The title, if any"),
    responses(
        (status = 201, description = "The conversation (no messages yet)", body = ConversationOut),
        (status = 400, description = BODY_REFUSED, body = inline(Invalid))))]
fn create() {}

#[utoipa::path(get, path = "/api/ai/conversations/recent/", tag = CONVERSATIONS,
    summary = "The caller's most recently active conversations (not paged)",
    responses(
        (status = 200, description = "The conversations, each with its latest messages", body = Vec<ConversationOut>),
        (status = 400, description = "A `limit` out of bounds or not an integer", body = inline(FieldErrorsRef))))]
fn recent() {}

#[utoipa::path(get, path = "/api/ai/conversations/stats/", tag = CONVERSATIONS,
    summary = "How many conversations and messages the caller has",
    responses((status = 200, description = "The counts", body = ConversationStats)))]
fn stats() {}

#[utoipa::path(get, path = "/api/ai/conversations/{id}/", tag = CONVERSATIONS,
    summary = "One of the caller's conversations, with every message",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    responses((status = 200, description = "The conversation", body = ConversationOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/ai/conversations/{id}/", tag = CONVERSATIONS,
    summary = "Rename a conversation (only `title`)",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    request_body(content = ConversationWrite, description = "The title"),
    responses(
        (status = 200, description = "The conversation, with every message", body = ConversationOut),
        (status = 400, description = BODY_REFUSED, body = inline(Invalid)),
        (status = 409, description = "Changed meanwhile", body = inline(DetailRef))))]
fn update() {}

#[utoipa::path(patch, path = "/api/ai/conversations/{id}/", tag = CONVERSATIONS,
    summary = "Rename a conversation (same as PUT)",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    request_body(content = ConversationWrite, description = "The title"),
    responses(
        (status = 200, description = "The conversation, with every message", body = ConversationOut),
        (status = 400, description = BODY_REFUSED, body = inline(Invalid)),
        (status = 409, description = "Changed meanwhile", body = inline(DetailRef))))]
fn partial_update() {}

#[utoipa::path(delete, path = "/api/ai/conversations/{id}/", tag = CONVERSATIONS,
    summary = "Delete a conversation and its messages",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    responses((status = 204, description = "Deleted")))]
fn delete() {}

#[utoipa::path(get, path = "/api/ai/conversations/{id}/messages/", tag = CONVERSATIONS,
    summary = "Every message of a conversation, oldest first (not paged)",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    responses((status = 200, description = "The messages", body = Vec<AssistantMessage>)))]
fn messages() {}

#[utoipa::path(post, path = "/api/ai/conversations/{id}/send_message/", tag = CONVERSATIONS,
    summary = "Send a message in a conversation and get the assistant's answer",
    params(("id" = String, Path, description = CONVERSATION_ID)),
    request_body(content = AssistantSend, description = "The message"),
    responses(
        (status = 201, description = "The message stored, with the answer stored after it", body = AssistantSent),
        (status = 400, description = BODY_REFUSED, body = inline(Invalid)),
        (status = 403, description = USED_UP, body = AssistantPlanLimit)))]
fn send_message() {}

#[utoipa::path(get, path = "/api/ai/messages/", tag = MESSAGES,
    summary = "The messages of the caller's conversations, newest first by default",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of messages", body = Vec<AssistantMessage>),
        (status = 400, description = "A `role` that is not a role (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn message_list() {}

#[utoipa::path(post, path = "/api/ai/messages/", tag = MESSAGES,
    summary = "Add the owner's note to one of their conversations (no answer)",
    request_body(content = AssistantMessageCreate, description = "The conversation and the text"),
    responses(
        (status = 201, description = "The message", body = AssistantMessage),
        (status = 400, description = BODY_REFUSED, body = inline(Invalid))))]
fn message_create() {}

#[utoipa::path(get, path = "/api/ai/messages/{id}/", tag = MESSAGES,
    summary = "One message of the caller's conversations",
    params(("id" = String, Path, description = MESSAGE_ID)),
    responses((status = 200, description = "The message", body = AssistantMessage)))]
fn message_detail() {}

#[utoipa::path(post, path = "/api/ai/chat/", tag = ASSISTANT,
    summary = "Ask the assistant, in a new conversation or an existing one",
    request_body(content = AssistantChat, description = "The message, and the conversation or a history"),
    responses(
        (status = 200, description = "The answer, and both messages as stored", body = AssistantChatAnswer),
        (status = 400, description = CHAT_REFUSED, body = inline(Refused)),
        (status = 403, description = USED_UP, body = AssistantPlanLimit),
        (status = 404, description = "`conversation_id` is not one of the caller's conversations", body = inline(DetailRef))))]
fn chat() {}

#[utoipa::path(post, path = "/api/ai/maintenance_suggestions/", tag = ASSISTANT,
    summary = "Up to five preventive-maintenance tasks for a vehicle",
    request_body(content = AssistantSuggestionsRequest, description = "The vehicle"),
    responses(
        (status = 200, description = "The suggestions", body = AssistantSuggestions),
        (status = 400, description = ACTION_REFUSED, body = inline(Refused)),
        (status = 403, description = USED_UP, body = AssistantPlanLimit)))]
fn maintenance_suggestions() {}

#[utoipa::path(post, path = "/api/ai/diagnostic/", tag = ASSISTANT,
    summary = "A probable diagnosis from symptoms (Premium)",
    request_body(content = AssistantDiagnosticRequest, description = "The symptoms and the vehicle"),
    responses(
        (status = 200, description = "The diagnosis", body = AssistantDiagnostic),
        (status = 400, description = ACTION_REFUSED, body = inline(Refused)),
        (status = 403, description = "Not Premium, or the allowance used up", body = inline(NotPremiumOrUsedUp))))]
fn diagnostic() {}

#[utoipa::path(post, path = "/api/ai/maintenance_ask/", tag = ASSISTANT,
    summary = "Ask a maintenance question about a vehicle",
    request_body(content = AssistantAskRequest, description = "The question, the vehicle and a history"),
    responses(
        (status = 200, description = "The answer", body = AssistantAnswer),
        (status = 400, description = ACTION_REFUSED, body = inline(Refused)),
        (status = 403, description = USED_UP, body = AssistantPlanLimit)))]
fn maintenance_ask() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, recent, stats, detail, update, partial_update, delete, messages,
        send_message, message_list, message_create, message_detail, chat,
        maintenance_suggestions, diagnostic, maintenance_ask
    ),
    components(schemas(
        ConversationOut, ConversationWrite, ConversationStats, AssistantMessage,
        AssistantMessageCreate, AssistantSend, AssistantSent, AssistantTurn, AssistantChat,
        AssistantChatAnswer, AssistantVehicleMileage, AssistantVehicle,
        AssistantSuggestionsRequest, AssistantSuggestions, AssistantDiagnosticRequest,
        AssistantDiagnostic, AssistantAskRequest, AssistantAnswer, AssistantError,
        AssistantPlanLimit
    )),
    tags(
        (name = "assistant conversations", description = "The caller's conversations with the AI assistant (spec 13): an automotive assistant that knows the caller's own vehicles, their maintenance history, the reminders due and their diagnostics (read server-side from the caller's identity only). Another user's conversation, or an unknown one, is a 404 `No Conversation matches the given query.`"),
        (name = "assistant messages", description = "The messages of the caller's conversations (spec 13.2.5). Another user's message is a 404 `No Message matches the given query.`"),
        (name = "assistant", description = "Asking the assistant (spec 13.2.6 to 13.2.11). The model answers when one is configured; without one, or when it fails, the offline assistant answers from the same data and rules and says so (`offline`). Every answered message counts one against the month's allowance of the caller's plan (Free, Standard, Premium: `assistant_messages_per_month` of `GET /api/subscriptions/usage/`); beyond it, a 403 naming the plan to move to, and nothing is stored.")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that quote the handlers' messages.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    set_parameters(
        &mut doc,
        "/api/ai/conversations/recent/",
        json!([query(
            "limit",
            json!({"oneOf": [
                {"type": "integer", "minimum": 1, "maximum": RECENT_MAX},
                {"type": "string", "enum": [""]}
            ]}),
            &format!(
                "How many (1 to {RECENT_MAX}, default {RECENT_DEFAULT}); empty is the default; \
                 out of bounds: `{}{RECENT_MAX}.`; not an integer: `{}`.",
                says::RECENT_BOUNDS,
                says::INVALID_INTEGER
            ),
        )]),
    );
    let mut roles = ROLES.to_vec();
    roles.push("");
    set_parameters(
        &mut doc,
        "/api/ai/messages/",
        json!([
            query(
                "conversation",
                json!({"type": "string"}),
                "Only the messages of this conversation (an id); empty is ignored; another user's or an unknown id selects nothing.",
            ),
            query(
                "role",
                json!({"type": "string", "enum": roles}),
                &format!(
                    "Only the messages of this role ({}); empty is ignored; another value is a 400.",
                    ROLES.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                ),
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`created_at` or `id` (the same order: ids follow time), `-` for descending; the first known field counts, unknown fields are ignored. Default `-created_at`.",
            ),
        ]),
    );
    let used_up = format!(
        "The month's allowance of assistant messages of the caller's plan is used up (`limit`: \
         `assistant_messages_per_month`): nothing is stored. `detail` is `{}` (on Free) or `{}` \
         (on Standard), the limit's own sentence then in `limit_detail`.",
        says::STANDARD_REQUIRED,
        says::PREMIUM_REQUIRED
    );
    for path in [
        "/api/ai/conversations/{id}/send_message/",
        "/api/ai/chat/",
        "/api/ai/maintenance_suggestions/",
        "/api/ai/maintenance_ask/",
    ] {
        set_response(&mut doc, path, "post", "403", used_up.clone());
    }
    set_response(
        &mut doc,
        "/api/ai/diagnostic/",
        "post",
        "403",
        format!(
            "Below Premium (`detail`: `{}`), checked before the body is read; or, on Premium, \
             {}",
            says::PREMIUM_REQUIRED,
            used_up.replacen("The month's", "the month's", 1)
        ),
    );
    let conversations_reached = format!(
        "`non_field_errors`: `{}{MAX_CONVERSATIONS_PER_USER} conversations: delete older ones.`",
        says::CONVERSATIONS_REACHED
    );
    let messages_reached = format!(
        "`non_field_errors`: `{}{MAX_MESSAGES_PER_CONVERSATION} messages: start a new one.`",
        says::MESSAGES_REACHED
    );
    let unparsed = "`non_field_errors` for a body that is not an object, `detail` for one that \
                    cannot be parsed.";
    describe(
        &mut doc,
        "/api/ai/conversations/",
        "get",
        format!(
            "Paged, newest activity first; each conversation shows its latest \
             {LISTED_MESSAGES} messages. No filters."
        ),
    );
    describe(
        &mut doc,
        "/api/ai/conversations/",
        "post",
        format!(
            "An account keeps at most {MAX_CONVERSATIONS_PER_USER} conversations. The full \
             `Conversation` comes back (spec 13.2.1's intended behaviour)."
        ),
    );
    set_response(
        &mut doc,
        "/api/ai/conversations/",
        "post",
        "400",
        format!(
            "`title` too long or not a text; the account's bound ({conversations_reached}). \
             {unparsed}"
        ),
    );
    for method in ["put", "patch"] {
        describe(
            &mut doc,
            "/api/ai/conversations/{id}/",
            method,
            "Only `title` is written, and only when given (PUT too requires nothing); null or \
             blank clears it. The conversation's activity (`updated_at`) moves when it changes."
                .into(),
        );
        set_response(
            &mut doc,
            "/api/ai/conversations/{id}/",
            method,
            "400",
            format!("`title` too long or not a text. {unparsed}"),
        );
        set_response(
            &mut doc,
            "/api/ai/conversations/{id}/",
            method,
            "409",
            format!(
                "A message was stored in it meanwhile (`detail`: `{}`)",
                says::RENAMED_MEANWHILE
            ),
        );
    }
    describe(
        &mut doc,
        "/api/ai/conversations/recent/",
        "get",
        "A bare array of the caller's conversations, newest activity first, each with its \
         latest messages."
            .into(),
    );
    describe(
        &mut doc,
        "/api/ai/conversations/{id}/send_message/",
        "post",
        "The owner's message is stored (with the month's count, in one transaction), then \
         answered with the conversation's stored messages as history (the newest that fit the \
         model's budget); the answer is stored after it and the conversation's activity moves. \
         The assistant reads only the caller's own data (vehicles, maintenance history, \
         reminders due, diagnostics, the fault-code table)."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/ai/conversations/{id}/send_message/",
        "post",
        "400",
        format!(
            "`content` missing, blank, null, too long or not a text; the conversation is full \
             ({messages_reached}). {unparsed}"
        ),
    );
    describe(
        &mut doc,
        "/api/ai/messages/",
        "post",
        format!(
            "Stored with the role `{ROLE_USER}`; no answer, nothing counted, and the \
             conversation's activity does not move (as the reference). The whole `Message` comes \
             back."
        ),
    );
    set_response(
        &mut doc,
        "/api/ai/messages/",
        "post",
        "400",
        format!(
            "`conversation`: `{}` (not one of the caller's); a field missing, blank or too long; \
             the conversation is full ({messages_reached}). {unparsed}",
            says::FOREIGN_CONVERSATION
        ),
    );
    describe(
        &mut doc,
        "/api/ai/chat/",
        "post",
        format!(
            "Stores the owner's message and the answer, and returns the answer's text with both \
             messages. Without `conversation_id`, a new conversation is created (at most \
             {MAX_CONVERSATIONS_PER_USER} an account) and `history` is the model's context; \
             with it, the conversation's stored messages are. Always some assistant text: the \
             offline assistant answers when the model cannot."
        ),
    );
    set_response(
        &mut doc,
        "/api/ai/chat/",
        "post",
        "400",
        format!(
            "`error`: `{}` (absent, blank or not a text), `{}{CONTENT_MAX} caractères`, or \
             `{}` with `{}`, `{CLIENT_HISTORY_TURNS}{}`, `{}`, `{}` or \
             `{CLIENT_HISTORY_CHARS}{}`. `conversation_id`: `{}` (not a text); the account's or \
             the conversation's bound ({conversations_reached}; {messages_reached}). {unparsed}",
            says::MESSAGE_REQUIRED,
            says::MESSAGE_TOO_LONG,
            says::HISTORY_INVALID.trim_end(),
            says::HISTORY_NOT_A_LIST,
            says::HISTORY_TURNS,
            says::HISTORY_ROLES,
            says::HISTORY_CONTENT,
            says::HISTORY_CHARS,
            says::NOT_AN_ID
        ),
    );
    set_response(
        &mut doc,
        "/api/ai/chat/",
        "post",
        "404",
        format!(
            "`conversation_id` is not one of the caller's conversations (`detail`: `{}`)",
            says::NO_CONVERSATION
        ),
    );
    describe(
        &mut doc,
        "/api/ai/maintenance_suggestions/",
        "post",
        "For any vehicle (not stored). The model's numbered list, or the offline intervals by \
         mileage and age. Counts one message of the month's allowance."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/ai/maintenance_suggestions/",
        "post",
        "400",
        format!(
            "`error`, in this order: `{}` (`vehicleInfo` absent or not an object), `{}<keys>` \
             (make, model, year, mileage not given, e.g. `{}model, year, mileage`), `{}year` or \
             `{}mileage`. {unparsed}",
            says::VEHICLE_REQUIRED,
            says::MISSING,
            says::MISSING,
            says::INVALID_FIELD,
            says::INVALID_FIELD
        ),
    );
    describe(
        &mut doc,
        "/api/ai/diagnostic/",
        "post",
        "Premium only (the plan's `ai_diagnostic`), checked before the body. The model's JSON \
         answer read as spec 13.2.10 says, or the offline rules over the symptoms' keywords \
         and fault codes. Counts one message of the month's allowance."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/ai/diagnostic/",
        "post",
        "400",
        format!(
            "`error`, in this order: `{}` (`symptoms` absent, blank or not a text, or \
             `vehicleInfo` absent or not an object), `{}{CONTENT_MAX} caractères`, `{}<keys>` \
             (make, model, year not given), `{}year` (not a whole number from 0 to {WHOLE_MAX}). \
             {unparsed}",
            says::SYMPTOMS_REQUIRED,
            says::SYMPTOMS_TOO_LONG,
            says::MISSING_VEHICLE,
            says::INVALID_FIELD
        ),
    );
    describe(
        &mut doc,
        "/api/ai/maintenance_ask/",
        "post",
        "The answer of the model (with the caller's data, as `chat/`) or of the offline \
         assistant; nothing is stored. Counts one message of the month's allowance."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/ai/maintenance_ask/",
        "post",
        "400",
        format!(
            "`error`, in this order: `{}` (`question` absent, blank or not a text, or \
             `vehicleInfo` absent or not an object), `{}{CONTENT_MAX} caractères`, `{}<keys>` \
             (make, model, year not given), `{}year` (not a whole number from 0 to \
             {WHOLE_MAX}), then `history` as `chat/` checks it (`{}...`). {unparsed}",
            says::QUESTION_REQUIRED,
            says::QUESTION_TOO_LONG,
            says::MISSING_VEHICLE,
            says::INVALID_FIELD,
            says::HISTORY_INVALID.trim_end()
        ),
    );
    doc
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    })
}

fn operation<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc
        .paths
        .paths
        .get_mut(path)
        .unwrap_or_else(|| panic!("{path} is documented"));
    let op = match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    };
    op.unwrap_or_else(|| panic!("{method} {path} is documented"))
}

fn set_parameters(doc: &mut utoipa::openapi::OpenApi, path: &str, params: Value) {
    let params: Vec<utoipa::openapi::path::Parameter> =
        serde_json::from_value(params).expect("valid parameters");
    let op = operation(doc, path, "get");
    op.parameters.get_or_insert_with(Vec::new).extend(params);
}

fn describe(doc: &mut utoipa::openapi::OpenApi, path: &str, method: &str, text: String) {
    operation(doc, path, method).description = Some(text);
}

/// Sets the description of a response the operation declares.
fn set_response(
    doc: &mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
    status: &str,
    text: String,
) {
    let responses = &mut operation(doc, path, method).responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => response.description = text,
        _ => panic!("{method} {path} declares its {status}"),
    }
}

/// The reference's paths (the router's `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    (
        "/api/ai/conversations/",
        "/api/conversations/",
        &["get", "post"],
    ),
    (
        "/api/ai/conversations/recent/",
        "/api/conversations/recent/",
        &["get"],
    ),
    (
        "/api/ai/conversations/stats/",
        "/api/conversations/stats/",
        &["get"],
    ),
    (
        "/api/ai/conversations/{id}/",
        "/api/conversations/{id}/",
        &["get", "put", "patch", "delete"],
    ),
    (
        "/api/ai/conversations/{id}/messages/",
        "/api/conversations/{id}/messages/",
        &["get"],
    ),
    ("/api/ai/messages/", "/api/messages/", &["get", "post"]),
    ("/api/ai/messages/{id}/", "/api/messages/{id}/", &["get"]),
    (
        "/api/ai/conversations/{id}/send_message/",
        "/api/conversations/{id}/send_message/",
        &["post"],
    ),
    ("/api/ai/chat/", "/api/assistant/chat/", &["post"]),
    (
        "/api/ai/maintenance_suggestions/",
        "/api/assistant/maintenance_suggestions/",
        &["post"],
    ),
    (
        "/api/ai/diagnostic/",
        "/api/assistant/diagnostic/",
        &["post"],
    ),
    (
        "/api/ai/maintenance_ask/",
        "/api/assistant/maintenance_ask/",
        &["post"],
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use shared::domain::assistant::{Conversation, Message, ROLES, ROLE_USER};

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    fn schemas() -> Value {
        doc()["components"]["schemas"].clone()
    }

    /// The names of an object's members, sorted.
    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    }

    fn properties(schema: &Value) -> Vec<String> {
        keys(&schema["properties"])
    }

    fn required(schema: &Value) -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 12);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 17);
        // Every path the router declares is documented, or an alias.
        let source = include_str!("lib.rs");
        let declared: Vec<String> = source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.starts_with("/api/"))
            .map(|literal| format!("{literal}/"))
            .collect();
        for path in &declared {
            let alias = super::ALIASES.iter().any(|(_, a, _)| a == path);
            assert!(paths.contains_key(path) != alias, "{path}");
        }
        assert_eq!(declared.len(), paths.len() + super::ALIASES.len());
        for (seed, path, methods) in super::ALIASES {
            assert!(!paths.contains_key(*path), "{path} is an alias");
            assert_eq!(
                methods.len(),
                paths[*seed].as_object().unwrap().len(),
                "{path}: every method of {seed}"
            );
            for method in *methods {
                assert!(paths[*seed].get(*method).is_some(), "{method} {seed}");
            }
        }
        for name in keys(&doc["components"]["schemas"]) {
            assert!(
                name.starts_with("Assistant") || name.starts_with("Conversation"),
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        // Every operation reads a token (the default rule).
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                assert!(op.get("security").is_none(), "{method} {path}");
            }
        }
    }

    /// The representations' fields are the ones `to_json` and the handlers
    /// write, all of them required (a field is always there, null or not).
    #[test]
    fn the_representations_have_the_written_fields() {
        let schemas = schemas();
        let conversation = Conversation::new("u", None);
        let message = Message::new("u", &conversation.id, ROLE_USER, "hi".into());
        let value = conversation.to_json(std::slice::from_ref(&message));
        assert_eq!(properties(&schemas["Conversation"]), keys(&value));
        assert_eq!(required(&schemas["Conversation"]), keys(&value));
        let value = message.to_json();
        assert_eq!(properties(&schemas["AssistantMessage"]), keys(&value));
        assert_eq!(required(&schemas["AssistantMessage"]), keys(&value));
        assert_eq!(
            schemas["AssistantMessage"]["properties"]["role"]["enum"],
            json!(ROLES)
        );
        // What the handlers add, by name in their sources.
        let chat = include_str!("chat.rs");
        let sent = &schemas["AssistantSent"];
        assert_eq!(properties(sent), required(sent));
        for field in ["assistant_message", "offline", "messages_count"] {
            assert!(chat.contains(&format!("shown[\"{field}\"]")), "{field}");
        }
        let answer = &schemas["AssistantChatAnswer"];
        assert_eq!(properties(answer), required(answer));
        for field in properties(answer) {
            assert!(chat.contains(&format!("\"{field}\": ")), "{field}");
        }
        let actions = include_str!("actions.rs");
        for name in ["AssistantSuggestions", "AssistantAnswer"] {
            let schema = &schemas[name];
            assert_eq!(properties(schema), required(schema));
            for field in properties(schema) {
                assert!(actions.contains(&format!("\"{field}\": ")), "{field}");
            }
        }
        let engine = include_str!("engine/mod.rs");
        for field in properties(&schemas["AssistantDiagnostic"]) {
            assert!(engine.contains(&format!("\"{field}\": ")), "{field}");
        }
        let stats = include_str!("conversations.rs");
        for field in properties(&schemas["ConversationStats"]) {
            assert!(stats.contains(&format!("\"{field}\": ")), "{field}");
        }
        assert!(stats.contains(&format!(
            "const LISTED_MESSAGES: usize = {};",
            super::LISTED_MESSAGES
        )));
    }

    /// Every message the descriptions quote is one the handlers answer.
    #[test]
    fn the_quoted_messages_are_the_handlers() {
        use super::says::*;
        let sources = [
            include_str!("chat.rs"),
            include_str!("actions.rs"),
            include_str!("quota.rs"),
            include_str!("messages.rs"),
            include_str!("conversations.rs"),
            include_str!("../../../shared/src/domain/assistant.rs"),
            include_str!("../../../shared/src/store/assistant.rs"),
            include_str!("../../../shared/src/http/validate.rs"),
            include_str!("../../../shared/src/http/response.rs"),
        ]
        .concat();
        for message in [
            MESSAGE_REQUIRED,
            MESSAGE_TOO_LONG,
            HISTORY_INVALID,
            HISTORY_NOT_A_LIST,
            HISTORY_TURNS,
            HISTORY_ROLES,
            HISTORY_CONTENT,
            HISTORY_CHARS,
            NOT_AN_ID,
            VEHICLE_REQUIRED,
            MISSING,
            INVALID_FIELD,
            SYMPTOMS_REQUIRED,
            SYMPTOMS_TOO_LONG,
            MISSING_VEHICLE,
            QUESTION_REQUIRED,
            QUESTION_TOO_LONG,
            STANDARD_REQUIRED,
            PREMIUM_REQUIRED,
            FOREIGN_CONVERSATION,
            RENAMED_MEANWHILE,
            RECENT_BOUNDS,
            INVALID_INTEGER,
            CONVERSATIONS_REACHED,
            MESSAGES_REACHED,
            "No {model} matches the given query.",
            "Error::NotFound(Some(\"Conversation\"))",
            "Error::NotFound(Some(\"Message\"))",
        ] {
            assert!(sources.contains(message), "{message}");
        }
        assert!(NO_CONVERSATION.starts_with("No Conversation "));
        assert!(NO_MESSAGE.starts_with("No Message "));
        // The bounds quoted after the messages.
        assert!(sources.contains("{CONTENT_MAX} caractères"));
        assert!(sources.contains("{CLIENT_HISTORY_TURNS} messages au plus"));
        assert!(sources.contains("{CLIENT_HISTORY_CHARS} caractères au plus"));
        assert!(sources.contains("between 1 and {RECENT_MAX}."));
        assert!(sources.contains("{MAX_CONVERSATIONS_PER_USER} conversations: delete older ones."));
        assert!(sources.contains("{MAX_MESSAGES_PER_CONVERSATION} messages: start a new one."));
        let actions = include_str!("actions.rs");
        assert!(actions.contains("*v <= 10_000_000.0"));
        assert_eq!(super::WHOLE_MAX, 10_000_000);
        assert!(actions.contains("Champ invalide: {key}"));
        // The body fields the handlers read.
        for field in [
            "\"message\"",
            "\"history\"",
            "\"conversation_id\"",
            "\"vehicleInfo\"",
            "\"symptoms\"",
            "\"question\"",
            "\"content\"",
            "\"conversation\"",
            "\"title\"",
            "\"limit\"",
            "\"role\"",
        ] {
            assert!(sources.contains(field), "{field}");
        }
        assert!(include_str!("messages.rs").contains("required_text(\"conversation\", 64)"));
        assert_eq!(super::ID_MAX, 64);
    }

    /// The used-up 403 is the shared `PlanLimit` with `limit_detail`, as
    /// `quota::exhausted` writes it.
    #[test]
    fn the_used_up_answer_is_the_plan_limit_with_its_detail() {
        let schemas = schemas();
        let limit = &schemas["AssistantPlanLimit"]["allOf"];
        assert_eq!(limit[0]["$ref"], "#/components/schemas/PlanLimit");
        assert_eq!(limit[1]["properties"]["limit_detail"]["type"], "string");
        let now = shared::time::now();
        let user = shared::domain::users::User::new(
            "a@example.com",
            "A".into(),
            "B".into(),
            "x".into(),
            now,
        );
        let shared::Error::Body { status, body } = crate::quota::exhausted(&user) else {
            panic!("a body");
        };
        assert_eq!(status, 403);
        assert_eq!(body["detail"], super::says::STANDARD_REQUIRED);
        assert_eq!(body["limit"], "assistant_messages_per_month");
        assert!(body["limit_detail"].as_str().is_some_and(
            |d| d.starts_with("Assistant messages per month: your plan (Free) allows 20.")
        ));
    }

    /// The `whole` pattern takes what `actions::whole` takes.
    #[test]
    fn the_whole_pattern_is_the_handlers() {
        let schema = super::whole_in("x");
        let pattern = schema["anyOf"][1]["pattern"].as_str().unwrap();
        assert!(pattern.contains("10000000"));
        for accepted in [
            "0",
            "2019",
            " 150000 ",
            "+5",
            "5.",
            ".5",
            "9999999.9",
            "10000000",
            "-0",
            "-0.0",
        ] {
            let v = accepted.trim().parse::<f64>().unwrap();
            assert!(
                v.is_finite() && (0.0..=10_000_000.0).contains(&v),
                "{accepted}"
            );
        }
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = doc();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    seen += 1;
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
        // 4 query parameters, and `id` on 7 operations.
        assert_eq!(seen, 11);
    }
}
