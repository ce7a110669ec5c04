//! `gateway.http_rate_limit`: one token bucket per caller on the `/api`
//! routes (register and login have their own, per address) and the
//! WebSocket upgrade, answered 1007 with `Retry-After`.
//!
//! The caller is its access token (`?token=` or the bearer header, as
//! `/ws` reads it), so
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
use crate::extract::{access_token, ClientIp};
use crate::state::AppState;

/// Whom a request's budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Token(u64),
    Address(IpAddr),
}

impl Caller {
    fn of(req: &Request, ip: IpAddr) -> Self {
        match access_token(req.uri(), req.headers()) {
            Some(t) => {
                static KEY: OnceLock<RandomState> = OnceLock::new();
                Self::Token(KEY.get_or_init(RandomState::new).hash_one(t))
            }
            None => Self::Address(ip),
        }
    }
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
