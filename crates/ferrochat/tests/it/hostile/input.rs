//! Input that passes for valid but is not: passwords of only spaces or
//! NULs, nicknames with bidirectional overrides or made of invisible
//! characters, refused with 1001 naming the field.

use serde_json::json;

use super::client::Client;
use crate::binary::Server;

#[tokio::test]
async fn blank_passwords_and_deceptive_nicknames_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = Client::new(&server);
    for password in [" ".repeat(8), "\0".repeat(8)] {
        let r = c
            .call(
                reqwest::Method::POST,
                "/api/v1/users/register",
                None,
                Some(json!({"username": "blank", "password": password})),
            )
            .await;
        assert_eq!(r["code"], 1001, "{r}");
        assert!(r["message"].as_str().unwrap().contains("password"), "{r}");
    }
    let (_, token) = c.user("mirror").await;
    for nickname in ["\u{202E}nimda", "\u{200B}\u{200B}", "\u{FEFF}"] {
        let r = c
            .call(
                reqwest::Method::PUT,
                "/api/v1/users/profile",
                Some(&token),
                Some(json!({"nickname": nickname})),
            )
            .await;
        assert_eq!(r["code"], 1001, "{nickname:?}: {r}");
        assert!(r["message"].as_str().unwrap().contains("nickname"), "{r}");
    }
    let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
    let r = c
        .call(
            reqwest::Method::PUT,
            "/api/v1/users/profile",
            Some(&token),
            Some(json!({"nickname": family})),
        )
        .await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["data"]["nickname"], family);
}
