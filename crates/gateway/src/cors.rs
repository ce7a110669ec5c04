//! Requests from browser apps served from another origin (CORS): refused
//! by default (no CORS headers, so a browser keeps the answer from the
//! page); allowed for the exact origins in `gateway.cors_origins`.
//! Tokens travel in the `Authorization` header, never in cookies, so no
//! credentials mode is offered.

use std::time::Duration;

use axum::http::{header, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::attach::UPLOAD_OFFSET;

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Why `origin` is not one: an origin is `http://` or `https://`, a host
/// and maybe a port, nothing after (a browser sends it exactly so).
pub fn check_origin(origin: &str) -> Result<(), &'static str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("each must start with http:// or https://")?;
    if rest.is_empty()
        || rest.chars().any(|c| {
            matches!(c, '/' | '?' | '#' | '@' | '*') || c.is_whitespace() || c.is_control()
        })
    {
        return Err("each must be scheme://host[:port], with no path, wildcard or trailing slash");
    }
    HeaderValue::from_str(origin).map_err(|_| "each must be a valid header value")?;
    Ok(())
}

/// The layer for `origins`; none when the list is empty.
pub(crate) fn layer(origins: &[String]) -> Option<CorsLayer> {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if allowed.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            // A resumable upload's chunk names its offset, and its answer
            // says the next one: a page on another origin needs both.
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, UPLOAD_OFFSET])
            .expose_headers([UPLOAD_OFFSET])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://app.example.com",
            "http://localhost:5173",
            "https://[::1]:8443",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for bad in [
            "app.example.com",
            "https://",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://*.example.com",
            "*",
            "ftp://app.example.com",
            "https://user@app.example.com",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
