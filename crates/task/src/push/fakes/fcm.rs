//! A fake FCM: `POST /token` checks the service account's assertion
//! (RS256 with the test key, audience the token URI, the messaging scope)
//! and issues an access token; `POST /v1/projects/demo/messages:send`
//! takes only an issued one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::rsa_key::{PRIVATE_PEM, PUBLIC_DER_B64};

#[derive(Default)]
struct Seen {
    exchanges: u32,
    issued: HashSet<String>,
    /// Every send's body, in arrival order, with its answer's status (0:
    /// never answered).
    sends: Vec<(Value, u16)>,
    busy_answered: HashSet<String>,
}

#[derive(Clone)]
pub struct FakeFcm {
    pub base: String,
    seen: Arc<Mutex<Seen>>,
}

#[derive(Clone)]
struct Ctx {
    seen: Arc<Mutex<Seen>>,
    token_uri: String,
}

impl FakeFcm {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let ctx = Ctx {
            seen: seen.clone(),
            token_uri: format!("{base}/token"),
        };
        let app = Router::new()
            .route("/token", post(token))
            .route("/v1/projects/demo/messages:send", post(send))
            .with_state(ctx);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, seen }
    }

    /// A service-account file naming this fake's token URI.
    pub fn write_account(&self, dir: &Path) -> PathBuf {
        let path = dir.join("service-account.json");
        let account = json!({
            "type": "service_account",
            "project_id": "demo",
            "client_email": "push@demo.iam.gserviceaccount.com",
            "private_key": PRIVATE_PEM,
            "token_uri": format!("{}/token", self.base),
        });
        std::fs::write(&path, account.to_string()).unwrap();
        path
    }

    /// The sends so far: body and status answered.
    pub fn sends(&self) -> Vec<(Value, u16)> {
        self.seen.lock().unwrap().sends.clone()
    }

    pub fn exchanges(&self) -> u32 {
        self.seen.lock().unwrap().exchanges
    }
}

#[derive(Deserialize)]
struct Grant {
    grant_type: String,
    assertion: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    scope: String,
}

async fn token(State(ctx): State<Ctx>, Form(grant): Form<Grant>) -> Response {
    if grant.grant_type != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
        return (StatusCode::BAD_REQUEST, "grant_type").into_response();
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(PUBLIC_DER_B64)
        .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&ctx.token_uri]);
    validation.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
    let checked = jsonwebtoken::decode::<Claims>(
        &grant.assertion,
        &DecodingKey::from_rsa_der(&der),
        &validation,
    );
    match checked {
        Ok(t)
            if t.claims.iss == "push@demo.iam.gserviceaccount.com"
                && t.claims.scope == "https://www.googleapis.com/auth/firebase.messaging" =>
        {
            let mut seen = ctx.seen.lock().unwrap();
            seen.exchanges += 1;
            let access = format!("ya29.fake-{}", seen.exchanges);
            seen.issued.insert(access.clone());
            Json(json!({"access_token": access, "expires_in": 3600, "token_type": "Bearer"}))
                .into_response()
        }
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}

async fn send(State(ctx): State<Ctx>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let answer = answer(&ctx, &headers, body);
    match answer {
        Some(a) => a,
        // Never answers: the caller times out or dies waiting.
        None => std::future::pending().await,
    }
}

/// The answer to a send, recorded; `None` to hang (`hang…` tokens, on
/// their first send).
fn answer(ctx: &Ctx, headers: &HeaderMap, body: Value) -> Option<Response> {
    let mut seen = ctx.seen.lock().unwrap();
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !seen.issued.contains(bearer) {
        seen.sends.push((body, 401));
        let error = Json(json!({"error": {"status": "UNAUTHENTICATED"}}));
        return Some((StatusCode::UNAUTHORIZED, error).into_response());
    }
    let token = body["message"]["token"].as_str().unwrap_or("").to_owned();
    if token.starts_with("hang") && seen.busy_answered.insert(token.clone()) {
        seen.sends.push((body, 0));
        return None;
    }
    let answer = if token.starts_with("dead") {
        let error = json!({"error": {"code": 404, "status": "NOT_FOUND", "message": "Requested entity was not found.",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}});
        (StatusCode::NOT_FOUND, HeaderMap::new(), Json(error))
    } else if token.starts_with("busy") && seen.busy_answered.insert(token.clone()) {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "0".parse().unwrap());
        (
            StatusCode::SERVICE_UNAVAILABLE,
            h,
            Json(json!({"error": {"status": "UNAVAILABLE"}})),
        )
    } else {
        (
            StatusCode::OK,
            HeaderMap::new(),
            Json(json!({"name": "projects/demo/messages/1"})),
        )
    };
    seen.sends.push((body, answer.0.as_u16()));
    Some(answer.into_response())
}
