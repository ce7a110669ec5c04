//! Tokens signed with the secret the app shares (HS256).

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use super::{app_with_secret, claims, hs256, now, rsa_a, sign, unsigned, whoami, SECRET};
use crate::messaging::next_message;

#[tokio::test]
async fn an_app_token_is_an_account_over_http_and_the_websocket() {
    let app = app_with_secret().await;
    let bob = app.new_user("bob").await;

    let mut first = claims("user-42");
    first["preferred_username"] = json!("alice_from_app");
    let token = hs256(&first);
    let me = whoami(&app, &token).await;
    assert_eq!(me["username"], "alice_from_app");
    let alice = me["user_id"].as_str().unwrap().to_owned();

    // Every later token of the subject is the same account, whatever
    // username it proposes.
    let mut later = claims("user-42");
    later["preferred_username"] = json!("someone_else");
    let again = hs256(&later);
    assert_eq!(whoami(&app, &again).await["user_id"], alice.as_str());

    // A message each way, over HTTP and both WebSocket authentications.
    let mut bob_ws = app.ws_connect(&bob.access).await;
    let mut alice_ws = app.ws_connect(&token).await;
    let mut alice_bearer = app.ws_connect_bearer(&again).await;
    let sent = app
        .send_http_ok(
            &again,
            json!({"to_user_id": bob.user_id, "client_msg_id": "x-1", "content": "from the app"}),
        )
        .await;
    let got = next_message(&mut bob_ws).await;
    assert_eq!(got["from_user_id"], alice.as_str());
    assert_eq!(got["content"], "from the app");
    bob_ws
        .send_ok(json!({"conversation_id": sent["conversation_id"], "client_msg_id": "b-1", "content": "hello"}))
        .await;
    // An HTTP send reaches every connection of the sender's too.
    for ws in [&mut alice_ws, &mut alice_bearer] {
        assert_eq!(next_message(ws).await["content"], "from the app");
        assert_eq!(next_message(ws).await["content"], "hello");
    }

    // Logging out ends that token (and its sockets), not the account: the
    // app's next token works.
    app.logout(&token).await.ok();
    assert_eq!(alice_ws.close_code().await, Some(4001));
    app.profile(&token).await.err(1002);
    assert_eq!(app.ws_refused_status(Some(&token)).await, 401);
    assert_eq!(
        whoami(&app, &hs256(&claims("user-42"))).await["user_id"],
        alice.as_str()
    );
}

#[tokio::test]
async fn a_token_wrong_in_any_way_is_refused_with_1002() {
    let app = app_with_secret().await;
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = claims("picky");
        f(&mut c);
        c
    };
    let other_secret = EncodingKey::from_secret(b"another secret, also 32+ characters long");
    let refused = [
        (
            "signed with another secret",
            sign(Algorithm::HS256, None, &claims("picky"), &other_secret),
        ),
        (
            "another issuer",
            hs256(&with(&|c| c["iss"] = json!("https://evil.example"))),
        ),
        (
            "another audience",
            hs256(&with(&|c| c["aud"] = json!("someone-else"))),
        ),
        (
            "no audience",
            hs256(&with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            })),
        ),
        (
            "no expiry",
            hs256(&with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            })),
        ),
        (
            "expired past the leeway",
            hs256(&with(&|c| c["exp"] = json!(now() - 60))),
        ),
        (
            "not valid yet",
            hs256(&with(&|c| c["nbf"] = json!(now() + 120))),
        ),
        (
            "no subject",
            hs256(&with(&|c| {
                c.as_object_mut().unwrap().remove("sub");
            })),
        ),
        ("an empty subject", hs256(&with(&|c| c["sub"] = json!("")))),
        ("alg none", unsigned(None, &claims("picky"))),
        (
            "RS256 where HS256 is configured",
            sign(Algorithm::RS256, None, &claims("picky"), &rsa_a()),
        ),
        (
            "HS512 with the right secret",
            sign(
                Algorithm::HS512,
                None,
                &claims("picky"),
                &EncodingKey::from_secret(SECRET.as_bytes()),
            ),
        ),
        ("a tampered payload", {
            let t = hs256(&claims("picky"));
            let forged = super::hs256(&claims("admin"));
            let mut parts: Vec<&str> = t.split('.').collect();
            parts[1] = forged.split('.').nth(1).unwrap();
            parts.join(".")
        }),
    ];
    for (why, token) in &refused {
        let r = app.profile(token).await;
        assert_eq!(r.code(), 1002, "{why}: {:?}", r.body);
        assert_eq!(app.ws_refused_status(Some(token)).await, 401, "{why}");
    }
    // Nothing above made an account; within the leeway is still valid.
    let late = hs256(&with(&|c| c["exp"] = json!(now() - 5)));
    whoami(&app, &late).await;
}

#[tokio::test]
async fn a_taken_or_invalid_username_gets_a_generated_one() {
    let app = app_with_secret().await;
    let owner = app.new_user("taken").await;
    let mut c = claims("wants-a-taken-name");
    c["preferred_username"] = json!(owner.username.to_uppercase());
    let me = whoami(&app, &hs256(&c)).await;
    let name = me["username"].as_str().unwrap();
    assert!(name.starts_with("u-") && name.len() == 18, "{name}");
    assert_ne!(me["user_id"], owner.user_id.as_str());

    let mut c = claims("wants-a-bad-name");
    c["preferred_username"] = json!("no spaces allowed");
    let name = whoami(&app, &hs256(&c)).await["username"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(name.starts_with("u-"), "{name}");
}
