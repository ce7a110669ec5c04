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

/// A JSON request body, decoded by `ferrochat_wire::json::body` (an empty
/// body reads as `{}`, so endpoints whose fields are all optional accept a
/// bare POST). A body that does not arrive whole within
/// `gateway.body_read_timeout` is the client's fault: 408 (1001), not the
/// 500 the request timeout would give.
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
        Ok(JsonBody(ferrochat_wire::json::body(&bytes)?))
    }
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
