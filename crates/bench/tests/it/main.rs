//! Every bench scenario, briefly and small, against a real ferrochat `App`
//! on 127.0.0.1:0 (and the null relay): any lost, duplicated or
//! out-of-order message fails. No test asserts a time.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use ferrochat::{App, Config};
use ferrochat_bench::{BenchArgs, Relay, Report, Scenario, Target};
use tokio_util::sync::CancellationToken;

struct Server {
    target: Target,
    cancel: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The real app, configured as `ferrochat bench` configures a server it spawns.
async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    c.auth.password_hash.memory_kib = 64;
    c.auth.password_hash.iterations = 1;
    c.gateway.auth_rate_limit.per_second = 1_000_000;
    c.gateway.auth_rate_limit.burst = 1_000_000;
    c.gateway.http_rate_limit.per_second = 1_000_000;
    c.gateway.http_rate_limit.burst = 1_000_000;
    c.gateway.send_rate_limit.per_second = 1_000_000;
    c.gateway.send_rate_limit.burst = 1_000_000;
    let app = App::build(c).await.unwrap();
    let target = Target::local(app.local_addr(), None, "ferrochat").unwrap();
    let cancel = CancellationToken::new();
    tokio::spawn(app.run(cancel.clone()));
    Server {
        target,
        cancel,
        _dir: dir,
    }
}

fn args(scenario: Scenario) -> BenchArgs {
    let mut a = BenchArgs::new(scenario);
    a.clients = 12;
    a.senders = 3;
    a.duration = Duration::from_secs(1);
    a.messages = 300;
    a.per_client = 5;
    a.quiet = true;
    a.drain = Duration::from_secs(30);
    a
}

fn check(r: &Report) {
    assert_eq!(r.lost, 0, "{r:#?}");
    assert_eq!(r.duplicated, 0, "{r:#?}");
    assert_eq!(r.out_of_order, 0, "{r:#?}");
    assert!(r.ok(), "{r:#?}");
}

async fn against_ferrochat(a: BenchArgs) -> Report {
    let s = server().await;
    let r = ferrochat_bench::run(&a, &s.target).await.unwrap();
    check(&r);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_to_one_delivers_everything_once_in_order() {
    let r = against_ferrochat(args(Scenario::OneToOne)).await;
    assert!(r.acked > 0);
    assert_eq!(r.delivered, r.acked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_to_one_at_an_offered_rate() {
    let mut a = args(Scenario::OneToOne);
    a.rate = 200;
    let r = against_ferrochat(a).await;
    assert!(r.acked > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_delivers_to_every_other_member() {
    let r = against_ferrochat(args(Scenario::Group)).await;
    assert!(r.acked > 0);
    assert_eq!(r.delivered, r.acked * 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn world_delivers_to_every_other_user() {
    let r = against_ferrochat(args(Scenario::World)).await;
    assert!(r.acked > 0);
    assert_eq!(r.delivered, r.acked * 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_all_stay_up() {
    let r = against_ferrochat(args(Scenario::Idle)).await;
    let idle = r.idle.unwrap();
    assert_eq!(idle.connections, 12);
    assert_eq!(idle.answered_ping, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_move_whole_files_both_ways() {
    let mut a = args(Scenario::Attachments);
    a.senders = 2;
    a.file_bytes = 300 * 1024;
    let r = against_ferrochat(a).await;
    let s = r.attachments.unwrap();
    assert!(s.downloads > 0, "{s:#?}");
    assert_eq!(s.errors, 0, "{s:#?}");
    assert!(
        s.uploads >= s.downloads && s.uploads <= s.downloads + 2,
        "{s:#?}"
    );
    assert!(
        s.upload_mib_per_s > 0.0 && s.download_mib_per_s > 0.0,
        "{s:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_in_resumable_chunks_arrive_whole() {
    let mut a = args(Scenario::Attachments);
    a.senders = 1;
    a.file_bytes = 300 * 1024;
    a.chunk_bytes = 128 * 1024;
    let r = against_ferrochat(a).await;
    let s = r.attachments.unwrap();
    assert_eq!(s.chunk_bytes, 128 * 1024);
    assert!(s.downloads > 0, "{s:#?}");
    assert_eq!(s.errors, 0, "{s:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_storm_resyncs_exactly_what_was_missed() {
    let r = against_ferrochat(args(Scenario::ReconnectStorm)).await;
    // Three phases of 5 messages to each of 12 receivers; the middle one
    // arrives only through `sync`.
    assert_eq!(r.acked, 3 * 5 * 12);
    assert_eq!(r.delivered, r.acked);
    assert_eq!(r.resynced, 5 * 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_relay_fans_out_the_same_scenarios() {
    let relay = Relay::start().await.unwrap();
    for s in [Scenario::OneToOne, Scenario::Group, Scenario::World] {
        let r = ferrochat_bench::run(&args(s), &relay.target())
            .await
            .unwrap();
        check(&r);
        assert!(r.delivered > 0);
    }
}

#[test]
fn bench_refuses_non_loopback_servers() {
    assert!(Target::remote("http://10.0.0.1:8080", None).is_err());
    assert!(Target::remote("http://127.0.0.3:8080", None).is_ok());
}
