//! What the Kafka bus says a run's records cost, from every role's
//! `/metrics` before and after the measured phase:
//! `ferrochat_bus_publish_seconds{topic}` (handed to the producer to the
//! broker's ack) and `ferrochat_bus_consume_delay_seconds{topic}` (the
//! record's producer timestamp to a consumer's poll: one hop), as means
//! per kind of topic (`upstream`, `downstream`, `task`).

use std::collections::HashMap;

use serde::Serialize;

const TOPICS: &[&str] = &["upstream", "downstream", "task"];
const PUBLISH: &str = "ferrochat_bus_publish_seconds";
const CONSUME: &str = "ferrochat_bus_consume_delay_seconds";

/// Each process's series of interest, by process.
pub type Scrape = Vec<Option<HashMap<String, f64>>>;

#[derive(Debug, Clone, Serialize)]
pub struct BusHop {
    pub topic: &'static str,
    pub published: u64,
    pub publish_ms_mean: Option<f64>,
    pub consumed: u64,
    /// Producer timestamp to poll (milliseconds resolution at the source).
    pub consume_delay_ms_mean: Option<f64>,
}

fn series() -> Vec<String> {
    let mut all = Vec::new();
    for t in TOPICS {
        for m in [PUBLISH, CONSUME] {
            for part in ["sum", "count"] {
                all.push(format!("{m}_{part}{{topic=\"{t}\"}}"));
            }
        }
    }
    all
}

/// Reads the series from each `/metrics` URL (None where it did not answer).
pub async fn scrape(http: &reqwest::Client, urls: &[String]) -> Scrape {
    let want = series();
    let mut out = Vec::new();
    for url in urls {
        let text = match http.get(url).send().await {
            Ok(r) => r.text().await.ok(),
            Err(_) => None,
        };
        out.push(text.map(|t| parse(&t, &want)));
    }
    out
}

fn parse(text: &str, want: &[String]) -> HashMap<String, f64> {
    text.lines()
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            want.iter()
                .any(|w| w == name)
                .then(|| Some((name.to_owned(), value.parse().ok()?)))?
        })
        .collect()
}

/// Means over the run. A process whose counters went back (it was
/// restarted) counts from zero.
pub fn hops(before: &Scrape, after: &Scrape) -> Vec<BusHop> {
    let delta = |name: &str| -> f64 {
        before
            .iter()
            .zip(after)
            .map(|(b, a)| {
                let a = a.as_ref().and_then(|a| a.get(name)).copied().unwrap_or(0.0);
                let b = b.as_ref().and_then(|b| b.get(name)).copied().unwrap_or(0.0);
                if a >= b {
                    a - b
                } else {
                    a
                }
            })
            .sum()
    };
    TOPICS
        .iter()
        .map(|&t| {
            let get = |m: &str, part: &str| delta(&format!("{m}_{part}{{topic=\"{t}\"}}"));
            let mean = |m: &str| {
                let n = get(m, "count");
                (n > 0.0).then(|| 1000.0 * get(m, "sum") / n)
            };
            BusHop {
                topic: t,
                published: get(PUBLISH, "count") as u64,
                publish_ms_mean: mean(PUBLISH),
                consumed: get(CONSUME, "count") as u64,
                consume_delay_ms_mean: mean(CONSUME),
            }
        })
        .filter(|h| h.published > 0 || h.consumed > 0)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn one(text: &str) -> Scrape {
        vec![Some(parse(text, &series()))]
    }

    #[test]
    fn means_over_the_run() {
        let before = one(
            "ferrochat_bus_consume_delay_seconds_sum{topic=\"upstream\"} 1\n\
             ferrochat_bus_consume_delay_seconds_count{topic=\"upstream\"} 10\n\
             ferrochat_bus_consume_delay_seconds{topic=\"upstream\",quantile=\"0.5\"} 0.1\n",
        );
        let after = one(
            "ferrochat_bus_consume_delay_seconds_sum{topic=\"upstream\"} 3\n\
             ferrochat_bus_consume_delay_seconds_count{topic=\"upstream\"} 110\n",
        );
        let h = hops(&before, &after);
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].topic, h[0].consumed), ("upstream", 100));
        assert!((h[0].consume_delay_ms_mean.unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(h[0].publish_ms_mean, None);
        // A restarted process counts from zero.
        let h = hops(&after, &before);
        assert_eq!(h[0].consumed, 10);
    }
}
