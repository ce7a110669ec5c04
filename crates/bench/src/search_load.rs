//! The search scenario's query phase: after the one-to-one phase has
//! stored the messages, `concurrency` clients search as the run's users
//! (each a member of its pair's conversation and the world room) for
//! words of the messages (`track::WORDS`: one word, two words, Chinese),
//! one query after another for `duration`, and the latency of each answer
//! is recorded.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::Value;

use crate::report::{percentiles, Percentiles};
use crate::setup::User;
use crate::track::{splitmix, word, WORDS};

/// What the query phase measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchStats {
    pub queries: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub queries_per_s: f64,
    pub latency_ms: Percentiles,
    /// Results per answer (a page holds at most 20).
    pub mean_results: f64,
    /// Answers with no result.
    pub empty: u64,
}

/// The query for `h`: usually one word (skewed like the messages' words),
/// a quarter of the time two, an eighth of the time any word of the list
/// alike (the rare ones too).
fn query(h: u64) -> String {
    let first = word(h);
    match h % 8 {
        0 | 1 => format!("{first} {}", word(splitmix(h))),
        2 => {
            let any = WORDS
                .get(usize::try_from(h >> 8).unwrap_or(0) % WORDS.len())
                .copied()
                .unwrap_or("the");
            any.to_owned()
        }
        _ => first.to_owned(),
    }
}

/// Runs the query phase against `bases` (users spread over them as in
/// setup) and returns its figures.
pub async fn run(
    http: &reqwest::Client,
    bases: &[String],
    users: &[User],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<SearchStats> {
    let until = Instant::now() + duration;
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency.max(1))
        .map(|t| {
            let http = http.clone();
            let bases = bases.to_vec();
            let users = users.to_vec();
            tokio::spawn(async move { client(http, bases, users, t as u64, until).await })
        })
        .collect();
    let mut all = Histogram::<u64>::new(3).context("histogram")?;
    let mut stats = SearchStats::default();
    let mut results = 0u64;
    for task in tasks {
        let (h, s, r) = task.await.context("a search client panicked")??;
        all.add(&h).context("merging histograms")?;
        stats.queries += s.queries;
        stats.errors += s.errors;
        stats.empty += s.empty;
        stats.first_error = stats.first_error.or(s.first_error);
        results += r;
    }
    let secs = start.elapsed().as_secs_f64();
    stats.queries_per_s = stats.queries as f64 / secs.max(f64::EPSILON);
    stats.latency_ms = percentiles(&all);
    stats.mean_results = results as f64 / (stats.queries.max(1)) as f64;
    Ok(stats)
}

/// One client's queries until `until`: its latencies (µs), counts, and
/// how many results it got in all.
async fn client(
    http: reqwest::Client,
    bases: Vec<String>,
    users: Vec<User>,
    seed: u64,
    until: Instant,
) -> anyhow::Result<(Histogram<u64>, SearchStats, u64)> {
    let mut h = Histogram::<u64>::new(3).context("histogram")?;
    let mut stats = SearchStats::default();
    let mut results = 0u64;
    let mut n = splitmix(seed + 1);
    while Instant::now() < until {
        n = splitmix(n);
        let i = usize::try_from(n % users.len().max(1) as u64).unwrap_or(0);
        let (Some(user), Some(base)) = (users.get(i), bases.get(i % bases.len().max(1))) else {
            break;
        };
        let mut url = reqwest::Url::parse(&format!("{base}/api/v1/messages/search"))?;
        url.query_pairs_mut().append_pair("q", &query(n));
        let sent = Instant::now();
        let answer: anyhow::Result<Value> = async {
            Ok(http
                .get(url.clone())
                .bearer_auth(&user.token)
                .send()
                .await?
                .json()
                .await?)
        }
        .await;
        let took = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
        stats.queries += 1;
        match answer {
            Ok(v) if v.get("code").and_then(Value::as_i64) == Some(0) => {
                h.record(took.max(1)).context("recording a latency")?;
                let found = v
                    .pointer("/data/results")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len) as u64;
                results += found;
                if found == 0 {
                    stats.empty += 1;
                }
            }
            Ok(v) => {
                stats.errors += 1;
                stats.first_error.get_or_insert_with(|| v.to_string());
            }
            Err(e) => {
                stats.errors += 1;
                stats.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    Ok((h, stats, results))
}
