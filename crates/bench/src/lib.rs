//! `ferrochat bench`: a load generator that drives a ferrochat server only
//! through its public protocol (HTTP to register and log in, WebSocket to
//! send and receive), and a null relay to compare it against.
//!
//! Start reading at [`main`]: it resolves what to load (a running server
//! at `--url`, several gateways, a `scripts/cluster` cluster with
//! `--cluster` (`cluster.rs`), or a server it spawns), runs a scenario from
//! `scenario.rs` (killing and restarting one process mid-run with
//! `--kill`, `chaos.rs`), checks every delivery for loss, duplication and
//! order (`conn.rs`, `track.rs`) and prints a report (`report.rs`) with
//! each watched process's CPU (`proc_stats.rs`).

mod args;
mod attach_load;
mod broker;
mod bus_hops;
mod chaos;
mod cluster;
mod conn;
mod proc_stats;
mod relay;
mod report;
mod scenario;
mod search_load;
mod setup;
mod target;
mod track;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

pub use args::{BenchArgs, Scenario};
pub use bus_hops::BusHop;
pub use proc_stats::{PidOf, Watched};
pub use relay::Relay;
pub use report::Report;
pub use scenario::Load;
pub use target::Target;

/// Runs `ferrochat bench` to the end and says how it went: failure if any
/// message was lost, duplicated or out of order, a send was never
/// answered, or the run broke.
/// `server_exe` is the `ferrochat` binary, used by `--spawn`.
pub fn main(mut args: BenchArgs, server_exe: PathBuf) -> ExitCode {
    args.exe = Some(server_exe.clone());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ferrochat bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_cli(args, server_exe)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("ferrochat bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one scenario against `target` and returns its report.
pub async fn run(args: &BenchArgs, target: &Target) -> anyhow::Result<Report> {
    scenario::run(args, &Load::single(target)).await
}

/// Runs one scenario over several servers (a cluster's gateways), watching
/// the CPU of `load.watched`, and returns its report.
pub async fn run_load(args: &BenchArgs, load: &Load<'_>) -> anyhow::Result<Report> {
    scenario::run(args, load).await
}

/// What `--cluster` loads: a `scripts/cluster` cluster's gateways, every
/// role and service to watch, and what to kill.
struct ClusterLoad {
    targets: Vec<Target>,
    servers: Vec<std::net::SocketAddr>,
    watched: Vec<Watched>,
    metrics: Vec<String>,
    chaos: Option<chaos::Plan>,
}

fn cluster_load(args: &BenchArgs) -> anyhow::Result<ClusterLoad> {
    let info = std::sync::Arc::new(cluster::ClusterInfo::read(&args.cluster_dir)?);
    let targets = info
        .select_gateways(&args.gateways)?
        .into_iter()
        .map(|(_, addr)| Target::local(addr, None, "ferrochat"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let servers = info.gateways.iter().map(|(_, a)| *a).collect();
    let watched = info
        .processes()
        .into_iter()
        .filter_map(|name| {
            let file = info.pid_file(&name)?;
            Some(Watched {
                name,
                pid: PidOf::File(file),
            })
        })
        .collect();
    let plan = args.kill.as_ref().map(|name| chaos::Plan {
        name: if name == "broker" {
            "kafka".into()
        } else {
            name.clone()
        },
        at: args.kill_at,
        down_for: args.down_for,
        empty: args.restart_empty,
        cluster: info.clone(),
    });
    if let Some(p) = &plan {
        p.check()?;
    }
    let metrics = info
        .metrics
        .iter()
        .map(|(_, a)| format!("http://{a}/metrics"))
        .collect();
    Ok(ClusterLoad {
        targets,
        servers,
        watched,
        metrics,
        chaos: plan,
    })
}

async fn run_cli(args: BenchArgs, server_exe: PathBuf) -> anyhow::Result<bool> {
    raise_nofile();
    if let Some(index) = args.worker {
        worker::run(&args, index).await?;
        return Ok(true);
    }
    let hard = args.timeout;
    if args.scenario == Scenario::Broker {
        let r = tokio::time::timeout(hard, broker::run(&args))
            .await
            .map_err(|_| anyhow::anyhow!("hard timeout of {hard:?} reached"))??;
        if args.json {
            println!("{}", serde_json::to_string(&r)?);
        } else {
            print!("{}", r.table());
        }
        return Ok(r.ok());
    }
    let work = async {
        let report = if args.cluster {
            let c = cluster_load(&args)?;
            let load = Load {
                targets: c.targets.iter().collect(),
                servers: c.servers,
                watched: c.watched,
                metrics: c.metrics,
                chaos: c.chaos,
            };
            run_load(&args, &load).await?
        } else if !args.url.is_empty() {
            let pid = if args.url.len() == 1 {
                args.server_pid
            } else {
                None
            };
            let targets = args
                .url
                .iter()
                .map(|u| Target::remote(u, pid))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let load = Load {
                targets: targets.iter().collect(),
                servers: targets.iter().map(|t| t.addr).collect(),
                watched: Vec::new(),
                metrics: Vec::new(),
                chaos: None,
            };
            run_load(&args, &load).await?
        } else {
            let target = Target::spawn(&server_exe).await?;
            run(&args, &target).await?
        };
        let throughput = matches!(
            args.scenario,
            Scenario::OneToOne | Scenario::Group | Scenario::World
        );
        if args.relay && !throughput {
            eprintln!(
                "ferrochat bench: --relay compares throughput; {} has none",
                args.scenario.name()
            );
        }
        let relay = if args.relay && throughput {
            let relay = Relay::start().await?;
            let r = run(&args, &relay.target()).await?;
            Some(r)
        } else {
            None
        };
        anyhow::Ok((report, relay))
    };
    let (report, relay) = tokio::time::timeout(hard, work)
        .await
        .map_err(|_| anyhow::anyhow!("hard timeout of {hard:?} reached"))??;
    let ok = report.ok() && relay.as_ref().is_none_or(Report::ok);
    if args.json {
        println!("{}", report::json(&report, relay.as_ref()));
    } else {
        print!("{}", report::table(&report, relay.as_ref()));
    }
    Ok(ok)
}

/// Raises this process's soft open-file limit to the hard one: a bench
/// holds one socket per client.
fn raise_nofile() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
}
