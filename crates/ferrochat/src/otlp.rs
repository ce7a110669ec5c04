//! `[telemetry]`: tracing exported over OTLP (docs/deploy.md, "Tracing").
//! Off unless `otlp_endpoint` is set; then the spans of `ferrochat-trace`
//! go to a collector through the OpenTelemetry SDK's batch processor (a
//! bounded queue: spans past it are dropped and counted by the SDK, the
//! server never waits), exported over gRPC every `export_interval` and
//! once more at shutdown.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};
use opentelemetry_sdk::Resource;
use serde::{Deserialize, Serialize};

/// Largest span queue: each waiting span holds its attributes in memory.
const MOST_QUEUED_SPANS: usize = 1 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// The OTLP/gRPC endpoint of a collector, e.g.
    /// `http://127.0.0.1:4317`. Unset: no spans are made or exported.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of this process's spans. Unset: `ferrochat` for
    /// `serve`, `ferrochat-<role>` for a cluster role.
    pub service_name: Option<String>,
    /// The share of new traces kept, 0.0 to 1.0; a trace begun elsewhere
    /// is kept or not as its parent was (parent-based sampling), so one
    /// send is whole or absent.
    pub sample_ratio: f64,
    /// Spans waiting for export at most; more are dropped.
    pub queue_spans: usize,
    /// How often waiting spans are sent.
    #[serde(with = "humantime_serde")]
    pub export_interval: Duration,
    /// How long one export may take.
    #[serde(with = "humantime_serde")]
    pub export_timeout: Duration,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            service_name: None,
            sample_ratio: 1.0,
            queue_spans: 4096,
            export_interval: Duration::from_secs(5),
            export_timeout: Duration::from_secs(10),
        }
    }
}

impl TelemetryConfig {
    /// What `Config::check` refuses: the key and why.
    pub(crate) fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(endpoint) = &self.otlp_endpoint {
            let uri: http::Uri = endpoint
                .parse()
                .map_err(|e| ("telemetry.otlp_endpoint", format!("{endpoint:?}: {e}")))?;
            if uri.scheme_str() != Some("http") || uri.host().is_none() {
                return Err((
                    "telemetry.otlp_endpoint",
                    format!("{endpoint:?}: must be http://host:port (OTLP over plain gRPC)"),
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.sample_ratio) {
            return Err(("telemetry.sample_ratio", "must be 0.0 to 1.0".to_owned()));
        }
        if !(1..=MOST_QUEUED_SPANS).contains(&self.queue_spans) {
            return Err((
                "telemetry.queue_spans",
                format!("must be 1 to {MOST_QUEUED_SPANS}"),
            ));
        }
        if self.export_interval.is_zero() || self.export_timeout.is_zero() {
            return Err((
                "telemetry.export_interval",
                "and telemetry.export_timeout must be above 0".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The exporter of a process whose spans are exported: shut it down
/// last, so the spans still queued are sent.
pub struct TraceExport {
    provider: SdkTracerProvider,
    /// `telemetry.export_timeout`: how long the last export may take.
    timeout: Duration,
}

impl TraceExport {
    /// Sends what is queued and stops; waits at most the export timeout.
    pub fn shutdown(self) {
        if let Err(e) = self.provider.shutdown_with_timeout(self.timeout) {
            tracing::warn!(error = %e, "the last spans could not be exported");
        }
    }
}

/// The exporter and the tracer its layer records into; `None` when
/// `otlp_endpoint` is unset. Must run inside the Tokio runtime (the gRPC
/// client's connection lives on it).
pub(crate) fn exporter(
    config: &TelemetryConfig,
    default_service: &str,
) -> Result<Option<(TraceExport, opentelemetry_sdk::trace::Tracer)>, String> {
    let Some(endpoint) = &config.otlp_endpoint else {
        return Ok(None);
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint.clone())
        .with_timeout(config.export_timeout)
        .build()
        .map_err(|e| format!("telemetry.otlp_endpoint: {e}"))?;
    let batch = BatchConfigBuilder::default()
        .with_max_queue_size(config.queue_spans)
        .with_max_export_batch_size(config.queue_spans.min(512))
        .with_scheduled_delay(config.export_interval)
        .build();
    let service = config
        .service_name
        .clone()
        .unwrap_or_else(|| default_service.to_owned());
    let provider = SdkTracerProvider::builder()
        .with_span_processor(
            BatchSpanProcessor::builder(exporter)
                .with_batch_config(batch)
                .build(),
        )
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            config.sample_ratio,
        ))))
        .with_resource(Resource::builder().with_service_name(service).build())
        .build();
    let tracer = provider.tracer("ferrochat");
    let export = TraceExport {
        provider,
        timeout: config.export_timeout,
    };
    Ok(Some((export, tracer)))
}
