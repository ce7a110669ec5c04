//! A run's results: counts, rates, latency percentiles, server CPU and
//! memory; printed as a table or JSON.

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::args::BenchArgs;
use crate::conn::Shared;
use crate::proc_stats::Sample;
use crate::track::Latencies;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub target: String,
    pub scenario: &'static str,
    pub clients: usize,
    pub senders: usize,
    /// Offered messages/s over all senders; 0 is flat out.
    pub rate_offered: u64,
    /// From the first send to the last ack or delivery.
    pub seconds: f64,
    pub sent: u64,
    pub acked: u64,
    pub errors: u64,
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub resynced: u64,
    pub foreign: u64,
    pub dropped_connections: u64,
    pub acked_per_s: f64,
    pub deliveries_per_s: f64,
    pub ack_latency_ms: Percentiles,
    pub deliver_latency_ms: Percentiles,
    pub resync_latency_ms: Percentiles,
    pub server: Option<ProcUse>,
    pub bench: Option<ProcUse>,
    pub idle: Option<Idle>,
    pub first_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcUse {
    /// Percent of one core over the measured phase.
    pub cpu_percent: f64,
    pub rss_start_bytes: u64,
    pub rss_end_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Idle {
    pub connections: u64,
    pub answered_ping: u64,
    pub server_rss_per_connection_bytes: Option<u64>,
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        args: &BenchArgs,
        target: &str,
        shared: &Shared,
        lat: &Latencies,
        started_ns: u64,
        before: (Option<Sample>, Option<Sample>),
        after: (Option<Sample>, Option<Sample>),
        clients: usize,
        senders: usize,
    ) -> Self {
        let c = &shared.counters;
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Relaxed);
        let (expected, delivered) = (load(&c.expected), load(&c.delivered));
        let secs = |end_ns: u64| end_ns.saturating_sub(started_ns) as f64 / 1e9;
        let rate = |n: u64, end_ns: u64| {
            let s = secs(end_ns);
            if s > 0.0 {
                n as f64 / s
            } else {
                0.0
            }
        };
        let (last_ack, last_del) = (load(&c.last_ack_ns), load(&c.last_delivery_ns));
        let proc_use = |b: Option<Sample>, a: Option<Sample>| {
            Some(ProcUse {
                cpu_percent: a?.cpu_percent_since(&b?),
                rss_start_bytes: b?.rss_bytes,
                rss_end_bytes: a?.rss_bytes,
            })
        };
        Self {
            target: target.to_owned(),
            scenario: args.scenario.name(),
            clients,
            senders,
            rate_offered: args.rate,
            seconds: secs(last_ack.max(last_del)),
            sent: load(&c.sent),
            acked: load(&c.acked),
            errors: load(&c.errors),
            expected,
            delivered,
            lost: expected.saturating_sub(delivered),
            duplicated: load(&c.duplicated),
            out_of_order: load(&c.out_of_order),
            resynced: load(&c.resynced),
            foreign: load(&c.foreign),
            dropped_connections: load(&c.dropped),
            acked_per_s: rate(load(&c.acked), last_ack),
            deliveries_per_s: rate(delivered, last_del),
            ack_latency_ms: percentiles(&lat.ack),
            deliver_latency_ms: percentiles(&lat.deliver),
            resync_latency_ms: percentiles(&lat.resync),
            server: proc_use(before.0, after.0),
            bench: proc_use(before.1, after.1),
            idle: None,
            first_error: c.first_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Nothing lost, duplicated, out of order, refused or dropped.
    pub fn ok(&self) -> bool {
        let idle_ok = self
            .idle
            .as_ref()
            .is_none_or(|i| i.answered_ping == i.connections);
        self.lost == 0
            && self.duplicated == 0
            && self.out_of_order == 0
            && self.errors == 0
            && self.dropped_connections == 0
            && self.sent == self.acked
            && idle_ok
    }
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    Percentiles {
        count: h.len(),
        p50: ms(0.5),
        p90: ms(0.9),
        p99: ms(0.99),
        p999: ms(0.999),
        max: h.max() as f64 / 1000.0,
    }
}

/// ferrochat's throughput over the relay's: deliveries/s where the
/// scenario delivers, acks/s otherwise.
pub fn ratio(ours: &Report, relay: &Report) -> Option<f64> {
    let (a, b) = if relay.deliveries_per_s > 0.0 {
        (ours.deliveries_per_s, relay.deliveries_per_s)
    } else {
        (ours.acked_per_s, relay.acked_per_s)
    };
    (b > 0.0).then(|| a / b)
}

pub fn json(report: &Report, relay: Option<&Report>) -> String {
    let v = serde_json::json!({
        "report": report,
        "relay": relay,
        "relay_ratio": relay.and_then(|r| ratio(report, r)),
        "ok": report.ok() && relay.is_none_or(Report::ok),
    });
    v.to_string()
}

pub fn table(report: &Report, relay: Option<&Report>) -> String {
    let mut cols = vec![report];
    cols.extend(relay);
    let mut out = String::new();
    let row = |out: &mut String, name: &str, f: &dyn Fn(&Report) -> String| {
        let _ = write!(out, "{name:<30}");
        for r in &cols {
            let _ = write!(out, "{:>26}", f(r));
        }
        out.push('\n');
    };
    row(&mut out, "", &|r| r.target.clone());
    row(&mut out, "scenario", &|r| r.scenario.to_owned());
    row(&mut out, "clients / senders", &|r| {
        format!("{} / {}", r.clients, r.senders)
    });
    row(&mut out, "offered rate (msg/s)", &|r| {
        if r.rate_offered == 0 {
            "flat out".into()
        } else {
            r.rate_offered.to_string()
        }
    });
    row(&mut out, "seconds", &|r| format!("{:.2}", r.seconds));
    row(&mut out, "sent / acked", &|r| {
        format!("{} / {}", r.sent, r.acked)
    });
    row(&mut out, "expected / delivered", &|r| {
        format!("{} / {}", r.expected, r.delivered)
    });
    row(&mut out, "lost / dup / out-of-order", &|r| {
        format!("{} / {} / {}", r.lost, r.duplicated, r.out_of_order)
    });
    row(&mut out, "errors / dropped conns", &|r| {
        format!("{} / {}", r.errors, r.dropped_connections)
    });
    if report.resynced > 0 {
        row(&mut out, "resynced", &|r| r.resynced.to_string());
    }
    row(&mut out, "acked msg/s", &|r| {
        format!("{:.0}", r.acked_per_s)
    });
    row(&mut out, "deliveries/s", &|r| {
        format!("{:.0}", r.deliveries_per_s)
    });
    let pct = |p: &Percentiles| format!("{:.2}/{:.2}/{:.2}/{:.2}", p.p50, p.p90, p.p99, p.p999);
    row(&mut out, "send->ack ms p50/90/99/99.9", &|r| {
        pct(&r.ack_latency_ms)
    });
    row(
        &mut out,
        "send->deliver ms",
        &|r| pct(&r.deliver_latency_ms),
    );
    if report.resync_latency_ms.count > 0 {
        row(
            &mut out,
            "reconnect+sync ms",
            &|r| pct(&r.resync_latency_ms),
        );
    }
    let cpu = |p: &Option<ProcUse>| {
        p.as_ref().map_or("-".into(), |p| {
            format!(
                "{:.0}% {:.1} MiB",
                p.cpu_percent,
                p.rss_end_bytes as f64 / 1048576.0
            )
        })
    };
    row(&mut out, "server cpu / rss", &|r| cpu(&r.server));
    row(&mut out, "bench cpu / rss", &|r| cpu(&r.bench));
    if let Some(i) = &report.idle {
        let _ = writeln!(
            out,
            "idle: {} connections, {} answered ping, server rss per connection: {}",
            i.connections,
            i.answered_ping,
            i.server_rss_per_connection_bytes
                .map_or("-".into(), |b| format!(
                    "{b} B ({:.2} KiB)",
                    b as f64 / 1024.0
                ))
        );
    }
    if let Some(r) = relay.and_then(|rel| ratio(report, rel)) {
        let _ = writeln!(out, "ferrochat / null relay throughput: {r:.3}");
    }
    for r in &cols {
        if let Some(e) = &r.first_error {
            let _ = writeln!(out, "{} first error: {e}", r.target);
        }
    }
    let ok = report.ok() && relay.is_none_or(Report::ok);
    let _ = writeln!(
        out,
        "{}",
        if ok {
            "OK"
        } else {
            "FAILED: see the counts above"
        }
    );
    out
}
