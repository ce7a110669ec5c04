//! Logs (tracing: JSON, or text on a terminal), trace spans over OTLP
//! (`otlp.rs`, when configured) and metrics (a Prometheus recorder with
//! process metrics).

use std::io::IsTerminal as _;
use std::sync::{Arc, OnceLock};

use ferrochat_gateway::MetricsRender;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{filter, EnvFilter, Layer, Registry};

use crate::config::{LogConfig, TelemetryConfig};
use crate::otlp::TraceExport;

/// Installs the global log subscriber. Call once, from `main`.
pub fn init_logs(cfg: &LogConfig) {
    let builder = tracing_subscriber::fmt().with_env_filter(log_filter(cfg));
    let _ = if json_logs(cfg) {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Installs the global subscriber: the logs, and with `[telemetry]
/// otlp_endpoint` the exporter of the trace spans (`ferrochat-trace`),
/// which is returned to be shut down last. Call once, from `main`, inside
/// the runtime. `service` names this process's spans unless configured.
pub fn init_logs_and_traces(
    log: &LogConfig,
    telemetry: &TelemetryConfig,
    service: &str,
) -> Result<Option<TraceExport>, String> {
    let Some((export, tracer)) = crate::otlp::exporter(telemetry, service)? else {
        init_logs(log);
        return Ok(None);
    };
    // The trace spans go to the exporter alone, the rest to the logs alone.
    let logs_filter = log_filter(log).add_directive(
        format!("{}=off", ferrochat_trace::TARGET)
            .parse()
            .map_err(|e| format!("the logs' filter: {e}"))?,
    );
    let logs: Box<dyn Layer<Registry> + Send + Sync> = if json_logs(log) {
        Box::new(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_filter(logs_filter),
        )
    } else {
        Box::new(tracing_subscriber::fmt::layer().with_filter(logs_filter))
    };
    // Only what a span of a send needs: its name, times, parent and
    // links. Each attribute left out (source location, thread, target,
    // busy and idle times) and the OpenTelemetry context switched at every
    // span entry (nothing here reads it) are CPU on every hop of a send
    // (docs/benchmarks.md, "Tracing over OTLP").
    let spans = tracing_opentelemetry::layer()
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
        .with_tracer(tracer)
        .with_filter(filter::filter_fn(|m| m.target() == ferrochat_trace::TARGET));
    tracing_subscriber::registry()
        .with(logs)
        .with(spans)
        .try_init()
        .map_err(|e| format!("the tracing subscriber: {e}"))?;
    ferrochat_trace::turn_on();
    Ok(Some(export))
}

fn log_filter(cfg: &LogConfig) -> EnvFilter {
    EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.level))
        .unwrap_or_else(|_| EnvFilter::new("info"))
}

fn json_logs(cfg: &LogConfig) -> bool {
    match cfg.format.as_str() {
        "json" => true,
        "text" => false,
        _ => !std::io::stdout().is_terminal(),
    }
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
