//! The attachments scenario: `senders` pairs of users; in each, one
//! uploads a `file_bytes` file (multipart, `POST /api/v1/attachments`),
//! sends it to its peer as a `file` message, and the peer downloads it
//! whole, one file after another for `duration`. Users are spread over
//! the servers as in setup, so in a cluster a file is often uploaded
//! through one gateway and downloaded through another. Each transfer's
//! time is recorded, and the bytes moved per second each way. With a
//! chunk size, each file goes as a resumable upload instead
//! (`POST /api/v1/uploads`, then one `PATCH` per chunk).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use bytes::Bytes;
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{json, Value};

use crate::report::{percentiles, Percentiles};
use crate::setup::User;

/// What the scenario measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AttachmentStats {
    pub file_bytes: usize,
    /// 0: uploaded in one multipart request.
    pub chunk_bytes: usize,
    pub uploads: u64,
    pub downloads: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// MiB/s over all pairs, each way.
    pub upload_mib_per_s: f64,
    pub download_mib_per_s: f64,
    /// One transfer's time.
    pub upload_ms: Percentiles,
    pub download_ms: Percentiles,
}

/// Each file's size, and the chunks it is uploaded in (0: none).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub file: usize,
    pub chunk: usize,
}

struct Pair {
    base_up: String,
    base_down: String,
    sender: User,
    receiver: User,
    /// Upload in chunks of this many bytes (0: in one request).
    chunk: usize,
}

/// Runs the transfers (users `2p` and `2p+1` pair up) and returns the
/// figures.
pub async fn run(
    http: &reqwest::Client,
    bases: &[String],
    users: &[User],
    duration: Duration,
    sizes: Sizes,
) -> anyhow::Result<AttachmentStats> {
    let file_bytes = sizes.file;
    if bases.is_empty() || users.len() < 2 {
        bail!("attachments needs a server and two users");
    }
    // The same bytes for every upload: a pattern, so a download that
    // comes back wrong is seen by its length and first bytes.
    let file = Bytes::from(
        (0..file_bytes)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    let until = Instant::now() + duration;
    let start = Instant::now();
    let tasks: Vec<_> = users
        .chunks_exact(2)
        .enumerate()
        .filter_map(|(p, two)| {
            let [sender, receiver] = two else { return None };
            let pair = Pair {
                base_up: bases.get((2 * p) % bases.len())?.clone(),
                base_down: bases.get((2 * p + 1) % bases.len())?.clone(),
                sender: sender.clone(),
                receiver: receiver.clone(),
                chunk: sizes.chunk,
            };
            let http = http.clone();
            let file = file.clone();
            Some(tokio::spawn(async move {
                pair.transfer(&http, file, until).await
            }))
        })
        .collect();
    let mut up = Histogram::<u64>::new(3).context("histogram")?;
    let mut down = Histogram::<u64>::new(3).context("histogram")?;
    let mut stats = AttachmentStats {
        file_bytes,
        chunk_bytes: sizes.chunk,
        ..AttachmentStats::default()
    };
    for task in tasks {
        let (u, d, s) = task.await.context("a transfer pair panicked")??;
        up.add(&u).context("merging histograms")?;
        down.add(&d).context("merging histograms")?;
        stats.uploads += s.uploads;
        stats.downloads += s.downloads;
        stats.errors += s.errors;
        stats.first_error = stats.first_error.or(s.first_error);
    }
    let secs = start.elapsed().as_secs_f64().max(f64::EPSILON);
    let mib = file_bytes as f64 / (1024.0 * 1024.0);
    stats.upload_mib_per_s = stats.uploads as f64 * mib / secs;
    stats.download_mib_per_s = stats.downloads as f64 * mib / secs;
    stats.upload_ms = percentiles(&up);
    stats.download_ms = percentiles(&down);
    Ok(stats)
}

impl Pair {
    /// Upload, send, download until `until`: the latencies (µs) each way.
    async fn transfer(
        self,
        http: &reqwest::Client,
        file: Bytes,
        until: Instant,
    ) -> anyhow::Result<(Histogram<u64>, Histogram<u64>, AttachmentStats)> {
        let mut up = Histogram::<u64>::new(3).context("histogram")?;
        let mut down = Histogram::<u64>::new(3).context("histogram")?;
        let mut stats = AttachmentStats::default();
        let mut n = 0u64;
        while Instant::now() < until {
            n += 1;
            match self
                .once(http, &file, n, &mut up, &mut down, &mut stats)
                .await
            {
                Ok(()) => {}
                Err(e) => {
                    stats.errors += 1;
                    stats.first_error.get_or_insert_with(|| format!("{e:#}"));
                }
            }
        }
        Ok((up, down, stats))
    }

    async fn once(
        &self,
        http: &reqwest::Client,
        file: &Bytes,
        n: u64,
        up: &mut Histogram<u64>,
        down: &mut Histogram<u64>,
        stats: &mut AttachmentStats,
    ) -> anyhow::Result<()> {
        let sent = Instant::now();
        let id = if self.chunk == 0 {
            self.upload(http, file, n).await?
        } else {
            self.upload_chunked(http, file, self.chunk, n).await?
        };
        up.record(micros(sent).max(1))?;
        stats.uploads += 1;
        self.send_and_download(http, file, &id, down, stats).await
    }

    /// One multipart request; the attachment's id.
    async fn upload(&self, http: &reqwest::Client, file: &Bytes, n: u64) -> anyhow::Result<String> {
        let part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::from(file.clone()),
            file.len() as u64,
        )
        .file_name(format!("bench-{n}.bin"));
        let form = reqwest::multipart::Form::new().part("file", part);
        let answer: Value = http
            .post(format!("{}/api/v1/attachments", self.base_up))
            .bearer_auth(&self.sender.token)
            .multipart(form)
            .send()
            .await?
            .json()
            .await?;
        let id = answer
            .pointer("/data/attachment_id")
            .and_then(Value::as_str)
            .with_context(|| format!("upload refused: {answer}"))?
            .to_owned();
        Ok(id)
    }

    /// A resumable upload, `chunk` bytes at a time; the attachment's id.
    async fn upload_chunked(
        &self,
        http: &reqwest::Client,
        file: &Bytes,
        chunk: usize,
        n: u64,
    ) -> anyhow::Result<String> {
        let opened: Value = http
            .post(format!("{}/api/v1/uploads", self.base_up))
            .bearer_auth(&self.sender.token)
            .json(&json!({"name": format!("bench-{n}.bin"), "size": file.len()}))
            .send()
            .await?
            .json()
            .await?;
        let id = opened
            .pointer("/data/upload_id")
            .and_then(Value::as_str)
            .with_context(|| format!("opening refused: {opened}"))?
            .to_owned();
        let mut offset = 0;
        while offset < file.len() {
            let end = (offset + chunk).min(file.len());
            let answer: Value = http
                .patch(format!("{}/api/v1/uploads/{id}", self.base_up))
                .bearer_auth(&self.sender.token)
                .header("Upload-Offset", offset.to_string())
                .header("Content-Type", "application/offset+octet-stream")
                .body(file.slice(offset..end))
                .send()
                .await?
                .json()
                .await?;
            if answer.pointer("/data/offset").and_then(Value::as_u64) != Some(end as u64) {
                bail!("chunk at {offset} refused: {answer}");
            }
            offset = end;
        }
        Ok(id)
    }

    /// Sends attachment `id` to the peer, who downloads it.
    async fn send_and_download(
        &self,
        http: &reqwest::Client,
        file: &Bytes,
        id: &str,
        down: &mut Histogram<u64>,
        stats: &mut AttachmentStats,
    ) -> anyhow::Result<()> {
        let send = json!({"to_user_id": self.receiver.id, "client_msg_id": format!("att-{id}"),
                          "message_type": "file", "content": id});
        let acked: Value = http
            .post(format!("{}/api/v1/messages/send", self.base_up))
            .bearer_auth(&self.sender.token)
            .json(&send)
            .send()
            .await?
            .json()
            .await?;
        if acked.get("code").and_then(Value::as_i64) != Some(0) {
            bail!("send refused: {acked}");
        }
        let started = Instant::now();
        let res = http
            .get(format!("{}/api/v1/attachments/{id}", self.base_down))
            .bearer_auth(&self.receiver.token)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("download refused: {}", res.text().await.unwrap_or_default());
        }
        let body = res.bytes().await?;
        if body.len() != file.len() || body.get(..64) != file.get(..64) {
            bail!("download of {} bytes is not the file uploaded", body.len());
        }
        down.record(micros(started).max(1))?;
        stats.downloads += 1;
        Ok(())
    }
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}
