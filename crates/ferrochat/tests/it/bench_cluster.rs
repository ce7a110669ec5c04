//! `ferrochat bench` over a cluster of role processes (the built binary as
//! `repo`, two `logic`, `task` and two `gateway`s, over MariaDB, Kafka,
//! Redis and etcd): users are spread over both gateways, each one-to-one
//! pair spans them, every acked message is delivered once, and the CPU of
//! every process is read from /proc.
//!
//! Needs the test servers (`scripts/services up`).

use std::net::SocketAddr;
use std::time::Duration;

use ferrochat_bench::{BenchArgs, Load, PidOf, Scenario, Target, Watched};

use crate::procs::{Cluster, RoleProcess};
use crate::support::sample;

fn addr(base: &str) -> SocketAddr {
    base.strip_prefix("http://").unwrap().parse().unwrap()
}

async fn metrics(p: &RoleProcess) -> String {
    reqwest::get(format!("{}/metrics", p.metrics))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bench_pairs_users_across_both_gateways_and_reads_every_process() {
    let cluster = Cluster::new(&[]).await;
    let roles = cluster.full().await;
    let targets: Vec<Target> = roles
        .gateways
        .iter()
        .map(|g| Target::local(addr(&g.base), None, "ferrochat").unwrap())
        .collect();
    let mut processes = vec![("repo-1", &roles.repo), ("task-1", &roles.task)];
    processes.extend([("logic-1", &roles.logic[0]), ("logic-2", &roles.logic[1])]);
    processes.extend([
        ("gateway-1", &roles.gateways[0]),
        ("gateway-2", &roles.gateways[1]),
    ]);
    let watched = processes
        .iter()
        .map(|(name, p)| Watched {
            name: (*name).to_owned(),
            pid: PidOf::Fixed(p.child.id()),
        })
        .collect();
    let load = Load {
        targets: targets.iter().collect(),
        servers: targets.iter().map(|t| t.addr).collect(),
        watched,
        metrics: processes
            .iter()
            .map(|(_, p)| format!("{}/metrics", p.metrics))
            .collect(),
        chaos: None,
    };
    let mut args = BenchArgs::new(Scenario::OneToOne);
    args.clients = 8;
    args.window = 4;
    args.duration = Duration::from_secs(2);
    args.messages = 200;
    args.quiet = true;
    args.drain = Duration::from_secs(60);

    let r = ferrochat_bench::run_load(&args, &load).await.unwrap();

    assert!(r.ok(), "{r:#?}");
    assert!(r.acked > 0, "{r:#?}");
    assert_eq!((r.lost, r.delivered), (0, r.acked), "{r:#?}");
    // Users 0, 2, .. (the senders) are on gateway-1 and 1, 3, .. (their
    // receivers) on gateway-2: every send enters through the first and
    // every delivery leaves through the second.
    let (m1, m2) = (
        metrics(&roles.gateways[0]).await,
        metrics(&roles.gateways[1]).await,
    );
    let publishes = r#"ferrochat_gateway_send_seconds_count{stage="publish"}"#;
    assert_eq!(sample(&m1, publishes), r.acked as f64);
    assert_eq!(sample(&m2, publishes), 0.0);
    assert_eq!(sample(&m1, "ferrochat_gateway_deliveries_total"), 0.0);
    assert_eq!(
        sample(&m2, "ferrochat_gateway_deliveries_total"),
        r.acked as f64
    );
    // The bus's own timing of both hops of each send, from the roles.
    let hop = |t: &str| {
        r.bus
            .iter()
            .find(|h| h.topic == t)
            .unwrap_or_else(|| panic!("no {t} in {:?}", r.bus))
    };
    // A record may carry several sends (upstream: those a gateway took
    // within one linger) or several deliveries (downstream, for one
    // gateway): what counts is that each one published was read, and
    // timed, and that no send needed a record of its own.
    let up = hop("upstream");
    assert!(up.published > 0 && up.published <= r.acked, "{:?}", r.bus);
    for h in [up, hop("downstream")] {
        assert!(h.consumed > 0, "{:?}", r.bus);
        assert_eq!(h.consumed, h.published, "{:?}", r.bus);
        assert!(h.consume_delay_ms_mean.is_some(), "{:?}", r.bus);
    }
    // Every process was read, and the bench's own CPU is there too.
    let names: Vec<&str> = r.processes.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "repo-1",
            "task-1",
            "logic-1",
            "logic-2",
            "gateway-1",
            "gateway-2",
            "bench"
        ]
    );
    for p in &r.processes {
        let cpu = p
            .cpu_seconds
            .unwrap_or_else(|| panic!("{} not read", p.name));
        assert!(cpu >= 0.0, "{p:?}");
        assert!(p.cpu_seconds_per_1000_acked.is_some(), "{p:?}");
    }
}
