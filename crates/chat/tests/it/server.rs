//! A real server for the tests, and users on it.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ferrochat::{App, Config};
use ferrochat_chat::{Api, LiveEvent, Session};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "correct horse";
/// How long any one expected thing may take.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Server {
    pub base: String,
    pub addr: SocketAddr,
    cancel: CancellationToken,
    handle: Option<tokio::task::JoinHandle<()>>,
    dir: Option<tempfile::TempDir>,
}

fn config(dir: &Path, listen: SocketAddr) -> Config {
    let mut c = Config {
        listen,
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    c.auth.password_hash.memory_kib = 64;
    c.auth.password_hash.iterations = 1;
    c
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    /// A server whose config `tweak` changed first.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path(), "127.0.0.1:0".parse().unwrap());
        tweak(&mut config);
        Self::start_config(dir, config).await
    }

    async fn start_in(dir: tempfile::TempDir, listen: SocketAddr) -> Server {
        let config = config(dir.path(), listen);
        Self::start_config(dir, config).await
    }

    async fn start_config(dir: tempfile::TempDir, config: Config) -> Server {
        let app = App::build(config).await.unwrap();
        let addr = app.local_addr();
        let cancel = CancellationToken::new();
        let run = app.run(cancel.clone());
        let handle = tokio::spawn(async move {
            let _ = run.await;
        });
        Server {
            base: format!("http://{addr}"),
            addr,
            cancel,
            handle: Some(handle),
            dir: Some(dir),
        }
    }

    /// Stops the server and starts it again on the same port and data.
    pub async fn restart(mut self) -> Server {
        self.cancel.cancel();
        let handle = self.handle.take().unwrap();
        tokio::time::timeout(WAIT, handle).await.unwrap().unwrap();
        Self::start_in(self.dir.take().unwrap(), self.addr).await
    }

    fn dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    /// Registers `name` and logs in through the client, its profile in
    /// this server's data dir.
    pub async fn user(&self, name: &str) -> Session {
        let api = Api::new(&self.base).unwrap();
        let _: Value = api
            .call(
                Method::POST,
                "/api/v1/users/register",
                None,
                &[],
                Some(&json!({"username": name, "password": PASSWORD})),
            )
            .await
            .unwrap();
        let profile = self.dir().join(format!("{name}.json"));
        Session::login(&self.base, name, PASSWORD, &profile)
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The next live message, skipping connection events; fails the test
/// after [`WAIT`] without one.
pub async fn next_message(live: &mut ferrochat_chat::Live) -> ferrochat_chat::Message {
    let wait = async {
        loop {
            match live.next().await {
                Some(LiveEvent::Message(m)) => return *m,
                Some(_) => {}
                None => panic!("the live stream stopped"),
            }
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .expect("no live message in time")
}
