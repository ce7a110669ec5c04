//! A fake APNs: HTTP/2 only, over TLS with a certificate from a
//! throwaway CA; `POST /3/device/{token}` checks the provider token
//! (ES256 with the test key, `kid`, `iss`) and records the APNs headers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use ferrochat_test_support::TestCa;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rcgen::KeyPair;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

pub const KEY_ID: &str = "KEY1234567";
pub const TEAM_ID: &str = "TEAM123456";

/// One request as received.
#[derive(Debug, Clone)]
pub struct Call {
    pub device: String,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Value,
    pub status: u16,
}

#[derive(Clone)]
pub struct FakeApns {
    pub base: String,
    /// The CA that signed its certificate (PEM file), and the signing
    /// key the provider uses (`.p8`).
    pub ca_file: PathBuf,
    pub key_file: PathBuf,
    calls: Arc<Mutex<Vec<Call>>>,
}

#[derive(Clone)]
struct Ctx {
    calls: Arc<Mutex<Vec<Call>>>,
    /// The provider key's public point (SEC1).
    public: Vec<u8>,
}

impl FakeApns {
    pub async fn start(dir: &std::path::Path) -> Self {
        let ca = TestCa::new("fake apns ca");
        let files = ca.write_server(dir, "apns");
        let signing = KeyPair::generate().unwrap();
        let key_file = dir.join("AuthKey.p8");
        std::fs::write(&key_file, signing.serialize_pem()).unwrap();

        let certs = CertificateDer::pem_file_iter(&files.cert)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(&files.key).unwrap();
        let mut tls = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        tls.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(tls));

        let calls = Arc::new(Mutex::new(Vec::new()));
        let ctx = Ctx {
            calls: calls.clone(),
            public: signing.public_key_raw().to_vec(),
        };
        let app = Router::new()
            .route("/3/device/{token}", post(device))
            .with_state(ctx);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!(
            "https://127.0.0.1:{}",
            listener.local_addr().unwrap().port()
        );
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    // HTTP/2 only, as APNs.
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .http2_only()
                        .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app))
                        .await;
                });
            }
        });
        Self {
            base,
            ca_file: files.ca,
            key_file,
            calls,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
}

async fn device(
    State(ctx): State<Ctx>,
    Path(token): Path<String>,
    version: Version,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("bearer ")
                .or_else(|| v.strip_prefix("Bearer "))
        })
        .unwrap_or("");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_required_spec_claims(&["iss"]);
    validation.validate_exp = false;
    let header_ok =
        jsonwebtoken::decode_header(bearer).is_ok_and(|h| h.kid.as_deref() == Some(KEY_ID));
    let claims =
        jsonwebtoken::decode::<Claims>(bearer, &DecodingKey::from_ec_der(&ctx.public), &validation);
    let (status, reason) = match claims {
        Ok(c) if header_ok && c.claims.iss == TEAM_ID => {
            if token.starts_with("dead") {
                (StatusCode::GONE, "Unregistered")
            } else if headers.get("apns-topic").is_none() {
                (StatusCode::BAD_REQUEST, "MissingTopic")
            } else {
                (StatusCode::OK, "")
            }
        }
        _ => (StatusCode::FORBIDDEN, "InvalidProviderToken"),
    };
    ctx.calls.lock().unwrap().push(Call {
        device: token,
        version,
        headers,
        body,
        status: status.as_u16(),
    });
    if status == StatusCode::OK {
        status.into_response()
    } else {
        (status, Json(json!({"reason": reason}))).into_response()
    }
}
