//! A run's results: counts, rates, latency percentiles, server CPU and
//! memory; printed as a table or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::args::BenchArgs;
use crate::bus_hops::BusHop;
use crate::chaos;
use crate::conn::{ReaderState, Shared};
use crate::proc_stats::Sample;
use crate::track::Latencies;

#[derive(Debug, Clone, Default, Serialize)]
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
    /// Sends answered with `error`, by code.
    pub refused: BTreeMap<u64, u64>,
    /// A second answer to one request id.
    pub repeated_acks: u64,
    /// Sends never answered (still waiting when the run ended).
    pub unanswered: u64,
    pub expected: u64,
    pub delivered: u64,
    /// Acked messages a recipient never got (each message counted once
    /// per recipient that lacks it).
    pub lost: u64,
    /// Live frames whose seq the receiver already had (the client drops
    /// them; allowed on the wire, and expected after a crash).
    pub duplicated: u64,
    /// A message that came again under another seq: it got past the
    /// client's drop-by-seq.
    pub duplicated_messages: u64,
    /// Seqs acked for two different messages: the store lost a committed
    /// message and numbered another with its seq (a client that has the
    /// first drops the second as a repeat).
    pub reused_seqs: u64,
    pub out_of_order: u64,
    pub resynced: u64,
    pub foreign: u64,
    pub dropped_connections: u64,
    pub reconnects: u64,
    pub acked_per_s: f64,
    pub deliveries_per_s: f64,
    pub ack_latency_ms: Percentiles,
    pub deliver_latency_ms: Percentiles,
    pub resync_latency_ms: Percentiles,
    pub server: Option<ProcUse>,
    pub bench: Option<ProcUse>,
    /// CPU of each watched process (a cluster's roles and services, and
    /// the bench) over the measured phase.
    pub processes: Vec<ProcCpu>,
    /// The bus's own timing of each kind of topic (a cluster's roles).
    pub bus: Vec<BusHop>,
    pub idle: Option<Idle>,
    /// The search scenario's query phase.
    pub search: Option<crate::search_load::SearchStats>,
    /// The attachments scenario's transfers.
    pub attachments: Option<crate::attach_load::AttachmentStats>,
    pub chaos: Option<Chaos>,
    pub first_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcCpu {
    pub name: String,
    /// None when it could not be read (not running at one of the samples).
    pub cpu_seconds: Option<f64>,
    pub cpu_seconds_per_1000_acked: Option<f64>,
}

/// What a chaos run did and how the cluster took it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Chaos {
    pub killed: String,
    pub restarted_empty: bool,
    /// Seconds from the first send.
    pub killed_at_s: Option<f64>,
    pub restarted_at_s: Option<f64>,
    pub ready_at_s: Option<f64>,
    /// From the kill until every sender that stalled got acks again: the
    /// end of the last wait for an ack longer than `stall_threshold_s`
    /// that ended after the kill. 0 when no sender waited that long; None
    /// when a sender got no ack after the kill at all.
    pub recovery_s: Option<f64>,
    /// 1 s, or twice the longest wait between two acks of one sender
    /// before the kill, if that is longer.
    pub stall_threshold_s: f64,
    /// Senders that waited longer than the threshold after the kill.
    pub stalled_senders: u64,
    pub error: Option<String>,
}

/// The chaos section of a report: when things happened, and how long
/// acks took to flow again (from each sender's ack times).
pub(crate) fn chaos(
    plan: &chaos::Plan,
    outcome: &chaos::Outcome,
    states: &[ReaderState],
    senders: &[usize],
    started_ns: u64,
    send_end_ns: u64,
) -> Chaos {
    let at = |ns: Option<u64>| ns.map(|n| n.saturating_sub(started_ns) as f64 / 1e9);
    let mut out = Chaos {
        killed: plan.name.clone(),
        restarted_empty: plan.empty,
        killed_at_s: at(outcome.killed_ns),
        restarted_at_s: at(outcome.restarted_ns),
        ready_at_s: at(outcome.ready_ns),
        recovery_s: None,
        stall_threshold_s: 1.0,
        stalled_senders: 0,
        error: outcome.error.clone(),
    };
    let Some(killed) = outcome.killed_ns else {
        return out;
    };
    let acks: Vec<Vec<u64>> = states
        .iter()
        .filter(|s| senders.contains(&s.user))
        .map(|s| {
            let mut t: Vec<u64> = s.ack_times.iter().map(|&(_, acked)| acked).collect();
            t.sort_unstable();
            t
        })
        .collect();
    let before_gap = acks
        .iter()
        .flat_map(|t| {
            t.windows(2).filter_map(|w| match w {
                [a, b] if *b < killed => Some(b - a),
                _ => None,
            })
        })
        .max()
        .unwrap_or(0);
    let threshold = before_gap.saturating_mul(2).max(1_000_000_000);
    out.stall_threshold_s = threshold as f64 / 1e9;
    let mut recovery = Some(0u64);
    for t in &acks {
        // Before its first ack after the kill, a sender waited from its
        // last ack before it (or the kill).
        let Some(first_after) = t.iter().position(|&x| x > killed) else {
            if t.last().is_none_or(|&l| l < send_end_ns) {
                recovery = None;
                out.stalled_senders += 1;
            }
            continue;
        };
        let mut stalled_until = None;
        let mut prev = first_after
            .checked_sub(1)
            .and_then(|i| t.get(i).copied())
            .unwrap_or(killed);
        for &x in t.iter().skip(first_after) {
            if x - prev > threshold {
                stalled_until = Some(x);
            }
            prev = x;
        }
        if let Some(end) = stalled_until {
            out.stalled_senders += 1;
            recovery = recovery.map(|r| r.max(end - killed));
        }
    }
    out.recovery_s = recovery.map(|r| r as f64 / 1e9);
    out
}

#[derive(Debug, Clone, Default, Serialize)]
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
        lost: u64,
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
            clients: 0,
            senders: 0,
            rate_offered: args.rate,
            seconds: secs(last_ack.max(last_del)),
            sent: load(&c.sent),
            acked: load(&c.acked),
            errors: load(&c.errors),
            refused: c.refused.lock().map(|r| r.clone()).unwrap_or_default(),
            repeated_acks: load(&c.repeated_acks),
            unanswered: 0,
            expected,
            delivered,
            lost,
            duplicated: load(&c.duplicated),
            duplicated_messages: load(&c.duplicated_messages),
            reused_seqs: 0,
            out_of_order: load(&c.out_of_order),
            resynced: load(&c.resynced),
            foreign: load(&c.foreign),
            dropped_connections: load(&c.dropped),
            reconnects: load(&c.reconnects),
            acked_per_s: rate(load(&c.acked), last_ack),
            deliveries_per_s: rate(delivered, last_del),
            ack_latency_ms: percentiles(&lat.ack),
            deliver_latency_ms: percentiles(&lat.deliver),
            resync_latency_ms: percentiles(&lat.resync),
            server: proc_use(before.0, after.0),
            bench: proc_use(before.1, after.1),
            processes: Vec::new(),
            bus: Vec::new(),
            idle: None,
            search: None,
            attachments: None,
            chaos: None,
            first_error: c.first_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Each process's CPU, and per 1,000 acked messages.
    pub(crate) fn set_processes(&mut self, procs: Vec<(String, Option<f64>)>) {
        let acked = self.acked;
        self.processes = procs
            .into_iter()
            .map(|(name, cpu)| ProcCpu {
                name,
                cpu_seconds: cpu,
                cpu_seconds_per_1000_acked: cpu
                    .filter(|_| acked > 0)
                    .map(|c| c * 1000.0 / acked as f64),
            })
            .collect();
    }

    /// Nothing lost, delivered twice past the client's drop-by-seq, out of
    /// order, or answered twice; and, unless a process was killed on
    /// purpose, nothing refused (but 1007, slow down), redelivered or
    /// dropped either.
    pub fn ok(&self) -> bool {
        let idle_ok = self
            .idle
            .as_ref()
            .is_none_or(|i| i.answered_ping == i.connections)
            && self.search.as_ref().is_none_or(|s| s.errors == 0)
            && self.attachments.as_ref().is_none_or(|s| s.errors == 0);
        // Every send is answered by the end of the drain, even in a run
        // with a kill (acked, or refused so the client resends): a send
        // still waiting means the cluster never came back.
        let always = self.unanswered == 0
            && self.lost == 0
            && self.duplicated_messages == 0
            && self.reused_seqs == 0
            && self.out_of_order == 0
            && self.repeated_acks == 0
            && idle_ok;
        if self.chaos.is_some() {
            return always;
        }
        // 1007 is the server slowing senders down (a large group's
        // delivery lags): a refused send is not stored, so not expected.
        let slowed = self.refused.get(&1007).copied().unwrap_or(0);
        always
            && self.duplicated == 0
            && self.errors == slowed
            && self.dropped_connections == 0
            && self.sent == self.acked + slowed
    }
}

pub(crate) fn percentiles(h: &Histogram<u64>) -> Percentiles {
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
    row(&mut out, "dup msgs / reused seqs / 2nd acks", &|r| {
        format!(
            "{} / {} / {}",
            r.duplicated_messages, r.reused_seqs, r.repeated_acks
        )
    });
    row(&mut out, "errors / dropped conns", &|r| {
        format!("{} / {}", r.errors, r.dropped_connections)
    });
    if !report.refused.is_empty() {
        row(&mut out, "refused by code", &|r| {
            let v: Vec<String> = r.refused.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            v.join(", ")
        });
    }
    if report.reconnects > 0 || report.unanswered > 0 {
        row(&mut out, "reconnects / unanswered", &|r| {
            format!("{} / {}", r.reconnects, r.unanswered)
        });
    }
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
    if let Some(s) = &report.search {
        let l = &s.latency_ms;
        let _ = writeln!(
            out,
            "search: {} queries ({:.0}/s), {} errors, {:.1} results per answer, {} empty; latency ms p50 {:.2} p90 {:.2} p99 {:.2} p99.9 {:.2} max {:.2}",
            s.queries, s.queries_per_s, s.errors, s.mean_results, s.empty, l.p50, l.p90, l.p99, l.p999, l.max
        );
        if let Some(e) = &s.first_error {
            let _ = writeln!(out, "search: first error: {e}");
        }
    }
    if let Some(s) = &report.attachments {
        let (u, d) = (&s.upload_ms, &s.download_ms);
        let _ = writeln!(
            out,
            "attachments: {} byte files{}, {} up ({:.1} MiB/s), {} down ({:.1} MiB/s), {} errors; upload ms p50 {:.1} p99 {:.1} max {:.1}; download ms p50 {:.1} p99 {:.1} max {:.1}",
            s.file_bytes, chunked(s.chunk_bytes), s.uploads, s.upload_mib_per_s, s.downloads, s.download_mib_per_s, s.errors,
            u.p50, u.p99, u.max, d.p50, d.p99, d.max
        );
        if let Some(e) = &s.first_error {
            let _ = writeln!(out, "attachments: first error: {e}");
        }
    }
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
    if !report.processes.is_empty() {
        let _ = writeln!(
            out,
            "{:<30}{:>12}{:>26}",
            "process", "cpu s", "cpu s / 1,000 acked"
        );
        for p in &report.processes {
            let f = |v: Option<f64>, prec: usize| v.map_or("-".into(), |v| format!("{v:.prec$}"));
            let _ = writeln!(
                out,
                "{:<30}{:>12}{:>26}",
                p.name,
                f(p.cpu_seconds, 2),
                f(p.cpu_seconds_per_1000_acked, 3)
            );
        }
    }
    if !report.bus.is_empty() {
        let _ = writeln!(
            out,
            "{:<30}{:>12}{:>14}{:>12}{:>18}",
            "bus topic", "published", "publish ms", "consumed", "hop delay ms"
        );
        for h in &report.bus {
            let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
            let _ = writeln!(
                out,
                "{:<30}{:>12}{:>14}{:>12}{:>18}",
                h.topic,
                h.published,
                f(h.publish_ms_mean),
                h.consumed,
                f(h.consume_delay_ms_mean)
            );
        }
    }
    if let Some(c) = &report.chaos {
        let s = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.2} s"));
        let _ = writeln!(
            out,
            "chaos: {}{} SIGKILLed at {}, started again at {}, ready at {}",
            c.killed,
            if c.restarted_empty {
                " (restarted empty)"
            } else {
                ""
            },
            s(c.killed_at_s),
            s(c.restarted_at_s),
            s(c.ready_at_s)
        );
        let _ = writeln!(
            out,
            "chaos: recovery {} ({} sender(s) waited over {:.2} s for an ack after the kill)",
            c.recovery_s.map_or(
                "never: a sender got no ack after the kill".into(),
                |v| format!("{v:.2} s")
            ),
            c.stalled_senders,
            c.stall_threshold_s
        );
        if let Some(e) = &c.error {
            let _ = writeln!(out, "chaos failed: {e}");
        }
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

/// How the attachments scenario uploaded: in chunks, or not.
fn chunked(chunk_bytes: usize) -> String {
    if chunk_bytes == 0 {
        String::new()
    } else {
        format!(" in {chunk_bytes} byte chunks")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chaos_run() -> Report {
        Report {
            sent: 10,
            acked: 10,
            expected: 10,
            delivered: 10,
            chaos: Some(Chaos::default()),
            ..Report::default()
        }
    }

    #[test]
    fn a_run_with_a_kill_whose_sends_were_all_answered_is_ok() {
        assert!(chaos_run().ok());
    }

    #[test]
    fn a_run_with_a_kill_and_sends_never_answered_is_not_ok() {
        let r = Report {
            acked: 8,
            expected: 8,
            delivered: 8,
            unanswered: 2,
            ..chaos_run()
        };
        assert!(!r.ok());
    }
}
