//! `ferrochat bench broker`: what one hop through the Kafka-protocol broker
//! costs, without ferrochat around it. A producer configured as the bus's
//! (idempotent, acks=all, Nagle off) with `--linger` sends records of
//! `--content-bytes` at `--rate` with random keys to a fresh topic of
//! `--partitions`; a consumer assigned every partition polls them with
//! `fetch.wait.max.ms` = `--fetch-wait`. Each record carries its send time
//! in microseconds: the hop is send to poll. The broker's CPU (`--server-pid`)
//! is read from /proc while the consumer idles (what its fetch polling
//! costs) and while records flow (per 1,000 records).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use futures::stream::{FuturesUnordered, StreamExt as _};
use hdrhistogram::Histogram;
use rand::distr::{Alphanumeric, SampleString as _};
use rand::Rng as _;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer as _, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message as _, Offset, TopicPartitionList};
use serde::Serialize;

use crate::args::BenchArgs;
use crate::proc_stats;
use crate::report::{percentiles, Percentiles};
use crate::track;

/// How long the consumer polls an idle topic while the broker's CPU is read.
const IDLE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize)]
pub struct BrokerReport {
    pub brokers: String,
    pub partitions: i32,
    pub fetch_wait_ms: u128,
    pub linger_ms: u128,
    pub rate_offered: u64,
    pub record_bytes: usize,
    pub seconds: f64,
    pub produced: u64,
    pub acked: u64,
    pub consumed: u64,
    /// Acked but never polled within `--drain`.
    pub lost: u64,
    /// Send to the broker's ack.
    pub produce_ack_ms: Percentiles,
    /// Send to the consumer's poll: one hop.
    pub hop_ms: Percentiles,
    /// The broker's CPU while the consumer polled an idle topic.
    pub broker_idle_cpu_percent: Option<f64>,
    pub broker_cpu_percent: Option<f64>,
    pub broker_cpu_ms_per_1000_records: Option<f64>,
    pub bench_cpu_percent: Option<f64>,
    pub first_error: Option<String>,
}

impl BrokerReport {
    pub fn ok(&self) -> bool {
        self.lost == 0 && self.first_error.is_none() && self.acked == self.produced
    }

    pub fn table(&self) -> String {
        let f = |v: Option<f64>, unit: &str| v.map_or("-".into(), |v| format!("{v:.1}{unit}"));
        let p = |p: &Percentiles| {
            format!(
                "{:.2} / {:.2} / {:.2} / {:.2} (max {:.2})",
                p.p50, p.p90, p.p99, p.p999, p.max
            )
        };
        format!(
            "broker {} | {} partition(s), fetch wait {} ms, linger {} ms, {} B records, {}\n\
             produced / acked / consumed / lost     {} / {} / {} / {}\n\
             send->ack ms p50/90/99/99.9            {}\n\
             send->poll (hop) ms p50/90/99/99.9     {}\n\
             broker cpu idle (consumer polling)     {}\n\
             broker cpu loaded                      {} ({} ms per 1,000 records)\n\
             bench cpu                              {}\n{}{}\n",
            self.brokers,
            self.partitions,
            self.fetch_wait_ms,
            self.linger_ms,
            self.record_bytes,
            if self.rate_offered == 0 {
                "flat out".to_owned()
            } else {
                format!("{} records/s offered", self.rate_offered)
            },
            self.produced,
            self.acked,
            self.consumed,
            self.lost,
            p(&self.produce_ack_ms),
            p(&self.hop_ms),
            f(self.broker_idle_cpu_percent, " %"),
            f(self.broker_cpu_percent, " %"),
            f(self.broker_cpu_ms_per_1000_records, ""),
            f(self.bench_cpu_percent, " %"),
            self.first_error
                .as_ref()
                .map_or(String::new(), |e| format!("first error: {e}\n")),
            if self.ok() { "OK" } else { "FAILED" }
        )
    }
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<BrokerReport> {
    let brokers = args
        .brokers
        .clone()
        .context("--brokers (or FERROCHAT_TEST_KAFKA_BROKERS) is needed")?;
    if !brokers
        .split(',')
        .all(|b| b.starts_with("127.") || b.starts_with("localhost:"))
    {
        bail!("the bench only loads loopback brokers, not {brokers}");
    }
    let run = Alphanumeric
        .sample_string(&mut rand::rng(), 6)
        .to_lowercase();
    let topic = format!("bench-hop-{run}");
    let partitions = i32::try_from(args.partitions.max(1))?;
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .context("admin client")?;
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let created = admin
        .create_topics(
            &[NewTopic::new(
                &topic,
                partitions,
                TopicReplication::Fixed(1),
            )],
            &opts,
        )
        .await
        .context("creating the topic")?;
    for r in created {
        r.map_err(|(t, e)| anyhow::anyhow!("creating {t}: {e}"))?;
    }
    let result = measure(args, &brokers, &topic, partitions).await;
    let _ = admin.delete_topics(&[&topic], &opts).await;
    result
}

async fn measure(
    args: &BenchArgs,
    brokers: &str,
    topic: &str,
    partitions: i32,
) -> anyhow::Result<BrokerReport> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", args.linger.as_millis().to_string())
        .set("socket.nagle.disable", "true")
        .set("message.timeout.ms", "10000")
        .create()
        .context("producer")?;
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("{topic}.reader"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .set("socket.nagle.disable", "true")
        .set("fetch.wait.max.ms", args.fetch_wait.as_millis().to_string())
        .create()
        .context("consumer")?;
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)?;
    }
    consumer.assign(&tpl).context("assigning the partitions")?;
    let consumer = Arc::new(consumer);

    let record_bytes = args.content_bytes.max(24);
    let consumed = Arc::new(AtomicU64::new(0));
    let hop = Arc::new(Mutex::new(track::histogram()));
    let reader = {
        let (consumer, consumed, hop) = (consumer.clone(), consumed.clone(), hop.clone());
        tokio::spawn(async move {
            loop {
                let Ok(m) = consumer.recv().await else {
                    continue;
                };
                let now = track::unix_micros();
                let sent = m
                    .payload()
                    .and_then(|p| p.get(..16))
                    .and_then(|p| std::str::from_utf8(p).ok())
                    .and_then(|s| s.parse::<u64>().ok());
                if let Some(sent) = sent {
                    if let Ok(mut h) = hop.lock() {
                        track::record(&mut h, now.saturating_sub(sent));
                    }
                }
                consumed.fetch_add(1, Relaxed);
            }
        })
    };
    let send = |key: String| {
        let mut payload = format!("{:016}", track::unix_micros());
        payload.extend(std::iter::repeat_n('x', record_bytes - 16));
        let record = FutureRecord::to(topic).key(&key).payload(&payload);
        let sent = Instant::now();
        let delivery = producer.send_result(record).map_err(|(e, _)| e);
        async move {
            delivery?
                .await
                .map_err(|_| anyhow::anyhow!("delivery cancelled"))?
                .map_err(|(e, _)| e)?;
            anyhow::Ok(sent.elapsed())
        }
    };

    // Warm up: the consumer is fetching once a record comes back.
    let deadline = Instant::now() + Duration::from_secs(30);
    send("warm-up".into()).await?;
    while consumed.load(Relaxed) == 0 {
        if Instant::now() > deadline {
            bail!("the consumer got nothing within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = args.server_pid;
    let idle0 = pid.and_then(proc_stats::local);
    tokio::time::sleep(IDLE).await;
    let idle1 = pid.and_then(proc_stats::local);
    if let Ok(mut h) = hop.lock() {
        h.reset();
    }
    consumed.store(0, Relaxed);

    let before = (pid.and_then(proc_stats::local), proc_stats::this_process());
    let started = Instant::now();
    let until = started + args.duration;
    let interval = (args.rate > 0).then(|| Duration::from_secs_f64(1.0 / args.rate as f64));
    let mut acks = track::histogram();
    let mut in_flight = FuturesUnordered::new();
    let (mut produced, mut acked) = (0u64, 0u64);
    let mut first_error = None;
    let mut next = tokio::time::Instant::now();
    let mut rng = rand::rng();
    while Instant::now() < until && (args.messages == 0 || produced < args.messages) {
        if let Some(iv) = interval {
            // Answer acks while waiting for the next send.
            while tokio::time::Instant::now() < next {
                tokio::select! {
                    () = tokio::time::sleep_until(next) => {}
                    Some(r) = in_flight.next(), if !in_flight.is_empty() => {
                        note(r, &mut acks, &mut acked, &mut first_error);
                    }
                }
            }
            next += iv;
        } else if in_flight.len() >= 10_000 {
            if let Some(r) = in_flight.next().await {
                note(r, &mut acks, &mut acked, &mut first_error);
            }
        }
        let key = format!("k{}", rng.random::<u32>());
        in_flight.push(send(key));
        produced += 1;
    }
    while let Some(r) = in_flight.next().await {
        note(r, &mut acks, &mut acked, &mut first_error);
    }
    let drain_until = Instant::now() + args.drain;
    while consumed.load(Relaxed) < acked && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = (pid.and_then(proc_stats::local), proc_stats::this_process());
    reader.abort();
    let consumed = consumed.load(Relaxed);
    let hop = hop
        .lock()
        .map(|h| h.clone())
        .unwrap_or_else(|_| track::histogram());
    let pct = |b: Option<proc_stats::Sample>, a: Option<proc_stats::Sample>| {
        Some(a?.cpu_percent_since(&b?))
    };
    let per_1000 = match (before.0, after.0) {
        (Some(b), Some(a)) if consumed > 0 => {
            Some(1e6 * (a.cpu_secs - b.cpu_secs) / consumed as f64)
        }
        _ => None,
    };
    Ok(BrokerReport {
        brokers: brokers.to_owned(),
        partitions,
        fetch_wait_ms: args.fetch_wait.as_millis(),
        linger_ms: args.linger.as_millis(),
        rate_offered: args.rate,
        record_bytes,
        seconds,
        produced,
        acked,
        consumed,
        lost: acked.saturating_sub(consumed),
        produce_ack_ms: percentiles(&acks),
        hop_ms: percentiles(&hop),
        broker_idle_cpu_percent: pct(idle0, idle1),
        broker_cpu_percent: pct(before.0, after.0),
        broker_cpu_ms_per_1000_records: per_1000,
        bench_cpu_percent: pct(before.1, after.1),
        first_error,
    })
}

fn note(
    r: anyhow::Result<Duration>,
    acks: &mut Histogram<u64>,
    acked: &mut u64,
    first_error: &mut Option<String>,
) {
    match r {
        Ok(took) => {
            track::record(acks, u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
            *acked += 1;
        }
        Err(e) => {
            first_error.get_or_insert(format!("{e:#}"));
        }
    }
}
