//! Extractors whose rejections are contract errors: a JSON body (bad JSON,
//! wrong types, oversize bodies all name what is wrong), the caller's
//! identity from a bearer token, a path id, and the client's IP.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use bytes::Bytes;
use ferrochat_domain::{ErrorKind, Principal};
use serde::de::DeserializeOwned;

use crate::error::HttpError;
use crate::state::AppState;

/// A JSON request body. An empty body reads as `{}`, so endpoints whose
/// fields are all optional accept a bare POST. A body that does not
/// arrive whole within `gateway.body_read_timeout` is the client's fault:
/// 408 (1001), not the 500 the request timeout would give.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let read = Bytes::from_request(req, state);
        let bytes = tokio::time::timeout(state.config.body_read_timeout, read)
            .await
            .map_err(|_| {
                HttpError::new(
                    ErrorKind::RequestTimeout,
                    "request body did not arrive in time",
                )
            })?
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    HttpError::new(ErrorKind::TooLarge, "request body is too large")
                } else {
                    HttpError::new(ErrorKind::InvalidParams, "request body could not be read")
                }
            })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        parse_json(text).map(JsonBody)
    }
}

/// Decodes JSON, reporting the failing field's path and serde's reason
/// without its line/column noise.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    // JSON is UTF-8 (RFC 8259); serde checks only the strings it keeps,
    // so a field the endpoint ignores could carry anything.
    if std::str::from_utf8(bytes).is_err() {
        return Err(HttpError::new(
            ErrorKind::InvalidParams,
            "request body is not valid UTF-8",
        ));
    }
    // serde accepts a struct written as an array; the contract does not.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let valid = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        return Err(HttpError::new(
            ErrorKind::InvalidParams,
            if valid {
                "request body must be a JSON object"
            } else {
                "request body is not valid JSON"
            },
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let inner = e.inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            "request body is not valid JSON".to_owned()
        } else {
            describe(&e)
        };
        HttpError::new(ErrorKind::InvalidParams, message)
    })?;
    // Anything after the object (`{..}}`) makes the body invalid JSON.
    de.end()
        .map_err(|_| HttpError::new(ErrorKind::InvalidParams, "request body is not valid JSON"))?;
    Ok(value)
}

/// The authenticated caller. Missing, malformed, expired or revoked
/// tokens are all 1002.
pub(crate) struct Authed(pub(crate) Principal);

impl FromRequestParts<AppState> for Authed {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let token = bearer(&parts.headers)
            .ok_or_else(|| HttpError::new(ErrorKind::Unauthorized, "missing bearer token"))?;
        Ok(Authed(state.deps.accounts.authenticate(token).await?.who))
    }
}

/// The access token a request carries: `?token=` (how a browser opens a
/// WebSocket), else the bearer header. A query that does not decode is
/// passed over.
pub(crate) fn access_token(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri)
        .ok()
        .and_then(|q| q.0.get("token").cloned())
        .or_else(|| bearer(headers).map(str::to_owned))
        .filter(|t| !t.is_empty())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// One path segment (an id), parsed by the handler: a malformed id is
/// 1001 naming the field, a well-formed one that names nothing is 1003.
pub(crate) struct PathId(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| PathId(p.0))
            .map_err(|_| HttpError::new(ErrorKind::NotFound, "not found"))
    }
}

/// The peer's IP address (unspecified when served without connect info,
/// as in `oneshot` tests).
pub(crate) struct ClientIp(pub(crate) IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(ClientIp(ip))
    }
}

/// "field: reason" for a value that did not fit its type, without serde's
/// line/column noise.
pub(crate) fn describe(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let reason = e.inner().to_string();
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason.as_str(), |(r, _)| r);
    if path == "." {
        reason.to_owned()
    } else {
        format!("{path}: {reason}")
    }
}

/// Decodes a JSON value already parsed (a WebSocket frame's `data`).
/// `null` or absent reads as `{}`.
pub(crate) fn from_value<T: DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ferrochat_ports::ApiError> {
    let value = if value.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        value
    };
    if !value.is_object() {
        return Err(ferrochat_ports::ApiError::new(
            ErrorKind::InvalidParams,
            "data must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| ferrochat_ports::ApiError::new(ErrorKind::InvalidParams, describe(&e)))
}

/// A query string decoded into `T`; a malformed one is 1001.
pub(crate) struct QueryParams<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|_| HttpError::new(ErrorKind::InvalidParams, "query string is malformed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_of(uri: &str, header: Option<&str>) -> Option<String> {
        let mut headers = HeaderMap::new();
        if let Some(h) = header {
            headers.insert(header::AUTHORIZATION, h.parse().unwrap());
        }
        access_token(&uri.parse().unwrap(), &headers)
    }

    #[test]
    fn the_query_token_is_found_among_other_parameters_else_the_bearer() {
        assert_eq!(token_of("/ws?token=abc", None).as_deref(), Some("abc"));
        assert_eq!(
            token_of("/ws?x=1&token=abc&y=2", None).as_deref(),
            Some("abc")
        );
        assert_eq!(token_of("/ws?token=", None), None);
        assert_eq!(token_of("/ws?mytoken=abc", None), None);
        assert_eq!(token_of("/ws", None), None);
        assert_eq!(token_of("/api/x", Some("Bearer t1")).as_deref(), Some("t1"));
        assert_eq!(
            token_of("/ws?token=q", Some("Bearer h")).as_deref(),
            Some("q")
        );
    }
}
