//! Operations endpoints: health, liveness, readiness, metrics.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::ready::{all_ok, check_names, ready_at};
use crate::support::{sample, spawn_app, spawn_app_with, TestApp};

#[tokio::test]
async fn health_live_and_ready() {
    let app = spawn_app().await;
    for path in ["/health", "/live", "/ready"] {
        let r = app.request(Method::GET, path, None, None).await;
        assert_eq!(r.status.as_u16(), 200, "{path}");
        assert_eq!(r.body["status"], "ok");
    }
}

/// `/ready` names every dependency the app uses, in a fixed order, each
/// with its state: `serve` its store and bus (and Redis when set), a
/// cluster gateway logic, the bus, Redis and its etcd registration.
#[tokio::test]
async fn ready_names_each_dependency_and_its_state() {
    let mut redis = false;
    let app = spawn_app_with(|c| redis = c.presence.redis_url.is_some()).await;
    let expected: &[&str] = if crate::logic_env::roles_wanted() {
        &["logic", "bus", "redis", "etcd"]
    } else if redis {
        &["store", "bus", "redis"]
    } else {
        &["store", "bus"]
    };
    let (status, body) = ready_at(&app.base).await;
    assert!(all_ok(status, &body), "{status} {body}");
    assert_eq!(check_names(&body), expected, "{body}");
    for c in body["checks"].as_array().unwrap() {
        // Only etcd may fail without making the process unready.
        assert_eq!(c["required"], c["name"] != "etcd", "{body}");
    }
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_requests() {
    let app = spawn_app().await;
    app.register("metric_user", "long-enough-pw").await.ok();
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");
    let names: Vec<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "ferrochat_http_requests_total"
                && s.labels.get("route") == Some("/api/v1/users/register")
                && s.labels.get("status") == Some("201")),
        "{names:?}"
    );
    assert!(names
        .iter()
        .any(|n| n.starts_with("ferrochat_http_request_duration_seconds")));
    assert!(
        names.contains(&"process_resident_memory_bytes"),
        "{names:?}"
    );
}

/// The series a send adds to, stage by stage.
const SEND_STAGES: &[&str] = &[
    "ferrochat_gateway_send_seconds_count{stage=\"limit\"}",
    "ferrochat_gateway_send_seconds_count{stage=\"resolve\"}",
    "ferrochat_gateway_send_seconds_count{stage=\"publish\"}",
    "ferrochat_logic_check_seconds_count",
    "ferrochat_logic_commit_seconds_count",
    "ferrochat_logic_fanout_seconds_count",
    "ferrochat_logic_answer_seconds_count",
];

/// Each of `SEND_STAGES` as `/metrics` has it now (0 if absent). The
/// recorder is the process's: other tests add to it too.
async fn send_stage_counts(app: &TestApp) -> Vec<f64> {
    let text = app.metrics_text().await;
    SEND_STAGES
        .iter()
        .map(|series| sample(&text, series))
        .collect()
}

#[tokio::test]
async fn a_send_is_timed_at_every_stage() {
    let app = spawn_app().await;
    let a = app.new_user("timed").await;
    let b = app.new_user("timed").await;
    let before = send_stage_counts(&app).await;
    let mut ws = app.ws_connect(&a.access).await;
    ws.send_ok(json!({"to_user_id": b.user_id, "client_msg_id": "t-1", "content": "hi"}))
        .await;
    // Fan-out is timed after the answer goes out: it may come a moment later.
    let start = Instant::now();
    loop {
        let now = send_stage_counts(&app).await;
        let missing: Vec<&str> = SEND_STAGES
            .iter()
            .zip(before.iter().zip(&now))
            .filter(|(_, (b, n))| **n < **b + 1.0)
            .map(|(s, _)| *s)
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not timed: {missing:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn cancelling_the_app_stops_it_cleanly() {
    let app = spawn_app().await;
    let base = app.base.clone();
    app.register("stopper", "long-enough-pw").await.ok();
    app.shutdown().await.expect("run returns Ok after cancel");
    let after = reqwest::Client::new()
        .get(format!("{base}/health"))
        .send()
        .await;
    assert!(after.is_err(), "the listener is closed");
}
