//! The web client: static files embedded in the binary, served at `/`.
//!
//! No build step here: the files under `crates/gateway/web/` are plain
//! HTML, CSS and ES modules, compiled in with `include_bytes!`; those
//! under `web/js/sdk/` are the TypeScript SDK (sdk/typescript) as tsc
//! emits it, committed, and checked up to date by the SDK's tests. Every answer
//! carries a strict Content-Security-Policy (no inline script or style, no
//! third-party origin) and an `ETag`, so `Cache-Control: no-cache` costs a
//! 304 when nothing changed.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Scripts, styles and images from this origin only; sockets to it too
/// (`ws:`/`wss:` because CSP `'self'` does not cover WebSocket schemes in
/// every browser). Images, voice and video of messages also come from
/// `blob:` object URLs: the client fetches them with the token in a
/// header (the only place a download takes it) and shows the bytes.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data: blob:; media-src 'self' blob:; \
                   connect-src 'self' ws: wss:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    etag: &'static str,
}

macro_rules! asset {
    ($path:literal, $file:literal, $ctype:expr) => {
        Asset {
            path: $path,
            content_type: $ctype,
            body: include_bytes!(concat!("../../web/", $file)),
            etag: {
                const BODY: &[u8] = include_bytes!(concat!("../../web/", $file));
                const HEX: [u8; 18] = etag_of(BODY);
                // The bytes are ASCII hex digits and quotes by construction.
                match std::str::from_utf8(&HEX) {
                    Ok(s) => s,
                    Err(_) => "\"0\"",
                }
            },
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("/", "index.html", "text/html; charset=utf-8"),
    asset!("/app.css", "app.css", "text/css; charset=utf-8"),
    asset!("/favicon.svg", "favicon.svg", "image/svg+xml"),
    asset!("/js/app.js", "js/app.js", JS),
    asset!("/js/api.js", "js/api.js", JS),
    asset!("/js/socket.js", "js/socket.js", JS),
    asset!("/js/state.js", "js/state.js", JS),
    asset!("/js/dom.js", "js/dom.js", JS),
    asset!("/js/chat.js", "js/chat.js", JS),
    asset!("/js/panels.js", "js/panels.js", JS),
    asset!("/js/search.js", "js/search.js", JS),
    asset!("/js/account.js", "js/account.js", JS),
    asset!("/js/oidc.js", "js/oidc.js", JS),
    asset!("/js/upload.js", "js/upload.js", JS),
    asset!("/js/attach.js", "js/attach.js", JS),
    asset!("/js/attachments.js", "js/attachments.js", JS),
    asset!("/js/lightbox.js", "js/lightbox.js", JS),
    // The TypeScript SDK as tsc emits it (sdk/typescript, `npm run build`).
    asset!("/js/sdk/client.js", "js/sdk/client.js", JS),
    asset!("/js/sdk/errors.js", "js/sdk/errors.js", JS),
    asset!("/js/sdk/http.js", "js/sdk/http.js", JS),
    asset!("/js/sdk/inbox.js", "js/sdk/inbox.js", JS),
    asset!("/js/sdk/index.js", "js/sdk/index.js", JS),
    asset!("/js/sdk/outbox.js", "js/sdk/outbox.js", JS),
    asset!("/js/sdk/session.js", "js/sdk/session.js", JS),
    asset!("/js/sdk/socket.js", "js/sdk/socket.js", JS),
    asset!("/js/sdk/store.js", "js/sdk/store.js", JS),
];

/// A quoted 16-hex-digit FNV-1a hash of the body, computed at compile time.
#[allow(clippy::indexing_slicing)] // i < 16 and nibble < 16, checked at compile time
const fn etag_of(mut bytes: &[u8]) -> [u8; 18] {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    while let [first, rest @ ..] = bytes {
        hash ^= *first as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        bytes = rest;
    }
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'"'; 18];
    let mut i = 0;
    while i < 16 {
        let nibble = ((hash >> (60 - 4 * i)) & 0xf) as usize;
        out[i + 1] = DIGITS[nibble];
        i += 1;
    }
    out
}

/// The web client's files are not the API: outside the OpenAPI document.
#[allow(clippy::disallowed_methods)]
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(
            asset.path,
            get(move |headers: HeaderMap| serve(asset, headers)),
        )
    })
}

async fn serve(asset: &'static Asset, headers: HeaderMap) -> Response {
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == asset.etag || tag.trim() == "*");
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::ETAG, HeaderValue::from_static(asset.etag)),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        )],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get_path(path: &str, etag: Option<&str>) -> Response {
        let mut req = Request::get(path);
        if let Some(tag) = etag {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        let req = req.body(Body::empty()).expect("request");
        routes::<()>().oneshot(req).await.expect("infallible")
    }

    fn header_of(r: &Response, name: header::HeaderName) -> &str {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn every_asset_is_served_with_its_type_and_policy() {
        for asset in ASSETS {
            let r = get_path(asset.path, None).await;
            assert_eq!(r.status(), StatusCode::OK, "{}", asset.path);
            assert_eq!(header_of(&r, header::CONTENT_TYPE), asset.content_type);
            assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache");
            let csp = header_of(&r, header::CONTENT_SECURITY_POLICY);
            assert!(csp.contains("default-src 'self'"), "{csp}");
            assert!(csp.contains("connect-src 'self' ws: wss:"), "{csp}");
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert!(csp.contains("img-src 'self' data: blob:"), "{csp}");
            assert!(csp.contains("media-src 'self' blob:"), "{csp}");
            assert!(!asset.body.is_empty(), "{}", asset.path);
        }
    }

    #[tokio::test]
    async fn a_matching_etag_gets_304() {
        let first = get_path("/app.css", None).await;
        let tag = header_of(&first, header::ETAG).to_owned();
        assert_eq!(tag.len(), 18, "{tag}");
        let again = get_path("/app.css", Some(&tag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let stale = get_path("/app.css", Some("\"0000000000000000\"")).await;
        assert_eq!(stale.status(), StatusCode::OK);
    }

    #[test]
    fn every_file_of_the_web_dir_is_served() {
        let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut files = Vec::new();
        let mut dirs = vec![web.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read the web dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path.strip_prefix(&web).expect("under web/");
                    files.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        for file in files {
            let path = if file == "index.html" {
                "/".to_owned()
            } else {
                format!("/{file}")
            };
            assert!(
                ASSETS.iter().any(|a| a.path == path),
                "web/{file} is not in ASSETS"
            );
        }
    }

    #[test]
    fn etags_differ_between_files() {
        let tags: std::collections::HashSet<&str> = ASSETS.iter().map(|a| a.etag).collect();
        assert_eq!(tags.len(), ASSETS.len());
    }

    #[test]
    fn the_page_has_no_inline_script_or_handler() {
        let html = std::str::from_utf8(ASSETS.first().expect("index").body).expect("utf-8");
        assert!(!html.contains("<script>"), "inline script");
        let handler = html.match_indices(" on").any(|(at, _)| {
            let rest = html.get(at + 3..).unwrap_or("");
            let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
            name_len > 0 && rest.get(name_len..).is_some_and(|r| r.starts_with('='))
        });
        assert!(!handler, "inline event handler attribute");
        assert!(!html.contains("style="), "inline style");
    }
}
