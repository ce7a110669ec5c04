//! Idle worker processes: past one process's open-file limit, `idle`
//! spreads its connections over `--workers` processes. A worker is this
//! binary run as `bench idle --worker N --url URL`; it reads access tokens
//! on stdin (one a line, then an empty line), connects them, prints
//! `connected <n>`; on a `ping` line it pings them all and prints
//! `pongs <n>`; at end of input it closes them and exits.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use futures::{StreamExt as _, TryStreamExt as _};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio_tungstenite::tungstenite::Message;

use crate::args::BenchArgs;
use crate::conn::{Conn, Dial, ReaderState, Shared};
use crate::target::Target;

/// The parent's handle on one worker process.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Worker {
    /// Starts worker `index` and hands it `tokens` to connect.
    pub async fn spawn(
        args: &BenchArgs,
        target: &Target,
        index: usize,
        tokens: &[String],
    ) -> anyhow::Result<Self> {
        let exe = args.exe.as_ref().context("no binary to run workers with")?;
        let mut child = Command::new(exe)
            .args(["bench", "idle", "--quiet", "--url"])
            .arg(target.base_url())
            .arg("--worker")
            .arg(index.to_string())
            .arg("--source-addrs")
            .arg(args.source_addrs.to_string())
            .arg("--drain")
            .arg(format!("{}ms", args.drain.as_millis()))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("spawning a worker")?;
        let mut stdin = child.stdin.take().context("worker stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("worker stdout")?).lines();
        let mut text = tokens.join("\n");
        text.push_str("\n\n");
        stdin.write_all(text.as_bytes()).await?;
        Ok(Self {
            child,
            stdin: Some(stdin),
            stdout,
        })
    }

    /// Waits for the worker's `<word> <n>` line.
    pub async fn expect(&mut self, word: &str) -> anyhow::Result<u64> {
        let line = self
            .stdout
            .next_line()
            .await?
            .with_context(|| format!("a worker exited before saying {word}"))?;
        match line.split_once(' ') {
            Some((w, n)) if w == word => Ok(n.trim().parse()?),
            _ => bail!("a worker said {line:?}, not {word}"),
        }
    }

    pub async fn ping(&mut self) -> anyhow::Result<u64> {
        if let Some(s) = self.stdin.as_mut() {
            s.write_all(b"ping\n").await?;
        }
        self.expect("pongs").await
    }

    /// Ends its input and waits for it to close its connections and exit.
    pub async fn finish(mut self) {
        drop(self.stdin.take());
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
    }
}

/// The worker side.
pub async fn run(args: &BenchArgs, index: usize) -> anyhow::Result<()> {
    let url = args.url.first().context("a worker needs --url")?;
    let target = Target::remote(url, None)?;
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let mut tokens = Vec::new();
    while let Some(line) = input.next_line().await? {
        if line.is_empty() {
            break;
        }
        tokens.push(line);
    }
    let shared = Arc::new(Shared::new(String::new(), 0, Default::default()));
    let s = usize::from(args.source_addrs.max(1));
    let servers = Arc::new(vec![target.addr]);
    let conns: Vec<Conn> = futures::stream::iter(tokens.iter().enumerate())
        .map(|(i, t)| {
            let dial = Dial {
                servers: servers.clone(),
                first: 0,
                source: crate::scenario::source_addr(index * s + i % s),
                token: t.clone(),
                window: 1,
                resync: false,
                reconnect: false,
            };
            Conn::open(dial, shared.clone(), ReaderState::default())
        })
        .buffered(128)
        .try_collect()
        .await?;
    println!("connected {}", conns.len());
    while let Some(line) = input.next_line().await? {
        if line == "ping" {
            for c in &conns {
                let _ = c
                    .out
                    .send(Message::text(r#"{"type":"ping","id":"p"}"#))
                    .await;
            }
            let until = Instant::now() + args.drain;
            let want = u64::try_from(conns.len())?;
            while shared.pongs.load(Relaxed) < want && Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            println!("pongs {}", shared.pongs.swap(0, Relaxed));
        }
    }
    futures::future::join_all(conns.into_iter().map(Conn::close)).await;
    Ok(())
}
