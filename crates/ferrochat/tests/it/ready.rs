//! `/ready` names each dependency and its state (docs/protocol.md,
//! "Operations"): a `serve` whose Redis stops answers 503 naming `redis`,
//! and 200 again once Redis is back. The helpers here read any `/ready`,
//! a role's operations port too (`roles.rs`, `repo_outage.rs`).

use std::time::Duration;

use serde_json::Value;

use crate::support::spawn_app_with;
use ferrochat_test_support::PrivateRedis;

/// Hang guard for a dependency's state to show in `/ready`.
const SHOWS: Duration = Duration::from_secs(60);

/// `/ready` at `base` (`http://host:port`): its status and body.
pub(crate) async fn ready_at(base: &str) -> (u16, Value) {
    let res = reqwest::get(format!("{base}/ready"))
        .await
        .expect("/ready answers");
    let status = res.status().as_u16();
    (status, res.json().await.expect("/ready's body is JSON"))
}

/// The names of its checks, in order.
pub(crate) fn check_names(body: &Value) -> Vec<String> {
    body["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {body}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The check named `name`.
pub(crate) fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {body}"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {body}"))
}

/// Asks `/ready` at `base` until `done` holds for its answer; panics
/// naming `what` and the last answer if it does not within a minute.
pub(crate) async fn ready_until(
    base: &str,
    what: &str,
    done: impl Fn(u16, &Value) -> bool,
) -> (u16, Value) {
    let mut last = None;
    let found = tokio::time::timeout(SHOWS, async {
        loop {
            let (status, body) = ready_at(base).await;
            if done(status, &body) {
                return (status, body);
            }
            last = Some((status, body));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("{base}/ready never showed {what}; last: {last:?}"))
}

/// 503, naming `name` unavailable with a reason, and the answer's
/// `reason` set.
pub(crate) fn down(status: u16, body: &Value, name: &str) -> bool {
    status == 503
        && body["status"] == "unavailable"
        && body["reason"].is_string()
        && check(body, name)["status"] == "unavailable"
        && check(body, name)["reason"].is_string()
}

/// 200, and every check ok.
pub(crate) fn all_ok(status: u16, body: &Value) -> bool {
    status == 200
        && body["status"] == "ok"
        && body.get("reason").is_none()
        && body["checks"]
            .as_array()
            .is_some_and(|cs| cs.iter().all(|c| c["status"] == "ok"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_is_named_in_ready_until_it_is_back() {
    let mut redis = PrivateRedis::start().await;
    let url = redis.url();
    let app = spawn_app_with(|c| {
        c.presence.redis_url = Some(url);
        c.presence.redis_prefix = "ready:".to_owned();
    })
    .await;
    let (status, body) = ready_at(&app.base).await;
    assert!(all_ok(status, &body), "{status} {body}");
    assert!(check_names(&body).contains(&"redis".to_owned()), "{body}");

    redis.stop();
    let (_, body) = ready_until(&app.base, "redis unavailable", |s, b| down(s, b, "redis")).await;
    // Only Redis is down: the other checks say so.
    for c in body["checks"].as_array().unwrap() {
        if c["name"] != "redis" {
            assert_eq!(c["status"], "ok", "{body}");
        }
    }

    redis.restart().await;
    ready_until(&app.base, "every check ok again", all_ok).await;
}
