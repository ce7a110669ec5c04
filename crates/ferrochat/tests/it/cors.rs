//! Browser apps on other origins (CORS): refused by default, allowed for
//! the origins `gateway.cors_origins` names, and only those.

use reqwest::Method;

use crate::support::{spawn_app, spawn_app_with, TestApp};

const APP: &str = "https://app.example.com";

/// A browser's preflight for a POST with a bearer token from `origin`:
/// the answer's Access-Control-Allow-Origin, if any.
async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let res = app
        .client
        .request(
            Method::OPTIONS,
            format!("{}/api/v1/messages/send", app.base),
        )
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight sent");
    header(&res, "access-control-allow-origin")
}

/// GET /api/v1/users/profile as a page on `APP` sends it, with `token`
/// if any.
async fn profile_from_app(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}/api/v1/users/profile", app.base))
        .header("origin", APP);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request sent")
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii header").to_owned())
}

#[tokio::test]
async fn other_origins_get_no_cors_headers_by_default() {
    let app = spawn_app().await;
    assert_eq!(preflight(&app, APP).await, None);
    let s = app.new_user("nocors").await;
    let res = profile_from_app(&app, Some(&s.access)).await;
    assert!(res.status().is_success());
    assert_eq!(header(&res, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_configured_origin_is_allowed_and_no_other() {
    let app = spawn_app_with(|c| c.gateway.cors_origins = vec![APP.to_owned()]).await;
    assert_eq!(preflight(&app, APP).await.as_deref(), Some(APP));
    assert_eq!(preflight(&app, "https://evil.example.com").await, None);
    // The request itself carries the header too, errors included.
    let s = app.new_user("cors").await;
    let res = profile_from_app(&app, Some(&s.access)).await;
    assert!(res.status().is_success());
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    let res = profile_from_app(&app, None).await;
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
}

#[tokio::test]
async fn a_resumable_upload_from_another_origin_passes_its_preflight() {
    let app = spawn_app_with(|c| c.gateway.cors_origins = vec![APP.to_owned()]).await;
    let res = app
        .client
        .request(
            Method::OPTIONS,
            format!("{}/api/v1/uploads/some-id", app.base),
        )
        .header("origin", APP)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, upload-offset",
        )
        .send()
        .await
        .expect("preflight sent");
    let allowed = |name: &str| header(&res, name).unwrap_or_default().to_lowercase();
    assert!(allowed("access-control-allow-methods").contains("patch"));
    assert!(allowed("access-control-allow-headers").contains("upload-offset"));
    // The chunk's answer names the next offset: the page may read it.
    let s = app.new_user("chunks").await;
    let res = app
        .client
        .post(format!("{}/api/v1/uploads", app.base))
        .header("origin", APP)
        .bearer_auth(&s.access)
        .json(&serde_json::json!({"name": "a.bin", "size": 10}))
        .send()
        .await
        .expect("request sent");
    assert!(res.status().is_success(), "{}", res.status());
    assert!(header(&res, "access-control-expose-headers")
        .unwrap_or_default()
        .to_lowercase()
        .contains("upload-offset"));
}
