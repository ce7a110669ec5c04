//! The machine-readable contract, built from the code: the OpenAPI 3.1
//! document of every HTTP route (`GET /api/openapi.json`) and the JSON
//! Schema of the WebSocket frames (`GET /api/ws-frames.schema.json`).
//!
//! Each route's description sits on its handler (`#[utoipa::path]`) and
//! the route is registered from it (`utoipa_axum::routes!`), so a route
//! and its description cannot part. This module holds what they share:
//! the envelope, the error responses (one per contract code, from
//! `ferrochat_wire::code`), the bearer scheme, and the two served
//! documents, each serialised once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use ferrochat_domain::ErrorKind;
use ferrochat_wire::ErrorBody;
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, OpenApi as Document, RefOr, Response, ResponseBuilder, Type,
};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use ferrochat_wire::frame::{ClientKind, ServerKind};
use ferrochat_wire::messaging::{
    AckDto, DeleteMessagesBody, DeletedDto, EditMessageBody, ForwardBody, ForwardedDto, MessageDto,
    PinBody, ReactBody, ReadBody, ReadReceiptDto, RecallMessageBody, SendMessageBody, SyncBody,
    SyncDto, TypingBody, TypingDto, UnpinBody, UnreactBody,
};
use ferrochat_wire::social::{FriendRequestDto, GroupInvitedDto, PresenceDto};

pub(crate) const WS_SCHEMA_PATH: &str = "/api/ws-frames.schema.json";

/// The success envelope: `{"code":0,"message":"ok","data":…}`.
#[derive(ToSchema)]
#[allow(dead_code)] // describes JSON; never built
pub(crate) struct Envelope<T> {
    /// Always 0 on success.
    #[schema(minimum = 0, maximum = 0)]
    code: u32,
    /// Always `"ok"` on success.
    #[schema(example = "ok")]
    message: String,
    data: T,
}

/// `/health` and `/live`: the process serves.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Status {
    #[schema(example = "ok")]
    status: String,
}

/// One dependency's state in `/ready`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Check {
    name: String,
    /// `ok` or `unavailable`.
    status: String,
    reason: Option<String>,
    required: bool,
}

/// `/ready`: every dependency, and the first failing one's reason.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Readiness {
    /// `ok` or `unavailable`.
    status: String,
    reason: Option<String>,
    checks: Vec<Check>,
}

/// Every error kind, each once: the document has one response per kind.
/// The match makes a new kind fail to compile here until it is added.
const KINDS: [ErrorKind; 10] = [
    ErrorKind::InvalidParams,
    ErrorKind::RequestTimeout,
    ErrorKind::Unauthorized,
    ErrorKind::NotFound,
    ErrorKind::Internal,
    ErrorKind::Forbidden,
    ErrorKind::Conflict,
    ErrorKind::RateLimited,
    ErrorKind::TooLarge,
    ErrorKind::Unavailable,
];

/// The component name of a kind's error response, and what it means.
fn error_name(kind: ErrorKind) -> (&'static str, &'static str) {
    match kind {
        ErrorKind::InvalidParams => ("E1001", "invalid parameters (the message names the field)"),
        ErrorKind::RequestTimeout => ("E1001Stalled", "invalid parameters: the request body did not arrive whole in time"),
        ErrorKind::Unauthorized => ("E1002", "unauthorized: missing, invalid or expired token, or wrong credentials"),
        ErrorKind::NotFound => ("E1003", "not found"),
        ErrorKind::Internal => ("E1004", "internal error"),
        ErrorKind::Forbidden => ("E1005", "forbidden"),
        ErrorKind::Conflict => ("E1006", "conflict"),
        ErrorKind::RateLimited => ("E1007", "rate limited: slow down; `retry_after_ms` and a `Retry-After` header when the wait is known"),
        ErrorKind::TooLarge => ("E1008", "too large"),
        ErrorKind::Unavailable => ("E1009", "unavailable: retry after a pause (a send with the same `client_msg_id`)"),
    }
}

fn error_response(kind: ErrorKind) -> Response {
    let (code, status) = ferrochat_wire::code(kind);
    let (_, meaning) = error_name(kind);
    let code_only = ObjectBuilder::new()
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some([code])),
        )
        .required("code");
    let schema = utoipa::openapi::schema::AllOfBuilder::new()
        .item(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            ErrorBody::name(),
        )))
        .item(code_only);
    ResponseBuilder::new()
        .description(format!("{code} (HTTP {status}): {meaning}"))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema))
                .example(Some(json!({"code": code, "message": meaning})))
                .build(),
        )
        .build()
}

/// A route's error answers, listed per route in `responses(...)`: each
/// one is a reference to the kind's response in `components.responses`.
macro_rules! error_responses {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        #[doc = concat!("The error answer of `ErrorKind::", stringify!($kind), "`.")]
        pub(crate) struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let kind = ErrorKind::$kind;
                let (_, status) = ferrochat_wire::code(kind);
                let (name, _) = error_name(kind);
                BTreeMap::from([(
                    status.to_string(),
                    RefOr::Ref(utoipa::openapi::Ref::from_response_name(name)),
                )])
            }
        }
    )*};
}

error_responses! {
    E1001 => InvalidParams,
    E1001Stalled => RequestTimeout,
    E1002 => Unauthorized,
    E1003 => NotFound,
    E1004 => Internal,
    E1005 => Forbidden,
    E1006 => Conflict,
    E1007 => RateLimited,
    E1008 => TooLarge,
    E1009 => Unavailable,
}

struct Components;

impl Modify for Components {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The access token of `POST /api/v1/auth/login` or `/refresh`.",
                    ))
                    .build(),
            ),
        );
        for kind in KINDS {
            let (name, _) = error_name(kind);
            components
                .responses
                .insert(name.to_owned(), RefOr::T(error_response(kind)));
        }
        components
            .schemas
            .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ferrochat",
        description = "ferrochat's HTTP API. Every answer is an envelope: \
            `{\"code\":0,\"message\":\"ok\",\"data\":…}` on success, \
            `{\"code\":N,\"message\":\"…\"}` on error (see the `E1001`… responses). \
            The WebSocket frames at `GET /ws` are described as JSON Schema at \
            `/api/ws-frames.schema.json`. The prose contract is docs/protocol.md.",
        license(name = "MIT OR Apache-2.0"),
    ),
    modifiers(&Components),
    tags(
        (name = "accounts", description = "Register, log in, tokens, profiles, the directory"),
        (name = "sessions", description = "A user's sessions, password and account"),
        (name = "conversations", description = "Conversations and their flags"),
        (name = "messages", description = "Sending, history, search, unread"),
        (name = "groups", description = "Groups and their members"),
        (name = "friends", description = "Friend requests, friends and blocks"),
        (name = "realtime", description = "The WebSocket"),
        (name = "operations", description = "Health, readiness, metrics, these documents"),
    )
)]
struct Base;

/// The two documents' routes: unauthenticated, not rate limited.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(ws_frames_schema))
}

/// The whole document: the base and every route's description.
pub(crate) fn document() -> Document {
    let mut doc = Base::openapi();
    doc.merge(crate::http::documented().into_openapi());
    doc
}

fn cached(cell: &'static OnceLock<Bytes>, build: fn() -> Value) -> Bytes {
    cell.get_or_init(|| {
        // A serde_json::Value always serialises.
        Bytes::from(serde_json::to_vec(&build()).unwrap_or_default())
    })
    .clone()
}

fn openapi_value() -> Value {
    serde_json::to_value(document()).unwrap_or(Value::Null)
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    summary = "The OpenAPI 3.1 document of the HTTP API",
    description = "Built from the code once per process. Not rate limited.",
    responses(
        (status = 200, description = "The document", content_type = "application/json", body = Object),
        E1009,
    )
)]
async fn openapi_json() -> impl IntoResponse {
    static DOC: OnceLock<Bytes> = OnceLock::new();
    (
        [(header::CONTENT_TYPE, "application/json")],
        cached(&DOC, openapi_value),
    )
}

/// The WebSocket frames' JSON Schema.
#[utoipa::path(
    get,
    path = "/api/ws-frames.schema.json",
    tag = "operations",
    summary = "The JSON Schema (2020-12) of the WebSocket frames",
    description = "Every frame a client may send (`ClientFrame`) and every frame the \
        server sends (`ServerFrame`) on `GET /ws`, each `{\"type\",\"id\"?,\"data\"}`. \
        Not rate limited.",
    responses(
        (status = 200, description = "The schema", content_type = "application/schema+json", body = Object),
        E1009,
    )
)]
async fn ws_frames_schema() -> impl IntoResponse {
    static DOC: OnceLock<Bytes> = OnceLock::new();
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        cached(&DOC, ws_frames),
    )
}

/// The schemas a frame's `data` can name, collected with everything they
/// refer to.
struct Defs(Vec<(String, RefOr<utoipa::openapi::schema::Schema>)>);

impl Defs {
    fn data<T: ToSchema>(&mut self) -> Value {
        self.0.push((T::name().into_owned(), T::schema()));
        T::schemas(&mut self.0);
        json!({ "$ref": format!("#/$defs/{}", T::name()) })
    }
}

fn frame(kind: &str, aliases: &[&str], description: &str, data: Value) -> Value {
    let names: Vec<&str> = std::iter::once(kind)
        .chain(aliases.iter().copied())
        .collect();
    let kind_schema = match names.as_slice() {
        [one] => json!({ "const": one }),
        many => json!({ "enum": many }),
    };
    json!({
        "title": kind,
        "description": description,
        "type": "object",
        "properties": {
            "type": kind_schema,
            "id": {"type": "string", "description": "Correlation id; replies echo it."},
            "data": data,
        },
        "required": ["type"],
    })
}

/// The WebSocket frames' JSON Schema: `$defs` holds `ClientFrame` and
/// `ServerFrame` (one branch per frame type) and every DTO they use.
pub(crate) fn ws_frames() -> Value {
    let mut defs = Defs(Vec::new());
    let client: Vec<Value> = ClientKind::ALL
        .iter()
        .map(|k| {
            let data = client_data(*k, &mut defs);
            frame(k.name(), k.aliases(), k.description(), data)
        })
        .collect();
    let server: Vec<Value> = ServerKind::ALL
        .iter()
        .map(|k| {
            let data = server_data(*k, &mut defs);
            frame(k.name(), &[], k.description(), data)
        })
        .collect();
    let mut all = Map::new();
    for (name, schema) in defs.0 {
        let mut v = serde_json::to_value(schema).unwrap_or(Value::Null);
        to_defs(&mut v);
        all.insert(name, v);
    }
    all.insert("ClientFrame".into(), json!({ "oneOf": client }));
    all.insert("ServerFrame".into(), json!({ "oneOf": server }));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": WS_SCHEMA_PATH,
        "title": "ferrochat WebSocket frames",
        "description": "Text frames on GET /ws, one JSON object each: \
            {\"type\", \"id\"?, \"data\"}. Replies echo `id`. See docs/protocol.md, \"WebSocket\".",
        "oneOf": [{"$ref": "#/$defs/ClientFrame"}, {"$ref": "#/$defs/ServerFrame"}],
        "$defs": all,
    })
}

/// OpenAPI's `#/components/schemas/X` references become `#/$defs/X`.
fn to_defs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(s) if key == "$ref" => {
                        if let Some(name) = s.strip_prefix("#/components/schemas/") {
                            *s = format!("#/$defs/{name}");
                        }
                    }
                    other => to_defs(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_defs),
        _ => {}
    }
}

/// The `data` of each client frame: a new kind fails to compile here
/// until it is described.
fn client_data(kind: ClientKind, defs: &mut Defs) -> Value {
    match kind {
        ClientKind::SendMessage => defs.data::<SendMessageBody>(),
        ClientKind::EditMessage => defs.data::<EditMessageBody>(),
        ClientKind::RecallMessage => defs.data::<RecallMessageBody>(),
        ClientKind::ReactMessage => defs.data::<ReactBody>(),
        ClientKind::UnreactMessage => defs.data::<UnreactBody>(),
        ClientKind::PinMessage => defs.data::<PinBody>(),
        ClientKind::UnpinMessage => defs.data::<UnpinBody>(),
        ClientKind::ForwardMessages => defs.data::<ForwardBody>(),
        ClientKind::DeleteMessages => defs.data::<DeleteMessagesBody>(),
        ClientKind::Read => defs.data::<ReadBody>(),
        ClientKind::Typing => defs.data::<TypingBody>(),
        ClientKind::Sync => defs.data::<SyncBody>(),
        ClientKind::Ping => json!({"type": "object"}),
        ClientKind::Auth => json!({
            "type": "object",
            "properties": {"token": {"type": "string", "description": "A fresh access token of this connection's session."}},
            "required": ["token"],
        }),
    }
}

/// The `data` of each server frame.
fn server_data(kind: ServerKind, defs: &mut Defs) -> Value {
    match kind {
        ServerKind::SendAck => defs.data::<AckDto>(),
        ServerKind::NewMessage => defs.data::<MessageDto>(),
        ServerKind::ReadReceipt => defs.data::<ReadReceiptDto>(),
        ServerKind::Typing => defs.data::<TypingDto>(),
        ServerKind::Presence => defs.data::<PresenceDto>(),
        ServerKind::FriendRequest | ServerKind::FriendAccepted => defs.data::<FriendRequestDto>(),
        ServerKind::GroupInvited => defs.data::<GroupInvitedDto>(),
        ServerKind::Sync => defs.data::<SyncDto>(),
        ServerKind::Pong => json!({"type": "object"}),
        ServerKind::Forwarded => defs.data::<ForwardedDto>(),
        ServerKind::Deleted => defs.data::<DeletedDto>(),
        ServerKind::Auth => json!({
            "type": "object",
            "properties": {"expires_in": {"type": "integer", "minimum": 0, "description": "Seconds the new token lives."}},
            "required": ["expires_in"],
        }),
        ServerKind::Error => defs.data::<ErrorBody>(),
    }
}
