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
use ferrochat_wire::error_code::KINDS;
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
        (name = "devices", description = "Push tokens of a user's sessions"),
        (name = "conversations", description = "Conversations and their flags"),
        (name = "messages", description = "Sending, history, search, unread"),
        (name = "groups", description = "Groups and their members"),
        (name = "friends", description = "Friend requests, friends and blocks"),
        (name = "moderation", description = "Reports, and the admin API"),
        (name = "attachments", description = "Files, images, voice and video: upload, download"),
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
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            qualify_operation_id(op);
        }
    }
    doc
}

/// Handlers are named within their area (`list`, `search`): the
/// operation id is `tag_handler`, unique across the document.
fn qualify_operation_id(op: &mut utoipa::openapi::path::Operation) {
    let tag = op.tags.as_ref().and_then(|t| t.first()).cloned();
    if let (Some(tag), Some(id)) = (tag, op.operation_id.as_mut()) {
        *id = format!("{tag}_{id}");
    }
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
        // anyOf: a server's `sync` frame also reads as a client's.
        "anyOf": [{"$ref": "#/$defs/ClientFrame"}, {"$ref": "#/$defs/ServerFrame"}],
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const CONTRACT: &str = include_str!("../../../docs/protocol.md");
    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

    fn doc() -> Value {
        openapi_value()
    }

    /// `(METHOD, path)` with path parameters as `{}`, so `{id}` and
    /// `{user_id}` compare equal.
    fn route(method: &str, path: &str) -> (String, String) {
        let mut out = String::new();
        let mut in_param = false;
        for c in path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push_str("{}");
                }
                '}' => in_param = false,
                c if !in_param => out.push(c),
                _ => {}
            }
        }
        (method.to_ascii_uppercase(), out)
    }

    fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
        let mut routes = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in METHODS {
                if item.get(method).is_some() {
                    routes.insert(route(method, path));
                }
            }
        }
        routes
    }

    /// Every `METHOD /path` docs/protocol.md names (`/reject` after
    /// `…/accept, ` is a sibling of the path before it).
    fn contract_routes(text: &str) -> BTreeSet<(String, String)> {
        let mut routes = BTreeSet::new();
        let path_char = |c: char| c.is_ascii_alphanumeric() || "/{}_.-".contains(c);
        for method in METHODS {
            let upper = method.to_ascii_uppercase();
            for (at, _) in text.match_indices(&format!("{upper} /")) {
                let rest = text.get(at + upper.len() + 1..).unwrap_or("");
                let len = rest.find(|c| !path_char(c)).unwrap_or(rest.len());
                let path = rest.get(..len).unwrap_or("").trim_end_matches(['.', '-']);
                routes.insert(route(method, path));
                let after = rest.get(len..).unwrap_or("");
                if let Some(sibling) = after.strip_prefix(", /") {
                    let n = sibling.find(|c| !path_char(c)).unwrap_or(sibling.len());
                    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
                    let name = sibling.get(..n).unwrap_or("");
                    routes.insert(route(method, &format!("{parent}/{name}")));
                }
            }
        }
        routes
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    ops.push((method.to_owned(), path.clone(), op));
                }
            }
        }
        ops
    }

    #[test]
    fn the_document_is_openapi_3_1_with_a_bearer_scheme() {
        let doc = doc();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "ferrochat");
        let bearer = &doc["components"]["securitySchemes"]["bearer"];
        assert_eq!(bearer["type"], "http");
        assert_eq!(bearer["scheme"], "bearer");
        assert_eq!(bearer["bearerFormat"], "JWT");
        // What a generic OpenAPI reader needs of it parses.
        let parsed: Document = serde_json::from_value(doc.clone()).expect("parses as OpenAPI");
        assert!(
            parsed.paths.paths.len() > 40,
            "{}",
            parsed.paths.paths.len()
        );
    }

    #[test]
    fn every_operation_is_described_and_answers_1004() {
        let doc = doc();
        for (method, path, op) in operations(&doc) {
            let text = |k: &str| op[k].as_str().unwrap_or("").trim().to_owned();
            assert!(!text("summary").is_empty(), "{method} {path}: no summary");
            assert!(
                !text("description").is_empty(),
                "{method} {path}: no description"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path}: no tag"
            );
            let responses = op["responses"].as_object().expect("responses");
            // A route a browser navigates to succeeds with a redirect.
            let success = responses
                .keys()
                .any(|s| s.starts_with('2') || s.starts_with('3') || s == "101");
            assert!(success, "{method} {path}: no success answer");
            let api = path.starts_with("/api/v1/") || path == "/ws";
            if api {
                for (status, code) in [("500", "E1004"), ("429", "E1007"), ("503", "E1009")] {
                    let reference = &responses.get(status).unwrap_or(&Value::Null)["$ref"];
                    assert_eq!(
                        reference,
                        &json!(format!("#/components/responses/{code}")),
                        "{method} {path}: no {code}"
                    );
                }
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "408", "413"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: a body but no {status}"
                    );
                }
            }
            // The only /api routes that take no access token.
            let open = [
                "/api/v1/users/register",
                "/api/v1/auth/login",
                "/api/v1/auth/password/reset",
                "/api/v1/auth/refresh",
                "/api/v1/auth/oidc",
                "/api/v1/auth/oidc/start",
                "/api/v1/auth/oidc/callback",
            ];
            if path.starts_with("/api/v1/") && !open.contains(&path.as_str()) {
                assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
                assert!(responses.contains_key("401"), "{method} {path}: no 1002");
            }
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = doc();
        let mut seen = BTreeSet::new();
        for (method, path, op) in operations(&doc) {
            let id = op["operationId"].as_str().unwrap_or("").to_owned();
            assert!(!id.is_empty(), "{method} {path}: no operationId");
            assert!(seen.insert(id.clone()), "{method} {path}: {id} twice");
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(v: &Value, doc: &Value, found: &mut usize) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        let pointer = r.strip_prefix('#').expect("local reference");
                        assert!(doc.pointer(pointer).is_some(), "{r} resolves to nothing");
                        *found += 1;
                    }
                    map.values().for_each(|v| walk(v, doc, found));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, doc, found)),
                _ => {}
            }
        }
        for doc in [doc(), ws_frames()] {
            let mut found = 0;
            walk(&doc, &doc, &mut found);
            assert!(found > 20, "{found}");
        }
    }

    /// docs/protocol.md's "Error codes" table: each code with its status,
    /// as a response in the document's components.
    #[test]
    fn every_contract_error_code_is_a_component() {
        let doc = doc();
        let responses = doc["components"]["responses"]
            .as_object()
            .expect("responses");
        let table = CONTRACT
            .split("## Error codes")
            .nth(1)
            .and_then(|t| t.split("\n## ").next())
            .expect("the error codes table");
        let mut codes = 0;
        for row in table.lines().filter(|l| l.starts_with("| 10")) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let code: u32 = cells[1].parse().expect("code");
            let status = cells[2].split_whitespace().next().expect("status");
            let found = responses.values().any(|r| {
                let content = &r["content"]["application/json"];
                content["schema"]["allOf"][1]["properties"]["code"]["enum"] == json!([code])
                    && content["example"]["code"] == json!(code)
                    && r["description"]
                        .as_str()
                        .is_some_and(|d| d.starts_with(&format!("{code} (HTTP {status})")))
            });
            assert!(found, "{code} (HTTP {status}) is in no component response");
            codes += 1;
        }
        assert_eq!(codes, 9, "rows read from the contract's table");
        assert_eq!(responses.len(), KINDS.len());
    }

    /// The router is built from the descriptions (`routes!`), so a route
    /// is documented or not served; this holds the document to the prose
    /// contract both ways.
    #[test]
    fn the_documented_routes_are_the_contracts() {
        let documented = documented_routes(&doc());
        let contract = contract_routes(CONTRACT);
        let undocumented: Vec<_> = contract.difference(&documented).collect();
        assert!(
            undocumented.is_empty(),
            "in docs/protocol.md, not in the document: {undocumented:?}"
        );
        let unwritten: Vec<_> = documented.difference(&contract).collect();
        assert!(
            unwritten.is_empty(),
            "in the document, not in docs/protocol.md: {unwritten:?}"
        );
    }

    #[test]
    fn the_contract_reader_finds_routes() {
        let found = contract_routes(
            "| POST /api/v1/friends/requests/{id}/accept, /reject | x |\n`GET /ws?token=<t>` and GET /health, GET /live.",
        );
        let want: BTreeSet<_> = [
            route("post", "/api/v1/friends/requests/{id}/accept"),
            route("post", "/api/v1/friends/requests/{x}/reject"),
            route("get", "/ws"),
            route("get", "/health"),
            route("get", "/live"),
        ]
        .into();
        assert_eq!(found, want);
    }

    #[test]
    fn every_frame_type_the_decoder_takes_is_in_the_schema() {
        let schema = ws_frames();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let types = |def: &str| -> BTreeSet<String> {
            schema["$defs"][def]["oneOf"]
                .as_array()
                .expect("oneOf")
                .iter()
                .flat_map(|branch| {
                    let t = &branch["properties"]["type"];
                    let names = match t.get("const") {
                        Some(one) => vec![one.clone()],
                        None => t["enum"].as_array().cloned().unwrap_or_default(),
                    };
                    assert!(branch["properties"]["data"].is_object(), "{t}: no data");
                    names
                        .into_iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                })
                .collect()
        };
        let client = types("ClientFrame");
        for kind in ClientKind::ALL {
            for name in std::iter::once(&kind.name()).chain(kind.aliases()) {
                assert!(
                    client.contains(*name),
                    "client frame {name} not in the schema"
                );
                assert_eq!(ClientKind::parse(name), Some(*kind));
            }
        }
        // Nothing in the schema that the decoder refuses.
        for name in &client {
            assert!(ClientKind::parse(name).is_some(), "{name} is not decoded");
        }
        let server = types("ServerFrame");
        let sent: BTreeSet<String> = ServerKind::ALL
            .iter()
            .map(|k| k.name().to_owned())
            .collect();
        assert_eq!(server, sent);
        assert_eq!(
            schema["$defs"]["ClientFrame"]["oneOf"][0]["properties"]["data"]["$ref"],
            "#/$defs/SendMessageBody"
        );
    }
}
