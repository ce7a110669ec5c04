//! `[telemetry] otlp_endpoint`: one send is one trace, from the gateway
//! that took it to the gateway that pushed it to the receiving socket,
//! checked at a real OTLP receiver (`scripts/otlp-receiver.py`, the
//! official `opentelemetry-proto` TraceService on grpcio) on 127.0.0.1:
//! the embedded server (its bus as the suite's mode says: in process, or
//! Kafka, whose record headers then carry the context), and the cluster
//! roles in their own processes, where the context crosses Kafka records
//! and gRPC metadata (gateway -> logic -> repo).
//!
//! Needs the test servers' env (`scripts/services up`) for the receiver's
//! venv; the cluster case needs MariaDB, Kafka, Redis and etcd too.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::binary::Server;
use crate::procs::{Cluster, BIN, CONVERGE};
use crate::support::TestApp;

/// The OTLP receiver in a child process; what it received, one span each.
struct Receiver {
    child: Child,
    spans: Arc<Mutex<Vec<Value>>>,
    /// `http://127.0.0.1:PORT`, for `telemetry.otlp_endpoint`.
    endpoint: String,
}

impl Receiver {
    fn start() -> Self {
        let python = ferrochat_test_support::service(ferrochat_test_support::OTLP_PYTHON);
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/otlp-receiver.py"
        );
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the OTLP receiver starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let port = first["listening"].as_u64().expect("the receiver's port");
        let spans = Arc::new(Mutex::new(Vec::new()));
        let sink = spans.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).unwrap());
            }
        });
        Self {
            child,
            spans,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The spans of the trace of the one span named `root`, once it holds
    /// a span named each of `names` (panics after `CONVERGE`).
    async fn trace(&self, root: &str, names: &[&str]) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + CONVERGE;
        loop {
            let spans = self.spans.lock().unwrap().clone();
            let roots: Vec<&Value> = spans.iter().filter(|s| s["name"] == root).collect();
            assert!(roots.len() <= 1, "one {root} span: {roots:?}");
            if let Some(root) = roots.first() {
                let trace: Vec<Value> = spans
                    .iter()
                    .filter(|s| s["trace_id"] == root["trace_id"])
                    .cloned()
                    .collect();
                if names.iter().all(|n| trace.iter().any(|s| s["name"] == *n)) {
                    return trace;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no trace of {root} with {names:?}; received: {spans:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Closing its stdin stops it; kill it anyway.
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one span of `trace` named `name`.
fn span<'a>(trace: &'a [Value], name: &str) -> &'a Value {
    let named: Vec<&Value> = trace.iter().filter(|s| s["name"] == name).collect();
    assert_eq!(named.len(), 1, "one {name} span in {trace:#?}");
    named[0]
}

fn is_child(child: &Value, parent: &Value) -> bool {
    child["parent_span_id"] == parent["span_id"]
}

/// Alice sends bob one message over her WebSocket; bob's socket gets it.
async fn one_send(from: &TestApp, to: &TestApp) {
    let alice = from.new_user("alice").await;
    let bob = to.new_user("bob").await;
    let dm = from.open_single(&alice.access, &bob.user_id).await;
    let mut a_ws = from.ws_connect(&alice.access).await;
    let mut b_ws = to.ws_connect(&bob.access).await;
    a_ws.send_ok(json!({"conversation_id": dm, "client_msg_id": "traced", "content": "hi bob"}))
        .await;
    b_ws.recv_until(|f| f["type"] == "new-message").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_on_serve_is_one_trace_from_the_gateway_to_the_receiving_socket() {
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    // The default export interval (5 s) is not waited for: the spans
    // still queued are sent at shutdown.
    let mut server = Server::start_with(
        dir.path(),
        &[("FERROCHAT_TELEMETRY__OTLP_ENDPOINT", &receiver.endpoint)],
    );
    let app = TestApp::at(server.base.clone());
    one_send(&app, &app).await;
    assert!(server.sigterm().success());

    let trace = receiver
        .trace(
            "gateway.send",
            &[
                "logic.check",
                "logic.commit",
                "logic.fanout",
                "gateway.answer",
                "gateway.push",
            ],
        )
        .await;
    assert!(trace.iter().all(|s| s["service"] == "ferrochat"));
    let send = span(&trace, "gateway.send");
    assert_eq!(send["parent_span_id"], "", "the send is the trace's root");
    // Each stage follows the send's own context, carried on the bus.
    for stage in [
        "logic.check",
        "logic.commit",
        "logic.fanout",
        "gateway.answer",
        "gateway.push",
    ] {
        assert!(
            is_child(span(&trace, stage), send),
            "{stage} under gateway.send"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_send_across_the_cluster_roles_is_one_trace_over_kafka_and_grpc() {
    let receiver = Receiver::start();
    let cluster = Cluster::new(&[
        ("TELEMETRY__OTLP_ENDPOINT", &receiver.endpoint),
        ("TELEMETRY__EXPORT_INTERVAL", "200ms"),
    ])
    .await;
    let roles = cluster.full().await;
    // Alice on one gateway, bob on the other.
    one_send(&roles.gateway(0), &roles.gateway(1)).await;

    let commit_rpc = "/ferrochat.v1.RepoService/CommitMessages";
    let trace = receiver
        .trace(
            "gateway.send",
            &[
                "logic.check",
                "logic.commit",
                commit_rpc,
                "logic.fanout",
                "gateway.answer",
                "gateway.push",
            ],
        )
        .await;
    let service = |name: &str| span(&trace, name)["service"].as_str().unwrap().to_owned();
    assert_eq!(service("gateway.send"), "ferrochat-gateway");
    assert_eq!(service("logic.check"), "ferrochat-logic");
    assert_eq!(service(commit_rpc), "ferrochat-repo");
    assert_eq!(service("gateway.push"), "ferrochat-gateway");
    // Over Kafka (upstream, downstream) and over gRPC (logic -> repo).
    let send = span(&trace, "gateway.send");
    assert!(is_child(span(&trace, "logic.check"), send));
    assert!(is_child(span(&trace, "gateway.push"), send));
    assert!(is_child(
        span(&trace, commit_rpc),
        span(&trace, "logic.commit")
    ));
}

#[test]
fn a_bad_telemetry_setting_exits_64_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("TELEMETRY__OTLP_ENDPOINT", "https://collector:4317"),
        ("TELEMETRY__OTLP_ENDPOINT", "collector:4317"),
        ("TELEMETRY__OTLP_ENDPOINT", "http://"),
        ("TELEMETRY__SAMPLE_RATIO", "1.5"),
        ("TELEMETRY__QUEUE_SPANS", "0"),
        ("TELEMETRY__EXPORT_INTERVAL", "0s"),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .env(format!("FERROCHAT_{key}"), value)
            .output()
            .unwrap();
        let named = key.to_lowercase().replace("__", ".");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{key}={value}: {said}");
        assert!(said.contains(&named), "{key}={value}: {said}");
    }
}
