//! A process's CPU time and resident memory: from /proc for a local pid,
//! or from a server's `/metrics` (process_cpu_seconds_total,
//! process_resident_memory_bytes).

use std::time::Instant;

use crate::target::Target;

/// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Instant,
    pub cpu_secs: f64,
    pub rss_bytes: u64,
}

impl Sample {
    /// CPU used between two samples, as a percentage of one core.
    pub fn cpu_percent_since(&self, earlier: &Sample) -> f64 {
        let wall = self.at.duration_since(earlier.at).as_secs_f64();
        if wall <= 0.0 {
            return 0.0;
        }
        100.0 * (self.cpu_secs - earlier.cpu_secs) / wall
    }
}

/// Samples the target server, if it can be watched at all.
pub async fn server(target: &Target, http: &reqwest::Client) -> Option<Sample> {
    if let Some(pid) = target.pid {
        return local(pid);
    }
    if !target.metrics {
        return None;
    }
    let text = http
        .get(format!("{}/metrics", target.base_url()))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let metric = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name) && l.as_bytes().get(name.len()) == Some(&b' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    Some(Sample {
        at: Instant::now(),
        cpu_secs: metric("process_cpu_seconds_total")?,
        rss_bytes: metric("process_resident_memory_bytes")? as u64,
    })
}

/// This process (the bench, or the bench and an in-process relay).
pub fn this_process() -> Option<Sample> {
    local(std::process::id())
}

fn local(pid: u32) -> Option<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(Sample {
        at: Instant::now(),
        cpu_secs: (utime + stime) / TICKS_PER_SEC,
        rss_bytes: rss_kib * 1024,
    })
}
