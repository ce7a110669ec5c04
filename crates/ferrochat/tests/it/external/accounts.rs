//! The account behind a subject: made once however many first sights
//! race, and shut out while disabled or once deleted, as a password
//! login's is.

use reqwest::Method;
use serde_json::json;

use super::{app_with_secret, claims, hs256, whoami};
use crate::support::TestApp;

#[tokio::test]
async fn racing_first_sights_of_a_subject_make_one_account() {
    let app = app_with_secret().await;
    // Distinct tokens of one subject, and one token checked many times.
    let mut tokens: Vec<String> = (0..8).map(|_| hs256(&claims("racer"))).collect();
    let same = hs256(&claims("racer"));
    tokens.extend(std::iter::repeat_n(same, 4));
    let checks: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let (base, client) = (app.base.clone(), app.client.clone());
            tokio::spawn(async move {
                let r = crate::support::decode(
                    client
                        .get(format!("{base}/api/v1/users/profile"))
                        .bearer_auth(t)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                r.ok()["user_id"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for c in checks {
        ids.push(c.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
}

async fn admin_post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> crate::support::Reply {
    app.request(Method::POST, path, Some(token), Some(body))
        .await
}

#[tokio::test]
async fn a_disabled_account_is_refused_until_enabled_and_a_deleted_one_for_good() {
    let app = app_with_secret().await;
    let boss = app.new_user("boss").await;
    app.set_admin(&boss.username, true).await;
    let token = hs256(&claims("shut-out"));
    let me = whoami(&app, &token).await;
    let id = me["user_id"].as_str().unwrap().to_owned();
    let username = me["username"].as_str().unwrap().to_owned();
    let mut ws = app.ws_connect(&token).await;

    let disable = format!("/api/v1/admin/users/{id}/disable");
    admin_post(&app, &boss.access, &disable, json!({}))
        .await
        .ok();
    assert_eq!(ws.close_code().await, Some(4001));
    app.profile(&token).await.err(1002);
    // The app's next token: refused as a login would be.
    let next = app.profile(&hs256(&claims("shut-out"))).await;
    assert!(next.err(1005).contains("disabled"), "{:?}", next.body);

    let enable = format!("/api/v1/admin/users/{id}/enable");
    admin_post(&app, &boss.access, &enable, json!({}))
        .await
        .ok();
    let token = hs256(&claims("shut-out"));
    assert_eq!(whoami(&app, &token).await["user_id"], id.as_str());

    // The account's password is no one's, until an operator's reset
    // token sets one; with it, the user deletes the account.
    app.login(&username, "correct horse battery")
        .await
        .err(1002);
    let reset = format!("/api/v1/admin/users/{id}/password-reset");
    let r = admin_post(&app, &boss.access, &reset, json!({"valid_for_minutes": 30})).await;
    let reset_token = r.ok()["token"].as_str().unwrap().to_owned();
    app.request(
        Method::POST,
        "/api/v1/auth/password/reset",
        None,
        Some(json!({"token": reset_token, "new_password": "now i know it"})),
    )
    .await
    .ok();
    let token = hs256(&claims("shut-out"));
    app.request(
        Method::POST,
        "/api/v1/users/delete",
        Some(&token),
        Some(json!({"password": "now i know it"})),
    )
    .await
    .ok();
    app.profile(&token).await.err(1002);
    let after = app.profile(&hs256(&claims("shut-out"))).await;
    assert!(after.err(1002).contains("deleted"), "{:?}", after.body);
}
