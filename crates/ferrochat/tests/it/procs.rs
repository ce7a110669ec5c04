//! The cluster roles as child processes of the built binary (`ferrochat
//! repo | logic | task | gateway`), each test's with its own database,
//! topics, Redis prefix and etcd prefix; and private servers (Redis, the
//! broker) a test may kill and start again.
//!
//! Started the secure way (docs/deploy.md, "Trust boundaries"): mutual
//! TLS between the roles with a CA and certificates from `ferrochat
//! certs`, upstream records sealed with a key of the cluster's own, and
//! the shared Redis reached as an ACL user limited to the cluster's
//! prefix (a test's private Redis, which it restarts empty, has no
//! users). etcd and the broker are the shared test servers, without auth:
//! their credentials are tested against private servers
//! (crates/discovery/tests/etcd_secure.rs, crates/bus-kafka/tests/it/secure.rs).
//!
//! Needs the test servers (`scripts/services up`): MariaDB, Kafka, Redis,
//! etcd.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::TestApp;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");

/// Hang guard for anything that waits on the cluster to converge.
pub(crate) const CONVERGE: Duration = Duration::from_secs(90);

/// One role in a child process, SIGKILLed when dropped.
pub(crate) struct RoleProcess {
    pub(crate) child: Child,
    /// `http://host:port` of what it serves (a gateway's HTTP).
    pub(crate) base: String,
    pub(crate) metrics: String,
}

impl RoleProcess {
    pub(crate) fn kill9(&mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for RoleProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One test's cluster: its own database, topics, Redis prefix and etcd
/// prefix, so tests run side by side.
pub(crate) struct Cluster {
    pub(crate) env: Vec<(String, String)>,
    pub(crate) store_url: String,
    pub(crate) dir: tempfile::TempDir,
    /// The cluster's Redis ACL user (the server's URL, the user's name),
    /// removed when the cluster is dropped.
    redis_user: Option<(String, String)>,
}

/// Makes `name` an ACL user of the Redis at `url` that may touch only
/// keys under `prefix`.
async fn redis_user(url: &str, name: &str, password: &str, prefix: &str) {
    let mut admin = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg(name)
        .arg("reset")
        .arg("on")
        .arg(format!(">{password}"))
        .arg(format!("~{prefix}*"))
        .arg("&*")
        .arg("+@all")
        .query_async(&mut admin)
        .await
        .unwrap();
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((url, name)) = self.redis_user.take() {
            if let Ok(mut c) = redis::Client::open(url.as_str()).and_then(|c| c.get_connection()) {
                let _: Result<i64, _> = redis::cmd("ACL").arg("DELUSER").arg(&name).query(&mut c);
            }
        }
    }
}

impl Cluster {
    /// `extra`: more `FERROCHAT_*` settings for every role.
    pub(crate) async fn new(extra: &[(&str, &str)]) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        let made = Command::new(BIN)
            .args(["certs", "--dir"])
            .arg(&certs)
            .output()
            .expect("ferrochat certs runs");
        assert!(made.status.success(), "ferrochat certs: {made:?}");
        let upstream_key = dir.path().join("upstream.key");
        std::fs::write(&upstream_key, format!("upstream-key-{id}-{id}")).unwrap();
        let store_url = crate::store_env::fresh_mysql_database(&format!("fc_roles_{id}")).await;
        let var = ferrochat_test_support::service;
        let mut env: Vec<(String, String)> = [
            ("LOG__FORMAT", "json".to_owned()),
            ("LISTEN", "127.0.0.1:0".to_owned()),
            ("METRICS_LISTEN", "127.0.0.1:0".to_owned()),
            ("LOGIC__GRPC_LISTEN", "127.0.0.1:0".to_owned()),
            ("REPO__GRPC_LISTEN", "127.0.0.1:0".to_owned()),
            ("AUTH__JWT_SECRET", format!("roles-test-secret-{id}")),
            ("AUTH__PASSWORD_HASH__MEMORY_KIB", "64".to_owned()),
            ("AUTH__PASSWORD_HASH__ITERATIONS", "1".to_owned()),
            ("GATEWAY__AUTH_RATE_LIMIT__PER_SECOND", "10000".to_owned()),
            ("GATEWAY__AUTH_RATE_LIMIT__BURST", "10000".to_owned()),
            ("GATEWAY__HTTP_RATE_LIMIT__PER_SECOND", "10000".to_owned()),
            ("GATEWAY__HTTP_RATE_LIMIT__BURST", "10000".to_owned()),
            ("GATEWAY__SEND_RATE_LIMIT__PER_SECOND", "10000".to_owned()),
            ("GATEWAY__SEND_RATE_LIMIT__BURST", "10000".to_owned()),
            ("BUS__KIND", "kafka".to_owned()),
            (
                "BUS__KAFKA__BROKERS",
                var(ferrochat_test_support::KAFKA_BROKERS),
            ),
            ("BUS__KAFKA__UPSTREAM_TOPIC", format!("r{id}.upstream")),
            ("BUS__KAFKA__TASK_TOPIC", format!("r{id}.task")),
            (
                "BUS__KAFKA__DOWNSTREAM_TOPIC_PREFIX",
                format!("r{id}.downstream."),
            ),
            ("BUS__KAFKA__LOGIC_GROUP", format!("r{id}.logic")),
            ("BUS__KAFKA__TASK_GROUP", format!("r{id}.task")),
            ("BUS__KAFKA__UPSTREAM_PARTITIONS", "4".to_owned()),
            ("BUS__KAFKA__TASK_PARTITIONS", "2".to_owned()),
            (
                "PRESENCE__REDIS_URL",
                var(ferrochat_test_support::REDIS_URL),
            ),
            ("PRESENCE__REDIS_PREFIX", format!("r{id}:")),
            ("DISCOVERY__ETCD_URL", var(ferrochat_test_support::ETCD_URL)),
            ("DISCOVERY__ETCD_PREFIX", format!("r{id}/")),
            ("DISCOVERY__LEASE_TTL", "3s".to_owned()),
            ("DISCOVERY__REFRESH", "200ms".to_owned()),
            ("LOGIC__BALANCE__REFRESH", "200ms".to_owned()),
            ("STORE__MAX_CONNECTIONS", "8".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (format!("FERROCHAT_{k}"), v))
        .collect();
        let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
        for (k, v) in [
            ("INTERNAL_TLS__CA_FILE", path(&certs.join("ca.pem"))),
            ("BUS__KAFKA__UPSTREAM_KEY_FILE", path(&upstream_key)),
        ] {
            env.push((format!("FERROCHAT_{k}"), v));
        }
        // The shared Redis: as a user of this cluster's own.
        let mut redis_user_made = None;
        if !extra.iter().any(|(k, _)| *k == "PRESENCE__REDIS_URL") {
            let url = var(ferrochat_test_support::REDIS_URL);
            let (name, password) = (format!("r{id}"), format!("pw-{id}"));
            redis_user(&url, &name, &password, &format!("r{id}:")).await;
            env.push(("FERROCHAT_PRESENCE__REDIS_USERNAME".into(), name.clone()));
            env.push(("FERROCHAT_PRESENCE__REDIS_PASSWORD".into(), password));
            redis_user_made = Some((url, name));
        }
        for (k, v) in extra {
            env.push((format!("FERROCHAT_{k}"), (*v).to_owned()));
        }
        Self {
            env,
            store_url,
            dir,
            redis_user: redis_user_made,
        }
    }

    /// Where the cluster's CA and role certificates are (`ferrochat
    /// certs`: `ca.pem`, `<role>.pem`, `<role>.key`).
    pub(crate) fn certs(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// `role`'s own certificate and key, as settings (the CA is in `env`).
    pub(crate) fn tls_env(&self, role: &str) -> [(&'static str, PathBuf); 2] {
        [
            (
                "FERROCHAT_INTERNAL_TLS__CERT_FILE",
                self.certs().join(format!("{role}.pem")),
            ),
            (
                "FERROCHAT_INTERNAL_TLS__KEY_FILE",
                self.certs().join(format!("{role}.key")),
            ),
        ]
    }

    /// Starts `role` as `name` and waits until its `/ready` answers 200.
    pub(crate) async fn start(&self, role: &str, name: &str) -> RoleProcess {
        let store = if role == "repo" {
            self.store_url.clone()
        } else {
            "repo://".to_owned()
        };
        let data_dir: PathBuf = self.dir.path().join(name);
        let mut command = Command::new(BIN);
        command
            .arg(role)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("FERROCHAT_NODE_ID", name)
            .env("FERROCHAT_DATA_DIR", &data_dir)
            .env("FERROCHAT_STORE__URL", store)
            .envs(self.tls_env(role))
            .env_remove("RUST_LOG")
            .env(
                "FERROCHAT_LOG__LEVEL",
                std::env::var("FERROCHAT_TEST_ROLE_LOG_LEVEL")
                    .unwrap_or_else(|_| "info".to_owned()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (addr, metrics) = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("{name} exited before listening"))
                .unwrap();
            let v: Value = serde_json::from_str(&line).expect("log lines are JSON");
            if v["message"] == "listening" {
                break (
                    v["addr"].as_str().unwrap().to_owned(),
                    v["metrics"].as_str().unwrap().to_owned(),
                );
            }
        };
        // With FERROCHAT_TEST_ROLE_LOGS=DIR each role's log is kept there
        // (set and empty: not kept, rather than written beside the crate).
        let mut keep = std::env::var_os("FERROCHAT_TEST_ROLE_LOGS")
            .filter(|dir| !dir.is_empty())
            .map(|dir| {
                let path = PathBuf::from(dir).join(format!("{name}-{}.log", child.id()));
                std::fs::File::create(path).expect("the role log file")
            });
        std::thread::spawn(move || {
            for line in lines.by_ref() {
                if let (Some(f), Ok(line)) = (keep.as_mut(), line) {
                    let _ = std::io::Write::write_all(f, format!("{line}\n").as_bytes());
                }
            }
        });
        let process = RoleProcess {
            child,
            base: format!("http://{addr}"),
            metrics: format!("http://{metrics}"),
        };
        let ready = format!("{}/ready", process.metrics);
        let client = reqwest::Client::new();
        tokio::time::timeout(CONVERGE, async {
            loop {
                if let Ok(r) = client.get(&ready).send().await {
                    if r.status().is_success() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{name} never became ready"));
        process
    }

    /// The usual shape: a repo, two logic, a task and two gateways.
    pub(crate) async fn full(&self) -> Roles {
        let repo = self.start("repo", "repo-1").await;
        let logic = vec![
            self.start("logic", "logic-1").await,
            self.start("logic", "logic-2").await,
        ];
        let task = self.start("task", "task-1").await;
        let gateways = vec![
            self.start("gateway", "gateway-1").await,
            self.start("gateway", "gateway-2").await,
        ];
        Roles {
            repo,
            logic,
            task,
            gateways,
        }
    }
}

pub(crate) struct Roles {
    pub(crate) repo: RoleProcess,
    pub(crate) logic: Vec<RoleProcess>,
    pub(crate) task: RoleProcess,
    pub(crate) gateways: Vec<RoleProcess>,
}

impl Roles {
    pub(crate) fn gateway(&self, i: usize) -> TestApp {
        TestApp::at(self.gateways[i].base.clone())
    }
}
