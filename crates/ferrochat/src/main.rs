//! `ferrochat`: parse the command line, load and check the configuration
//! (exit 64 if it is bad, before binding anything), then serve (every
//! role, or the one named) until SIGINT or SIGTERM. A store that refuses
//! to open because its database can lose acknowledged writes
//! (`store.require_durable`) exits 78. `ferrochat chat` is the terminal
//! client (crates/chat), `ferrochat bench` the load generator.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;
use cli::{Cli, Command};
use ferrochat::{telemetry, App, Config, Role, RoleApp};
use ferrochat_ports::store::NotDurable;
use ferrochat_ports::StoreError;
use tokio_util::sync::CancellationToken;

/// EX_USAGE from sysexits.h: the configuration is wrong.
const EXIT_CONFIG: u8 = 64;
/// EX_CONFIG from sysexits.h: ferrochat's configuration is valid, but the
/// database it names is configured so that it can lose acknowledged
/// messages, and `store.require_durable` refuses that.
const EXIT_NOT_DURABLE: u8 = 78;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (opts, print_only, role) = match cli.command {
        Command::Serve { opts, print_config } => (opts, print_config, None),
        Command::Gateway { opts } => (opts, false, Some(Role::Gateway)),
        Command::Logic { opts } => (opts, false, Some(Role::Logic)),
        Command::Repo { opts } => (opts, false, Some(Role::Repo)),
        Command::Task { opts } => (opts, false, Some(Role::Task)),
        Command::Config { opts } => (opts, true, None),
        Command::Bench(args) => return bench(*args),
        Command::Chat(args) => return ferrochat_chat::main(args),
        Command::Certs(args) => return certs(&args),
        Command::Reindex { opts } => return reindex(&opts),
        Command::Admin { command } => return admin(command),
    };
    let config = match Config::load(opts.config.as_deref(), opts.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ferrochat: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if print_only {
        print!("{}", config.to_toml());
        return ExitCode::SUCCESS;
    }
    if let Some(role) = role {
        if let Err(e) = ferrochat::internal_tls::check(&config, role) {
            eprintln!("ferrochat: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if config.worker_threads > 0 {
        builder.worker_threads(config.worker_threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ferrochat: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The span exporter's gRPC client lives on the runtime.
    let service = role.map_or_else(
        || "ferrochat".to_owned(),
        |r| format!("ferrochat-{}", r.name()),
    );
    let traces = {
        let _inside = runtime.enter();
        telemetry::init_logs_and_traces(&config.log, &config.telemetry, &service)
    };
    let traces = match traces {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ferrochat: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    raise_nofile_limit();
    let run = async {
        match role {
            None => serve(config).await,
            Some(role) => run_role(role, config).await,
        }
    };
    let outcome = runtime.block_on(run);
    // The spans still queued are sent while the runtime runs.
    if let Some(traces) = traces {
        traces.shutdown();
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "ferrochat stopped with an error");
            eprintln!("ferrochat: {e:#}");
            if refused_store(&e) {
                ExitCode::from(EXIT_NOT_DURABLE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether the store refused to open for durability (`NotDurable`).
fn refused_store(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<StoreError>(),
            Some(StoreError::Other(inner)) if inner.is::<NotDurable>()
        )
    })
}

/// One socket per connection: lift the soft open-file limit to the hard one.
fn raise_nofile_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(limit, "open-file limit raised to the hard limit"),
        Err(e) => tracing::warn!(error = %e, "cannot raise the open-file limit"),
    }
}

/// The offline tools' shared start: the configuration (exit 64 if it is
/// bad), logs, then `work` on a runtime of its own; a failure is printed
/// under the tool's `name` (exit 1).
fn run_tool<T, Fut>(
    opts: &cli::ConfigArgs,
    name: &str,
    work: impl FnOnce(Config) -> Fut,
) -> Result<T, ExitCode>
where
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let config = match Config::load(opts.config.as_deref(), opts.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ferrochat: {e}");
            return Err(ExitCode::from(EXIT_CONFIG));
        }
    };
    telemetry::init_logs(&config.log);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(work(config)))
        .map_err(|e| {
            eprintln!("ferrochat {name}: {e:#}");
            ExitCode::FAILURE
        })
}

/// `ferrochat admin ...`.
fn admin(command: cli::AdminCommand) -> ExitCode {
    match command {
        cli::AdminCommand::ResetPassword {
            username,
            valid_for,
            opts,
        } => reset_password(username, valid_for, &opts),
        cli::AdminCommand::Grant { username, opts } => set_admin(username, true, &opts),
        cli::AdminCommand::Revoke { username, opts } => set_admin(username, false, &opts),
    }
}

/// `ferrochat admin grant|revoke`: gives or takes back the admin role.
fn set_admin(username: String, admin: bool, opts: &cli::ConfigArgs) -> ExitCode {
    let tool = if admin { "admin grant" } else { "admin revoke" };
    let name = username.clone();
    let done = run_tool(opts, tool, |config| async move {
        ferrochat::admin::set_admin(&config, &name, admin).await
    });
    match done {
        Ok(()) => {
            let what = if admin {
                "now holds"
            } else {
                "no longer holds"
            };
            println!("{username} {what} the admin role");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `ferrochat admin reset-password`: prints a one-time reset token.
fn reset_password(
    username: String,
    valid_for: std::time::Duration,
    opts: &cli::ConfigArgs,
) -> ExitCode {
    let name = username.clone();
    let issued = run_tool(opts, "admin reset-password", |config| async move {
        ferrochat::admin::reset_password(&config, &name, valid_for).await
    });
    match issued {
        Ok(token) => {
            // The token alone on stdout, for scripts; how to use it on
            // stderr, for people.
            println!("{token}");
            eprintln!(
                "a one-time reset token for {username}, valid for {}: the user sets a new \
                 password with POST /api/v1/auth/password/reset \
                 {{\"token\": \"<token>\", \"new_password\": \"...\"}}",
                humantime_serde::re::humantime::format_duration(valid_for)
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `ferrochat reindex`: rebuilds the search index of the configured store.
fn reindex(opts: &cli::ConfigArgs) -> ExitCode {
    let indexed = run_tool(opts, "reindex", |config| async move {
        ferrochat::reindex::run(&config).await
    });
    match indexed {
        Ok(n) => {
            println!("indexed {n} messages");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `ferrochat certs`: writes the files and says how to use them.
fn certs(args: &ferrochat::certs::CertsArgs) -> ExitCode {
    match ferrochat::certs::run(args) {
        Ok(w) => {
            let made = if w.ca_made { "made" } else { "kept" };
            println!("CA ({made}): {}", w.ca.display());
            for (role, cert, key) in &w.roles {
                println!(
                    "{role}: {} {} (identity {})",
                    cert.display(),
                    key.display(),
                    role.identity(&args.trust_domain)
                );
            }
            println!(
                "Each role's config: [internal_tls] ca_file = \"{}\", cert_file and key_file its own{}",
                w.ca.display(),
                if args.trust_domain == ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN {
                    String::new()
                } else {
                    format!(", trust_domain = \"{}\"", args.trust_domain)
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ferrochat certs: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `ferrochat bench`: `--spawn` runs this same binary as the server.
fn bench(args: ferrochat_bench::BenchArgs) -> ExitCode {
    match std::env::current_exe() {
        Ok(exe) => ferrochat_bench::main(args, exe),
        Err(e) => {
            eprintln!("ferrochat bench: cannot find this binary: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let tls = config.tls.files().is_some();
    let app = App::build(config).await?;
    tracing::info!(addr = %app.local_addr(), tls, version = env!("CARGO_PKG_VERSION"), "listening");
    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_signal(cancel.clone()));
    app.run(cancel).await
}

/// One cluster role in this process.
async fn run_role(role: Role, config: Config) -> anyhow::Result<()> {
    let app = RoleApp::build(role, config).await?;
    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_signal(cancel.clone()));
    app.run(cancel).await
}

/// Cancels on the first SIGINT or SIGTERM.
async fn stop_on_signal(cancel: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    cancel.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("signal received");
    cancel.cancel();
}
