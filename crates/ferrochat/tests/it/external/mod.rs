//! `[auth.external]`: access tokens the deployment's own app signs, used
//! as ferrochat's own are (HTTP Bearer, WebSocket `?token=`), mapped to
//! one account per subject made on first sight, refused with 1002 when
//! anything about them is wrong.

mod accounts;
mod keys;
mod published_keys;
mod shared_secret;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::{spawn_app_with, TestApp};

pub const ISSUER: &str = "https://app.example.test";
pub const AUDIENCE: &str = "ferrochat-test";
pub const SECRET: &str = "the app's HS256 secret, 32+ characters long";

pub fn now() -> i64 {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(d.as_secs()).unwrap()
}

/// Claims a valid token for `sub` carries: ours, for us, a few minutes
/// long, and unique (`jti`), so each call is a distinct token.
pub fn claims(sub: &str) -> Value {
    static N: AtomicUsize = AtomicUsize::new(0);
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "iat": now(),
        "exp": now() + 300,
        "jti": format!("t{}", N.fetch_add(1, Ordering::Relaxed)),
    })
}

pub fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

pub fn hs256(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        None,
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
}

pub fn rsa_a() -> EncodingKey {
    EncodingKey::from_rsa_der(&STANDARD.decode(keys::RSA_A_PRIVATE_PKCS1_DER).unwrap())
}

pub fn rsa_b() -> EncodingKey {
    EncodingKey::from_rsa_der(&STANDARD.decode(keys::RSA_B_PRIVATE_PKCS1_DER).unwrap())
}

pub fn ec() -> EncodingKey {
    EncodingKey::from_ec_der(&STANDARD.decode(keys::EC_PRIVATE_PKCS8_DER).unwrap())
}

/// A token with `alg: none` and no signature, as an attacker writes one.
pub fn unsigned(kid: Option<&str>, claims: &Value) -> String {
    let header = match kid {
        Some(k) => json!({"alg": "none", "typ": "JWT", "kid": k}),
        None => json!({"alg": "none", "typ": "JWT"}),
    };
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.", part(&header), part(claims))
}

/// An app with `[auth.external]` trusting the shared secret.
pub async fn app_with_secret() -> TestApp {
    spawn_app_with(|c| {
        c.auth.external.issuer = Some(ISSUER.to_owned());
        c.auth.external.audience = Some(AUDIENCE.to_owned());
        c.auth.external.hs256_secret = Some(SECRET.to_owned());
    })
    .await
}

/// The issuer's key set, served on 127.0.0.1:0 as an app would publish
/// it; it can be changed under a running server, and counts its fetches.
pub struct KeySet {
    pub url: String,
    keys: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

impl KeySet {
    pub async fn serve(keys: Value) -> Self {
        let held = Arc::new(Mutex::new(keys));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (h, f) = (held.clone(), fetches.clone());
        let app = Router::new().route(
            "/jwks.json",
            get(move || {
                let (h, f) = (h.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    axum::Json(h.lock().unwrap().clone())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            keys: held,
            fetches,
        }
    }

    pub fn publish(&self, keys: Value) {
        *self.keys.lock().unwrap() = keys;
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

pub fn rsa_jwk(kid: &str, n: &str, e: &str) -> Value {
    json!({"kty": "RSA", "use": "sig", "kid": kid, "n": n, "e": e})
}

pub fn ec_jwk(kid: &str) -> Value {
    json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": keys::EC_X, "y": keys::EC_Y})
}

/// The user a token is, as the API says.
pub async fn whoami(app: &TestApp, token: &str) -> Value {
    app.profile(token).await.ok().clone()
}
