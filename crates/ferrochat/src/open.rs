//! Opening the adapters a config names: the store, the bus, the route
//! table and discovery. Shared by `serve` (every role in one process) and
//! the cluster roles, so each is opened the same way everywhere.

use std::sync::Arc;

use anyhow::Context as _;
use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_bus_kafka::KafkaBus;
use ferrochat_discovery::{Credentials, EtcdConfig, EtcdDiscovery, EtcdTls, StaticDiscovery};
use ferrochat_logic::{Logic, LogicConfig, LogicDeps};
use ferrochat_objects::ObjectStoreAttachments;
use ferrochat_ports::discovery::{Discovery, Instance};
use ferrochat_ports::{Attachments, Bus, FanoutLag, Presence, RateLimiter, SharedCache, Store};
use ferrochat_presence::{MemoryLag, MemoryPresence};
use ferrochat_redis::{RedisOptions, RedisPresence};
use ferrochat_rpc::{ClientTls, RepoClient};
use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions, SqliteOptions, SqliteStore};

use crate::config::{BusKind, Config, StoreKind};
use crate::peers::Peers;

/// Opens the store `store.url` names: SQLite (the default), MariaDB/MySQL
/// or PostgreSQL. Migrations are applied at open. A database whose
/// settings can lose acknowledged messages is named in a warning, or, with
/// `store.require_durable`, refused (`NotDurable`, exit 78). `repo://`
/// dials the repo over internal TLS when `repo_tls` is given.
pub async fn store(
    config: &Config,
    repo_tls: Option<&ClientTls>,
) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match sql_store(config).await? {
        Some(sql) => sql.into_store(),
        None => {
            let url = config.store.url.as_deref().unwrap_or_default();
            Arc::new(repo_client(config, url, repo_tls)?)
        }
    })
}

impl SqlStores {
    /// As the store port, whatever its dialect.
    pub fn into_store(self) -> Arc<dyn Store> {
        match self {
            SqlStores::Sqlite(s) => Arc::new(s),
            SqlStores::Mysql(s) => Arc::new(s),
            SqlStores::Postgres(s) => Arc::new(s),
        }
    }
}

/// A SQL store as its own type, for what only the SQL stores do (the
/// search index's rebuild).
pub enum SqlStores {
    Sqlite(SqliteStore),
    Mysql(MysqlStore),
    Postgres(PostgresStore),
}

/// Opens the SQL store `store.url` names (migrations applied, durability
/// checked as `store` says); `None` when it names the repo role.
pub async fn sql_store(config: &Config) -> anyhow::Result<Option<SqlStores>> {
    let c = &config.store;
    let sql = SqlOptions {
        max_connections: c.max_connections,
        min_connections: c.min_connections,
        acquire_timeout: c.acquire_timeout,
        idle_timeout: c.idle_timeout,
        retry: c.retry.clone(),
        require_durable: c.require_durable,
        search_timeout: c.search_timeout,
        search_scan: c.search_scan,
        ..SqlOptions::default()
    };
    let url = c.url.as_deref().unwrap_or_default();
    // The URL may hold a password: errors name only the kind of server.
    Ok(Some(match config.store_kind() {
        StoreKind::Sqlite => {
            let path = config.sqlite_path();
            let opts = SqliteOptions {
                synchronous: c
                    .synchronous
                    .parse()
                    .map_err(|e: String| anyhow::anyhow!(e))?,
                read_connections: c.read_connections,
                acquire_timeout: c.acquire_timeout,
                require_durable: c.require_durable,
            };
            let store = SqliteStore::open(&path, &opts)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            SqlStores::Sqlite(store)
        }
        StoreKind::Mysql => SqlStores::Mysql(
            MysqlStore::open(url, &sql)
                .await
                .context("opening the MySQL store (store.url)")?,
        ),
        StoreKind::Postgres => SqlStores::Postgres(
            PostgresStore::open(url, &sql)
                .await
                .context("opening the PostgreSQL store (store.url)")?,
        ),
        StoreKind::Repo => return Ok(None),
    }))
}

/// The repo role as this process's store: the instance `repo://HOST:PORT`
/// names, or those discovery finds (`repo://`). Nothing is dialled yet.
/// Calls ride out a brief repo outage (`repo.retry`).
fn repo_client(config: &Config, url: &str, tls: Option<&ClientTls>) -> anyhow::Result<RepoClient> {
    let timeout = config.repo.grpc_timeout;
    let addr = url.strip_prefix("repo://").unwrap_or_default();
    let channel = if addr.is_empty() {
        let refresh = config.discovery.refresh;
        Peers::follow("repo", discovery(config)?, refresh, timeout, tls.cloned()).channel()
    } else {
        ferrochat_rpc::endpoint(addr, timeout, tls)
            .with_context(|| format!("store.url: no address in {url}"))?
            .connect_lazy()
    };
    Ok(RepoClient::new(channel, timeout, config.repo.retry.clone()))
}

/// The route table: in memory, or shared in Redis.
pub async fn presence(config: &Config) -> anyhow::Result<Arc<dyn Presence>> {
    Ok(match redis(config).await? {
        Some(redis) => Arc::new(redis),
        None => Arc::new(MemoryPresence::new()),
    })
}

/// Where fan-out lag is reported and read: in Redis when set (the task
/// role and logic may be different processes), else in this process.
pub async fn fanout_lag(config: &Config) -> anyhow::Result<Arc<dyn FanoutLag>> {
    Ok(match redis(config).await? {
        Some(redis) => Arc::new(redis.fanout_lag()),
        None => Arc::new(MemoryLag::new()),
    })
}

/// Redis at `presence.redis_url`, if set, under `presence.redis_prefix`;
/// over TLS for `rediss://` (`redis_tls.rs`).
async fn redis(config: &Config) -> anyhow::Result<Option<RedisPresence>> {
    let Some(url) = &config.presence.redis_url else {
        return Ok(None);
    };
    let p = &config.presence;
    let password = match (&p.redis_password, &p.redis_password_file) {
        (None, None) => None,
        (inline, file) => Some(secret_value(
            inline.as_deref(),
            file.as_deref(),
            "presence.redis_password_file",
        )?),
    };
    let tls = crate::redis_tls::load(p).map_err(|(key, why)| anyhow::anyhow!("{key}: {why}"))?;
    let options = RedisOptions {
        prefix: p.redis_prefix.clone(),
        tls,
        username: p.redis_username.clone(),
        password,
        // Every gateway beats within one interval; two more for its
        // restore and the reader's own delay.
        settle: p.heartbeat_interval * 3,
        ..RedisOptions::default()
    };
    // The URL may hold a password: the error names only the setting.
    let redis = RedisPresence::open(url, &options)
        .await
        .context("connecting to Redis (presence.redis_url)")?;
    Ok(Some(redis))
}

/// The cache logic instances share: in Redis when several may run (the
/// bus is Kafka) and Redis is configured. On its own connection, so cache
/// reads do not queue behind route table writes.
async fn shared_cache(config: &Config) -> anyhow::Result<Option<Arc<dyn SharedCache>>> {
    if config.bus.kind != BusKind::Kafka {
        return Ok(None);
    }
    Ok(redis(config)
        .await?
        .map(|r| Arc::new(r.cache()) as Arc<dyn SharedCache>))
}

/// With the route table in Redis, per-user send buckets are there too,
/// shared by every gateway (on a connection of their own, so sends do not
/// queue behind route-table scripts); else `None`: in process.
pub async fn send_limiter(config: &Config) -> anyhow::Result<Option<Arc<dyn RateLimiter>>> {
    let quota = config.gateway.send_rate_limit;
    Ok(redis(config)
        .await?
        .map(|r| Arc::new(r.rate_limiter(quota.per_second, quota.burst)) as Arc<dyn RateLimiter>))
}

pub async fn bus(config: &Config) -> anyhow::Result<Arc<dyn Bus>> {
    Ok(match config.bus.kind {
        BusKind::Local => LocalBus::new(LocalBusConfig::default()),
        BusKind::Kafka => KafkaBus::connect(config.bus.kafka.clone())
            .await
            .with_context(|| format!("connecting to Kafka at {}", config.bus.kafka.brokers))?,
    })
}

/// The logic role over these adapters. `secret` signs access tokens.
pub async fn logic(
    config: &Config,
    secret: &[u8],
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    presence: Arc<dyn Presence>,
    lag: Arc<dyn FanoutLag>,
) -> anyhow::Result<Arc<Logic>> {
    let mut logic_config = LogicConfig {
        auth: config.auth.clone(),
        messaging: config.messaging.clone(),
        groups: config.groups.clone(),
        cache: config.cache.clone(),
        offline_push: config.push.enabled(),
        // SQLite's driver answers each statement from its own thread.
        commit_thread: config.store_kind() == StoreKind::Sqlite,
    };
    if config.bus.kind == BusKind::Kafka {
        // Other logic instances may share the bus, and a change made
        // through one cannot make the others forget this process's
        // memory: what can change is cached in Redis if anywhere.
        logic_config.messaging.cache_mutable_facts = false;
    }
    let deps = LogicDeps {
        store,
        bus,
        presence,
        lag,
        cache: shared_cache(config).await?,
    };
    let logic = Logic::build(deps, &logic_config, secret)
        .map_err(|e| anyhow::anyhow!("logic setup: {e}"))?;
    Ok(Arc::new(logic))
}

/// Where roles find each other: etcd when `discovery.etcd_url` is set,
/// else the instances `discovery.logic` and `discovery.repo` list.
pub fn discovery(config: &Config) -> anyhow::Result<Arc<dyn Discovery>> {
    let d = &config.discovery;
    let Some(url) = &d.etcd_url else {
        let mut instances = Vec::new();
        for (role, addrs) in [("logic", &d.logic), ("repo", &d.repo)] {
            instances.extend(addrs.iter().map(|addr| Instance {
                role: role.to_owned(),
                id: addr.clone(),
                addr: addr.clone(),
            }));
        }
        return Ok(Arc::new(StaticDiscovery::new(instances)));
    };
    let user = match &d.etcd_username {
        Some(name) => Some(Credentials {
            name: name.clone(),
            password: secret_value(
                d.etcd_password.as_deref(),
                d.etcd_password_file.as_deref(),
                "discovery.etcd_password_file",
            )?,
        }),
        None => None,
    };
    let read = |path: &Option<std::path::PathBuf>, key: &str| -> anyhow::Result<Option<Vec<u8>>> {
        path.as_ref()
            .map(|p| std::fs::read(p).with_context(|| format!("{key}: reading {}", p.display())))
            .transpose()
    };
    let identity = match (
        read(&d.etcd_cert_file, "discovery.etcd_cert_file")?,
        read(&d.etcd_key_file, "discovery.etcd_key_file")?,
    ) {
        (Some(mut cert), Some(key)) => {
            cert.push(b'\n');
            cert.extend_from_slice(&key);
            Some(cert)
        }
        _ => None,
    };
    let ca = read(&d.etcd_ca_file, "discovery.etcd_ca_file")?;
    let tls = (ca.is_some() || identity.is_some()).then_some(EtcdTls {
        ca_pem: ca,
        identity_pem: identity,
    });
    let etcd = EtcdConfig {
        url: url.clone(),
        prefix: d.etcd_prefix.clone(),
        timeout: d.etcd_timeout,
        user,
        tls,
    };
    // The URL may hold a password: the error names only the setting.
    let discovery = EtcdDiscovery::new(&etcd).context("discovery.etcd_url")?;
    Ok(Arc::new(discovery))
}

/// A secret given inline or in a file (a mounted secret: one trailing
/// newline ignored); the config check made sure it is not both.
pub(crate) fn secret_value(
    inline: Option<&str>,
    file: Option<&std::path::Path>,
    key: &str,
) -> anyhow::Result<String> {
    if let Some(s) = inline {
        return Ok(s.to_owned());
    }
    let path = file.with_context(|| format!("{key}: no password is set"))?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{key}: reading {}", path.display()))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_owned())
}

/// Opens where attachments' bytes live (`[storage]`): the data dir, or the
/// S3-compatible bucket `storage.url` names.
pub fn objects(config: &Config) -> anyhow::Result<Arc<dyn Attachments>> {
    let where_ = config
        .storage
        .objects(&config.data_dir)
        .map_err(|e| anyhow::anyhow!(e))?;
    let objects = ObjectStoreAttachments::open(&where_).context("storage")?;
    Ok(Arc::new(objects))
}
