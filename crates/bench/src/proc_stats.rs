//! A process's CPU time and resident memory: from /proc for a local pid,
//! or from a server's `/metrics` (process_cpu_seconds_total,
//! process_resident_memory_bytes); and the CPU each watched process (a
//! cluster's roles and services) used over a run.

use std::path::PathBuf;
use std::time::Instant;

use crate::cluster;
use crate::target::Target;

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

/// A local process's CPU (user + system, all its threads) and RSS.
pub fn local(pid: u32) -> Option<Sample> {
    let stat = procfs::process::Process::new(i32::try_from(pid).ok()?)
        .ok()?
        .stat()
        .ok()?;
    let ticks = procfs::ticks_per_second() as f64;
    Some(Sample {
        at: Instant::now(),
        cpu_secs: (stat.utime + stat.stime) as f64 / ticks,
        rss_bytes: stat.rss.saturating_mul(procfs::page_size()),
    })
}

/// Whether `pid` is gone (or a zombie nobody reaped yet).
pub fn gone(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return true;
    };
    procfs::process::Process::new(pid)
        .and_then(|p| p.stat())
        .map_or(true, |s| s.state == 'Z')
}

/// A process whose CPU a run reports.
#[derive(Debug, Clone)]
pub struct Watched {
    pub name: String,
    pub pid: PidOf,
}

#[derive(Debug, Clone)]
pub enum PidOf {
    Fixed(u32),
    /// Read again at each sample: a restarted process writes its new pid.
    File(PathBuf),
}

impl Watched {
    pub fn pid(&self) -> Option<u32> {
        match &self.pid {
            PidOf::Fixed(p) => Some(*p),
            PidOf::File(f) => cluster::read_pid(f),
        }
    }
}

/// One watched process at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub pid: u32,
    pub sample: Sample,
}

pub fn sample_all(watched: &[Watched]) -> Vec<Option<Seen>> {
    watched
        .iter()
        .map(|w| {
            let pid = w.pid()?;
            Some(Seen {
                pid,
                sample: local(pid)?,
            })
        })
        .collect()
}

/// CPU-seconds a process used between `before` and `after`. A process
/// killed in between counts up to `last_before_kill`, plus all its
/// successor used since it started.
pub fn cpu_between(
    before: Option<Seen>,
    after: Option<Seen>,
    last_before_kill: Option<Seen>,
) -> Option<f64> {
    let (b, a) = (before?, after?);
    if a.pid == b.pid {
        return Some(a.sample.cpu_secs - b.sample.cpu_secs);
    }
    let old = last_before_kill
        .filter(|k| k.pid == b.pid)
        .map_or(0.0, |k| k.sample.cpu_secs - b.sample.cpu_secs);
    Some(old + a.sample.cpu_secs)
}
