//! Tokens signed with keys the app publishes (a JWKS): RS256 and ES256,
//! each key used with its own algorithm only, new keys picked up, and
//! made-up key ids costing the app at most one fetch per interval.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use super::keys::{RSA_A_E, RSA_A_N, RSA_B_E, RSA_B_N};
use super::{
    claims, ec, ec_jwk, rsa_a, rsa_b, rsa_jwk, sign, unsigned, whoami, KeySet, AUDIENCE, ISSUER,
};
use crate::support::{spawn_app_with, TestApp};

/// Between two fetches of the key set, at least this.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

async fn app_with_keys(keys: &KeySet) -> TestApp {
    let url = keys.url.clone();
    spawn_app_with(move |c| {
        c.auth.external.issuer = Some(ISSUER.to_owned());
        c.auth.external.audience = Some(AUDIENCE.to_owned());
        c.auth.external.jwks_url = Some(url);
        c.auth.external.jwks_min_interval = MIN_INTERVAL;
    })
    .await
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_with_their_published_keys() {
    // An HMAC key in the set is never used: symmetric keys are not
    // published keys.
    let hmac =
        json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"});
    let keys =
        KeySet::serve(json!({"keys": [rsa_jwk("a", RSA_A_N, RSA_A_E), ec_jwk("e"), hmac]})).await;
    let app = app_with_keys(&keys).await;

    let rsa = sign(Algorithm::RS256, Some("a"), &claims("pk-1"), &rsa_a());
    let me = whoami(&app, &rsa).await;
    let id = me["user_id"].as_str().unwrap().to_owned();
    let ecdsa = sign(Algorithm::ES256, Some("e"), &claims("pk-1"), &ec());
    assert_eq!(whoami(&app, &ecdsa).await["user_id"], id.as_str());
    let mut ws = app.ws_connect(&ecdsa).await;
    ws.ping().await;

    let refused = [
        // The RSA key's token claiming ES256, and the EC key's RS256.
        (
            "ES256 header on the RSA key",
            sign(Algorithm::ES256, Some("a"), &claims("pk-1"), &ec()),
        ),
        (
            "RS256 header on the EC key",
            sign(Algorithm::RS256, Some("e"), &claims("pk-1"), &rsa_a()),
        ),
        // HS256 keyed with the RSA key's public modulus: the classic
        // algorithm confusion.
        (
            "HS256 with the public key as secret",
            sign(
                Algorithm::HS256,
                Some("a"),
                &claims("pk-1"),
                &EncodingKey::from_secret(RSA_A_N.as_bytes()),
            ),
        ),
        (
            "HS256 with the published oct key",
            sign(
                Algorithm::HS256,
                Some("h"),
                &claims("pk-1"),
                &EncodingKey::from_secret(b"secret-secret-secret-secret-secret"),
            ),
        ),
        ("alg none", unsigned(Some("a"), &claims("pk-1"))),
        (
            "signed by an unpublished key",
            sign(Algorithm::RS256, Some("a"), &claims("pk-1"), &rsa_b()),
        ),
        (
            "no kid with several keys",
            sign(Algorithm::RS256, None, &claims("pk-1"), &rsa_a()),
        ),
    ];
    for (why, token) in &refused {
        let r = app.profile(token).await;
        assert_eq!(r.code(), 1002, "{why}: {:?}", r.body);
    }
}

#[tokio::test]
async fn a_rotated_key_is_fetched_but_made_up_kids_cannot_hammer_the_issuer() {
    let keys = KeySet::serve(json!({"keys": [rsa_jwk("a", RSA_A_N, RSA_A_E)]})).await;
    let app = app_with_keys(&keys).await;
    // A token without a kid uses the set's only key.
    whoami(
        &app,
        &sign(Algorithm::RS256, None, &claims("rot"), &rsa_a()),
    )
    .await;
    let after_first = keys.fetches();
    assert_eq!(after_first, 1);

    // A flood of made-up key ids: refused, and at most one fetch.
    tokio::time::sleep(MIN_INTERVAL).await;
    let flood: Vec<_> = (0..20)
        .map(|i| {
            let token = sign(
                Algorithm::RS256,
                Some(&format!("bogus-{i}")),
                &claims("rot"),
                &rsa_a(),
            );
            let (base, client) = (app.base.clone(), app.client.clone());
            tokio::spawn(async move {
                client
                    .get(format!("{base}/api/v1/users/profile"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .json::<serde_json::Value>()
                    .await
                    .unwrap()["code"]
                    .clone()
            })
        })
        .collect();
    for t in flood {
        assert_eq!(t.await.unwrap(), 1002);
    }
    assert!(
        keys.fetches() <= after_first + 1,
        "{} fetches",
        keys.fetches()
    );

    // The app rotates to key b: once the interval passed, a token naming
    // it makes the server fetch the set again and take it.
    keys.publish(json!({"keys": [rsa_jwk("a", RSA_A_N, RSA_A_E), rsa_jwk("b", RSA_B_N, RSA_B_E)]}));
    tokio::time::sleep(MIN_INTERVAL).await;
    let before = keys.fetches();
    let rotated = sign(Algorithm::RS256, Some("b"), &claims("rot"), &rsa_b());
    whoami(&app, &rotated).await;
    assert_eq!(keys.fetches(), before + 1);
    // Known keys cost no fetch.
    whoami(
        &app,
        &sign(Algorithm::RS256, Some("a"), &claims("rot"), &rsa_a()),
    )
    .await;
    assert_eq!(keys.fetches(), before + 1);
}
