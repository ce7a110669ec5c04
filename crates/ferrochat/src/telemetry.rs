//! Logs (tracing: JSON, or text on a terminal) and metrics (a Prometheus
//! recorder with process metrics).

use std::io::IsTerminal as _;
use std::sync::{Arc, OnceLock};

use ferrochat_gateway::MetricsRender;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogConfig;

/// Installs the global log subscriber. Call once, from `main`.
pub fn init_logs(cfg: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match cfg.format.as_str() {
        "json" => true,
        "text" => false,
        _ => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Latency buckets for every `*_seconds` histogram: 100 µs to 10 s.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// The process-wide metrics recorder. The `metrics` facade is global by
/// design, so several apps in one process (as in tests) share it.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("seconds".to_owned()), BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder is installed; ours then renders
        // an empty page instead of taking the process down.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        metrics_process::Collector::default().describe();
        handle
    })
}

/// Renders `/metrics`: process metrics are sampled on each scrape.
pub fn metrics_render() -> MetricsRender {
    let handle = handle();
    let collector = metrics_process::Collector::default();
    Arc::new(move || {
        collector.collect();
        handle.render()
    })
}

/// Drains histogram buffers; call periodically.
pub fn metrics_upkeep() {
    handle().run_upkeep();
}
