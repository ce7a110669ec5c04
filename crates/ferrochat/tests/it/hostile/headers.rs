//! Every answer but the web client's files says `Cache-Control: no-store`
//! (tokens and messages never sit in a cache) and loads, frames and
//! refers to nothing (`Content-Security-Policy: default-src 'none'`,
//! `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`); every answer
//! `X-Content-Type-Options: nosniff`.

use super::client::Client;
use crate::binary::Server;

#[tokio::test]
async fn api_health_and_metrics_answers_are_not_cached_sniffed_or_framed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = Client::new(&server);
    let (_, token) = c.user("cautious").await;
    let http = reqwest::Client::new();
    for (path, auth) in [
        ("/health", false),
        ("/metrics", false),
        ("/api/v1/users/profile", true),
        ("/api/v1/conversations", true),
        ("/api/v1/conversations", false),
        ("/api/v1/no-such-thing", false),
    ] {
        let mut req = http.get(format!("{}{path}", server.base));
        if auth {
            req = req.bearer_auth(&token);
        }
        let r = req.send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["cache-control"], "no-store", "{path} ({})", r.status());
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
    let r = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        "no-cache",
        "the web client keeps its own"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'self'"),
        "the web client keeps its own policy: {csp}"
    );
}
