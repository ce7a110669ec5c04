//! A cluster that `scripts/cluster up` runs, read from its state dir: each
//! role's pid file and config (a gateway's listen address), and
//! `cluster.env` (the repository it was started from, its port base and the
//! services' state dir, where each service's pid file and the env file with
//! their ports are). A service the cluster runs itself (its etcd, and its
//! broker unless it was started with the shared one) has its pid file in
//! the cluster's dir and its port in `cluster.env`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// The services a cluster uses, as scripts/services names them (PostgreSQL
/// runs too, but no role uses it).
pub const SERVICES: &[&str] = &["mariadb", "redis", "etcd", "kafka"];

#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub dir: PathBuf,
    /// The repository whose scripts/cluster started it.
    pub root: PathBuf,
    pub port_base: String,
    pub services_dir: PathBuf,
    /// scripts/services' settings as scripts/cluster saw them (an empty
    /// value: the script's default), to run it again the same way.
    pub services_env: Vec<(String, String)>,
    /// Every role that has a pid file, by name (gateway-1, logic-1, ...).
    pub roles: Vec<String>,
    /// The port of the cluster's own etcd, when it runs one.
    pub etcd_port: Option<u16>,
    /// The port of the cluster's own broker, when it runs one.
    pub broker_port: Option<u16>,
    /// Each gateway's name and HTTP/WebSocket address, by name.
    pub gateways: Vec<(String, SocketAddr)>,
    /// Each role's metrics address (`/metrics`), by name.
    pub metrics: Vec<(String, SocketAddr)>,
}

impl ClusterInfo {
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let env_file = dir.join("cluster.env");
        let text = std::fs::read_to_string(&env_file).with_context(|| {
            format!(
                "reading {}: is the cluster up (scripts/cluster up)?",
                env_file.display()
            )
        })?;
        let vars: HashMap<&str, &str> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let var = |k: &str| {
            vars.get(k)
                .map(|v| (*v).to_owned())
                .with_context(|| format!("{} has no {k}", env_file.display()))
        };
        let mut roles = Vec::new();
        let mut gateways = Vec::new();
        let mut metrics = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            if !dir.join(format!("{name}.pid")).exists() {
                continue;
            }
            if name.starts_with("gateway") {
                gateways.push((name.clone(), address(&path, "listen")?));
            }
            if let Ok(a) = address(&path, "metrics_listen") {
                metrics.push((name.clone(), a));
            }
            roles.push(name);
        }
        roles.sort();
        gateways.sort();
        metrics.sort();
        if gateways.is_empty() {
            bail!("no gateway in {}: is the cluster up?", dir.display());
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            root: var("root")?.into(),
            port_base: var("port_base")?,
            services_dir: var("services_dir")?.into(),
            services_env: [
                ("FERROCHAT_SERVICES_PORT_BASE", "services_port_base"),
                ("FERROCHAT_BROKER_ENGINE", "broker_engine"),
            ]
            .into_iter()
            .filter_map(|(env, key)| {
                vars.get(key)
                    .filter(|v| !v.is_empty())
                    .map(|v| (env.to_owned(), (*v).to_owned()))
            })
            .collect(),
            roles,
            etcd_port: vars.get("etcd_port").and_then(|p| p.parse().ok()),
            broker_port: vars.get("broker_port").and_then(|p| p.parse().ok()),
            gateways,
            metrics,
        })
    }

    /// Where the pid of a role or service is kept.
    pub fn pid_file(&self, name: &str) -> Option<PathBuf> {
        if self.is_role(name) || self.runs_own(name) {
            Some(self.dir.join(format!("{name}.pid")))
        } else if SERVICES.contains(&name) {
            Some(self.services_dir.join(format!("{name}.pid")))
        } else {
            None
        }
    }

    pub fn is_role(&self, name: &str) -> bool {
        self.roles.iter().any(|r| r == name)
    }

    /// Whether the cluster runs this service itself rather than using
    /// scripts/services' shared one.
    fn runs_own(&self, name: &str) -> bool {
        self.own_port(name).is_some()
    }

    fn own_port(&self, name: &str) -> Option<u16> {
        match name {
            "etcd" => self.etcd_port,
            "kafka" => self.broker_port,
            _ => None,
        }
    }

    /// Every process of the cluster: roles, then services.
    pub fn processes(&self) -> Vec<String> {
        let mut all = self.roles.clone();
        all.extend(SERVICES.iter().map(|s| (*s).to_owned()));
        all
    }

    /// The port a service listens on: the cluster's own etcd's and
    /// broker's from `cluster.env`, the others from scripts/services' env
    /// file.
    pub fn service_port(&self, name: &str) -> Option<u16> {
        if let Some(port) = self.own_port(name) {
            return Some(port);
        }
        let var = match name {
            "mariadb" => "FERROCHAT_TEST_MYSQL_URL",
            "redis" => "FERROCHAT_TEST_REDIS_URL",
            "etcd" => "FERROCHAT_TEST_ETCD_URL",
            "kafka" => "FERROCHAT_TEST_KAFKA_BROKERS",
            _ => return None,
        };
        let env = std::fs::read_to_string(self.services_dir.join("env")).ok()?;
        let line = env
            .lines()
            .find(|l| l.trim_start_matches("export ").starts_with(var))?;
        let after = line.rsplit_once("127.0.0.1:")?.1;
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// The gateways named in `only` (all when empty), in that order.
    pub fn select_gateways(&self, only: &[String]) -> anyhow::Result<Vec<(String, SocketAddr)>> {
        if only.is_empty() {
            return Ok(self.gateways.clone());
        }
        only.iter()
            .map(|n| {
                self.gateways
                    .iter()
                    .find(|(g, _)| g == n)
                    .cloned()
                    .with_context(|| format!("no gateway {n} in {}", self.dir.display()))
            })
            .collect()
    }
}

/// The pid in a pid file.
pub fn read_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// An address in a role's config (`listen`, `metrics_listen`).
fn address(config: &Path, key: &str) -> anyhow::Result<SocketAddr> {
    let text =
        std::fs::read_to_string(config).with_context(|| format!("reading {}", config.display()))?;
    let v: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not TOML", config.display()))?;
    v.get(key)
        .and_then(toml::Value::as_str)
        .with_context(|| format!("{} has no {key}", config.display()))?
        .parse()
        .with_context(|| format!("{}: {key} is not an address", config.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_scripts_cluster_writes() {
        let dir = tempfile::tempdir().unwrap();
        let svc = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("cluster.env"),
            format!(
                "root=/repo\nport_base=27000\nservices_dir={}\n\
                 services_port_base=26500\nbroker_engine=\netcd_port=27120\nbroker_port=\n",
                svc.path().display()
            ),
        )
        .unwrap();
        for (name, listen) in [
            ("gateway-2", 27090),
            ("gateway-1", 27080),
            ("logic-1", 27001),
        ] {
            std::fs::write(
                d.join(format!("{name}.toml")),
                format!(
                    "node_id = \"{name}\"\nlisten = \"127.0.0.1:{listen}\"\n\
                     metrics_listen = \"127.0.0.1:{}\"\n",
                    listen + 1
                ),
            )
            .unwrap();
            std::fs::write(d.join(format!("{name}.pid")), "4242\n").unwrap();
        }
        // A role that is not running has no pid file.
        std::fs::write(d.join("task-1.toml"), "listen = \"127.0.0.1:0\"\n").unwrap();
        std::fs::write(
            svc.path().join("env"),
            "export FERROCHAT_TEST_MYSQL_URL=mysql://f:f@127.0.0.1:26506/f\n\
             export FERROCHAT_TEST_KAFKA_BROKERS=127.0.0.1:26592\n",
        )
        .unwrap();
        let c = ClusterInfo::read(d).unwrap();
        assert_eq!(c.roles, ["gateway-1", "gateway-2", "logic-1"]);
        let port_base = (
            "FERROCHAT_SERVICES_PORT_BASE".to_owned(),
            "26500".to_owned(),
        );
        assert_eq!(c.services_env, [port_base]);
        assert_eq!(
            c.gateways[0],
            ("gateway-1".into(), "127.0.0.1:27080".parse().unwrap())
        );
        assert_eq!(
            c.select_gateways(&["gateway-2".into()]).unwrap()[0].0,
            "gateway-2"
        );
        assert!(c.select_gateways(&["gateway-3".into()]).is_err());
        assert_eq!(c.service_port("mariadb"), Some(26506));
        assert_eq!(c.service_port("kafka"), Some(26592));
        assert_eq!(c.service_port("redis"), None);
        // The cluster's own etcd: its port and pid file are the cluster's.
        assert_eq!(c.service_port("etcd"), Some(27120));
        assert_eq!(c.pid_file("etcd").unwrap(), d.join("etcd.pid"));
        assert_eq!(c.pid_file("logic-1").unwrap(), d.join("logic-1.pid"));
        assert_eq!(c.pid_file("redis").unwrap(), svc.path().join("redis.pid"));
        assert!(c.pid_file("task-1").is_none());
        assert_eq!(read_pid(&d.join("logic-1.pid")), Some(4242));
        // Started with the shared broker (above), the cluster's broker is
        // scripts/services'; with its own, its port and pid file are the
        // cluster's.
        assert_eq!(c.pid_file("kafka").unwrap(), svc.path().join("kafka.pid"));
        let env = std::fs::read_to_string(d.join("cluster.env")).unwrap();
        std::fs::write(
            d.join("cluster.env"),
            env.replace("broker_port=\n", "broker_port=27130\n"),
        )
        .unwrap();
        let c = ClusterInfo::read(d).unwrap();
        assert_eq!(c.service_port("kafka"), Some(27130));
        assert_eq!(c.pid_file("kafka").unwrap(), d.join("kafka.pid"));
    }
}
