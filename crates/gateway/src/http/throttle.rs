//! `gateway.http_rate_limit`: one token bucket per caller on the `/api`
//! routes (register and login have their own, per address) and the
//! WebSocket upgrade, answered 1007 with `Retry-After`.
//!
//! The caller is its bearer token (header, or `?token=` on `/ws`), so
//! users behind one address do not share a budget; without a token it is
//! the client's address. A token is keyed by a hash under a per-process
//! random key: a bucket holds no secret, and a made-up token cannot be
//! aimed at another's bucket.

use std::hash::{BuildHasher as _, RandomState};
use std::net::IpAddr;
use std::sync::OnceLock;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::error::HttpError;
use crate::extract::{bearer, ClientIp};
use crate::state::AppState;

/// Whom a request's budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Token(u64),
    Address(IpAddr),
}

impl Caller {
    fn of(req: &Request, ip: IpAddr) -> Self {
        let token = bearer(req.headers()).or_else(|| query_token(req.uri().query()));
        match token {
            Some(t) => {
                static KEY: OnceLock<RandomState> = OnceLock::new();
                Self::Token(KEY.get_or_init(RandomState::new).hash_one(t))
            }
            None => Self::Address(ip),
        }
    }
}

fn query_token(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|t| !t.is_empty())
}

pub(crate) async fn limit(
    State(state): State<AppState>,
    ip: ClientIp,
    req: Request,
    next: Next,
) -> Response {
    match state.http_limiter.check(&Caller::of(&req, ip.0)) {
        Ok(()) => next.run(req).await,
        Err(wait) => HttpError::retry_after(wait).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_token_is_found_among_other_parameters() {
        assert_eq!(query_token(Some("token=abc")), Some("abc"));
        assert_eq!(query_token(Some("x=1&token=abc&y=2")), Some("abc"));
        assert_eq!(query_token(Some("token=")), None);
        assert_eq!(query_token(Some("mytoken=abc")), None);
        assert_eq!(query_token(None), None);
    }
}
