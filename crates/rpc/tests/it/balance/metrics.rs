//! The balanced client's metrics, read from a Prometheus recorder as a
//! scrape would: per-instance requests and failures, a breaker opening,
//! retries, call latency, the instance count, discovery errors.

use std::time::{Duration, Instant};

use ferrochat_rpc::{BreakerState, LogicClient};

use super::{burst, config, eventually, instances_are, logic, state, Listed};
use crate::fake::{serve, Fake};
use crate::scrape::{plain, recorder, value};

#[tokio::test]
async fn requests_failures_breakers_retries_and_discovery_are_counted() {
    recorder();
    // Ids of this test's own: the recorder may be shared.
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (id_a, id_b) = (format!("a-{tag}"), format!("b-{tag}"));
    let (a, b) = (Fake::new(), Fake::new());
    let served_a = serve(a.clone()).await;
    let served_b = serve(b.clone()).await;
    let listed = Listed::new(vec![
        logic(&id_a, served_a.addr),
        logic(&id_b, served_b.addr),
    ]);
    let client = LogicClient::balanced(listed.clone(), config()).unwrap();
    instances_are(&client, &[&id_a, &id_b]).await;
    burst(&client, 16).await;
    // Other tests' clients may have set it since: a gauge of one process.
    assert!(plain("ferrochat_logic_client_instances").is_some());

    drop(served_b);
    let start = Instant::now();
    while state(&client, &id_b) == Some(BreakerState::Closed) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "b's breaker never opened"
        );
        burst(&client, 8).await;
    }
    let requests = |id: &str| value("ferrochat_logic_client_requests_total", &[("instance", id)]);
    assert!(requests(&id_a).unwrap() >= a.calls() as f64);
    assert!(
        requests(&id_b).unwrap() > b.calls() as f64,
        "calls to dead b"
    );
    let failures = value(
        "ferrochat_logic_client_failures_total",
        &[("instance", &id_b)],
    );
    assert!(failures.unwrap() >= 2.0);
    assert_eq!(
        value(
            "ferrochat_logic_client_failures_total",
            &[("instance", &id_a)]
        ),
        Some(0.0),
        "a never failed"
    );
    let opened = value(
        "ferrochat_logic_client_breaker_transitions_total",
        &[("instance", &id_b), ("to", "open")],
    );
    assert!(opened.unwrap() >= 1.0);
    let gauge = value(
        "ferrochat_logic_client_breaker_state",
        &[("instance", &id_b)],
    );
    assert!(gauge.unwrap() >= 1.0, "open or half-open");
    assert_eq!(
        value(
            "ferrochat_logic_client_breaker_state",
            &[("instance", &id_a)]
        ),
        Some(0.0)
    );
    assert!(
        value(
            "ferrochat_logic_client_retries_total",
            &[("rpc", "get_user")]
        )
        .unwrap()
            >= 1.0
    );
    let calls = value(
        "ferrochat_logic_client_call_seconds_count",
        &[("rpc", "get_user")],
    );
    assert!(calls.unwrap() >= 16.0);

    let errors = || plain("ferrochat_logic_client_discovery_errors_total").unwrap_or(0.0);
    let before = errors();
    listed.fail(true);
    eventually("a discovery error counted", || errors() > before).await;
}
