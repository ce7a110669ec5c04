//! Operations endpoints: health, liveness, readiness, metrics.

use reqwest::Method;

use crate::support::spawn_app;

#[tokio::test]
async fn health_live_and_ready() {
    let app = spawn_app().await;
    for path in ["/health", "/live", "/ready"] {
        let r = app.request(Method::GET, path, None, None).await;
        assert_eq!(r.status.as_u16(), 200, "{path}");
        assert_eq!(r.body["status"], "ok");
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
