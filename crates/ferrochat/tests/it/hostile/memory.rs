//! Memory amplification: connections that ask for large replies and never
//! read them are closed with 4008 once their outbox holds
//! `gateway.ws.outbox_bytes`, and the server's memory stays bounded: the
//! memory it holds itself (`RssAnon`), not the database pages its SQLite
//! readers map (the kernel's page cache).

use std::time::Duration;

use serde_json::json;

use super::client::{own_memory_kib, own_memory_peak, send_text, Client};
use crate::binary::Server;

/// 200 messages of 10,800 NULs: about 65 KB each once JSON escapes them,
/// the most a 64 KiB request body can carry.
const MESSAGES: usize = 200;
const NULS: usize = 10_800;
const HOARDERS: usize = 10;
const SYNCS_EACH: usize = 40;
/// The stated bound on the server's growth under the attack: each
/// connection holds at most its outbox (1 MiB) and one reply (about
/// 0.5 MiB) beside what the kernel buffers.
const PEAK_GROWTH_KIB: u64 = 50 * 1024;
/// What may stay once they are gone (allocator caches).
const LEFT_KIB: u64 = 25 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_that_never_read_big_syncs_are_closed_and_memory_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[
            ("FERROCHAT_GATEWAY__SEND_RATE_LIMIT__PER_SECOND", "1000"),
            ("FERROCHAT_GATEWAY__SEND_RATE_LIMIT__BURST", "1000"),
            // The frame buckets would refuse most of these syncs; this
            // test is about the outbox, so they are opened wide.
            ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__PER_SECOND", "10000"),
            ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__BURST", "10000"),
            ("FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__PER_SECOND", "10000"),
            ("FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__BURST", "10000"),
        ],
    );
    let pid = server.child.id();
    let c = Client::new(&server);
    let (_, token) = c.user("hoarder").await;
    let nuls = "\0".repeat(NULS);
    for i in 0..MESSAGES {
        c.send(&token, "world", &format!("n{i}"), &nuls).await;
    }

    let base = own_memory_kib(pid);
    let (stop_sampling, sampler) = own_memory_peak(pid);
    let mut hoarders = Vec::new();
    for _ in 0..HOARDERS {
        let mut ws = c.ws(&token).await;
        for i in 0..SYNCS_EACH {
            let f = json!({"type": "sync", "id": format!("s{i}"), "data": {"cursors": {}, "limit": 200}});
            send_text(&mut ws, f).await;
        }
        hoarders.push(ws);
    }
    // Every one of them is closed for falling behind, none reading.
    c.wait_metric(
        "ferrochat_gateway_slow_closes_total",
        Duration::from_secs(120),
        |n| n >= HOARDERS as f64,
    )
    .await;
    let _ = stop_sampling.send(());
    let peak = sampler.await.unwrap();
    eprintln!("own memory before {base} KiB, peak under attack {peak} KiB");
    assert!(
        peak.saturating_sub(base) < PEAK_GROWTH_KIB,
        "own memory grew {} KiB under {HOARDERS} hoarders (bound {PEAK_GROWTH_KIB} KiB)",
        peak.saturating_sub(base)
    );

    drop(hoarders);
    c.wait_metric(
        "ferrochat_gateway_connections",
        Duration::from_secs(60),
        |n| n == 0.0,
    )
    .await;
    // Their writers end once their sockets are gone; poll until the
    // memory is back, failing with what is still held.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let after = own_memory_kib(pid);
        if after.saturating_sub(base) < LEFT_KIB {
            eprintln!("own memory once they are gone {after} KiB");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} KiB still held after the hoarders left (bound {LEFT_KIB} KiB)",
            after.saturating_sub(base)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
