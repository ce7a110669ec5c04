//! Every malformed request gets a contract envelope with the right code,
//! never a bare 4xx/5xx body.

use reqwest::Method;
use serde_json::json;

use crate::support::spawn_app;

const REGISTER: &str = "/api/v1/users/register";

#[tokio::test]
async fn malformed_json_is_1001() {
    let app = spawn_app().await;
    for body in ["{", "{\"username\":", "not json", "{\"a\":1}}"] {
        let r = app.post_raw(REGISTER, body).await;
        assert_eq!(r.err(1001), "request body is not valid JSON", "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_1001_even_where_no_field_is_read() {
    let app = spawn_app().await;
    // A lone continuation byte in a field register ignores, in a field it
    // reads, and outside any string.
    let bodies: [&[u8]; 3] = [
        b"{\"username\":\"utf8a\",\"password\":\"12345678\",\"extra\":\"\x80\"}",
        b"{\"username\":\"utf8\x80\",\"password\":\"12345678\"}",
        b"{\"username\":\"utf8b\",\"password\":\"12345678\"}\xff",
    ];
    for body in bodies {
        let r = app.post_raw(REGISTER, body.to_vec()).await;
        assert_eq!(r.err(1001), "request body is not valid UTF-8", "{body:?}");
    }
    // Nobody was registered by them.
    app.login("utf8a", "12345678").await.err(1002);
}

#[tokio::test]
async fn a_json_array_or_scalar_is_1001() {
    let app = spawn_app().await;
    for body in ["[1]", "[]", "\"alice\"", "42", "null"] {
        let r = app.post_raw(REGISTER, body).await;
        assert_eq!(r.err(1001), "request body must be a JSON object", "{body}");
    }
}

#[tokio::test]
async fn wrong_types_name_the_field() {
    let app = spawn_app().await;
    let r = app
        .post_raw(REGISTER, r#"{"username": 5, "password": "12345678"}"#)
        .await;
    let msg = r.err(1001);
    assert!(msg.starts_with("username:"), "{msg}");
    let r = app
        .post_raw(REGISTER, r#"{"username": "okname", "password": ["x"]}"#)
        .await;
    assert!(r.err(1001).starts_with("password:"));
}

#[tokio::test]
async fn missing_fields_name_the_field() {
    let app = spawn_app().await;
    let r = app.post_raw(REGISTER, r#"{"password": "12345678"}"#).await;
    assert_eq!(r.err(1001), "username: is required");
    let r = app.post_raw(REGISTER, "").await;
    assert_eq!(r.err(1001), "username: is required");
    let r = app.post_raw("/api/v1/auth/refresh", "{}").await;
    assert_eq!(r.err(1001), "refresh_token: is required");
}

#[tokio::test]
async fn a_2_mib_body_is_1008() {
    let app = spawn_app().await;
    let big = format!(r#"{{"username":"{}"}}"#, "a".repeat(2 * 1024 * 1024));
    let r = app.post_raw(REGISTER, big).await;
    assert!(r.err(1008).contains("too large"));
    // The server is fine afterwards.
    app.register("after_big", "long-enough-pw").await.ok();
}

#[tokio::test]
async fn unknown_ids_and_paths_are_1003_malformed_ids_1001() {
    let app = spawn_app().await;
    let s = app.new_user("ids").await;
    let unknown = uuid_like();
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{unknown}"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.err(1003), "no such user");
    // A malformed id is the caller's mistake, named as such.
    for path in ["/api/v1/users/not-an-id", "/api/v1/users/%20"] {
        let r = app.request(Method::GET, path, Some(&s.access), None).await;
        assert_eq!(r.err(1001), "user_id: is not a valid id", "{path}");
    }
    app.request(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .err(1003);
    // A known path with a method it does not serve.
    app.request(Method::DELETE, "/api/v1/auth/login", None, None)
        .await
        .err(1003);
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let app = spawn_app().await;
    let r = app
        .request(
            Method::POST,
            REGISTER,
            None,
            Some(json!({"username": "extra_ok", "password": "long-enough", "shoe_size": 44})),
        )
        .await;
    r.ok();
}

fn uuid_like() -> String {
    // A well-formed id that names nothing.
    "01900000-0000-7000-8000-000000000000".to_owned()
}

/// A frame's refusal quotes the client's text whole, even text that reads
/// like serde's position (found by fuzzing `ws_frame`: the message was cut
/// at it).
#[tokio::test]
async fn a_frames_refusal_quotes_the_clients_text_whole() {
    let app = spawn_app().await;
    let a = app.new_user("quoted").await;
    let mut ws = app.ws_connect(&a.access).await;
    let field = "x at line 3 column 9";
    let f = ws.request("auth", json!({ "token": "t", field: 1 })).await;
    crate::ws::assert_error(&f, 1001);
    assert_eq!(
        f["data"]["message"],
        format!("{field}: unknown field `{field}`, expected `token`")
    );
    let f = ws
        .request(
            "read",
            json!({"conversation_id": "world", "seq": "7 at line 1"}),
        )
        .await;
    crate::ws::assert_error(&f, 1001);
    assert_eq!(
        f["data"]["message"],
        r#"seq: invalid type: string "7 at line 1", expected i64"#
    );
}
