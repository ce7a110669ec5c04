//! `ferrochat bench`: a load generator that drives a ferrochat server only
//! through its public protocol (HTTP to register and log in, WebSocket to
//! send and receive), and a null relay to compare it against.
//!
//! Start reading at [`main`]: it resolves the target (a running server at
//! `--url`, or one it spawns), runs a scenario from `scenario.rs`, checks
//! every delivery for loss, duplication and order (`track.rs`) and prints
//! a report (`report.rs`).

mod args;
mod conn;
mod proc_stats;
mod relay;
mod report;
mod scenario;
mod setup;
mod target;
mod track;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

pub use args::{BenchArgs, Scenario};
pub use relay::Relay;
pub use report::Report;
pub use target::Target;

/// Runs `ferrochat bench` to the end and says how it went: failure if any
/// message was lost, duplicated or out of order, or if the run broke.
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
    scenario::run(args, target).await
}

async fn run_cli(args: BenchArgs, server_exe: PathBuf) -> anyhow::Result<bool> {
    raise_nofile();
    if let Some(index) = args.worker {
        worker::run(&args, index).await?;
        return Ok(true);
    }
    let hard = args.timeout;
    let work = async {
        let target = if let Some(url) = &args.url {
            Target::remote(url, args.server_pid)?
        } else {
            Target::spawn(&server_exe).await?
        };
        let report = run(&args, &target).await?;
        drop(target);
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
