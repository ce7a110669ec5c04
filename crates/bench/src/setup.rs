//! Bulk setup over HTTP: register and log in users, make a group, read
//! each conversation's last seq before the run.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context as _};
use futures::{StreamExt as _, TryStreamExt as _};
use serde_json::{json, Value};

/// A logged-in bench user.
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// HTTP requests in flight during setup.
const CONCURRENCY: usize = 32;
const PASSWORD: &str = "bench-password";

/// Registers and logs in `n` users named after the run, user `i` through
/// `bases[i % bases.len()]` (any gateway of a cluster will do).
pub async fn users(
    http: &reqwest::Client,
    bases: &[String],
    run: &str,
    n: usize,
) -> anyhow::Result<Vec<User>> {
    if bases.is_empty() {
        bail!("no server to register users with");
    }
    futures::stream::iter(0..n)
        .map(|i| async move {
            let base = bases.get(i % bases.len()).context("no server")?;
            let username = format!("b{run}_{i}");
            let body = json!({"username": username, "password": PASSWORD});
            call(http, base, "/api/v1/users/register", None, &body).await?;
            let data = call(http, base, "/api/v1/auth/login", None, &body).await?;
            let token = str_field(&data, "access_token")?;
            let id = data
                .get("user")
                .map(|u| str_field(u, "user_id"))
                .context("login answer without user")??;
            anyhow::Ok(User { id, token })
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

/// Makes a group owned by `owner` with every one of `members`; returns its
/// conversation id.
pub async fn group(
    http: &reqwest::Client,
    base: &str,
    owner: &User,
    members: &[User],
) -> anyhow::Result<(String, String)> {
    let size = members.len() + 1;
    let body = json!({"name": "bench", "max_members": size});
    let data = call(
        http,
        base,
        "/api/v1/groups/create",
        Some(&owner.token),
        &body,
    )
    .await?;
    let group_id = str_field(&data, "group_id")?;
    let conv = str_field(&data, "conversation_id")?;
    for chunk in members.chunks(100) {
        let ids: Vec<&str> = chunk.iter().map(|u| u.id.as_str()).collect();
        let path = format!("/api/v1/groups/{group_id}/members");
        call(
            http,
            base,
            &path,
            Some(&owner.token),
            &json!({"user_ids": ids}),
        )
        .await?;
    }
    Ok((group_id, conv))
}

/// Each of `user`'s conversations and its last seq.
pub async fn last_seqs(
    http: &reqwest::Client,
    base: &str,
    user: &User,
) -> anyhow::Result<HashMap<String, u64>> {
    let resp = http
        .get(format!("{base}/api/v1/conversations"))
        .bearer_auth(&user.token)
        .send()
        .await?;
    let v: Value = resp.json().await?;
    let mut out = HashMap::new();
    let convs = v
        .pointer("/data/conversations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in convs {
        if let (Some(id), Some(seq)) = (
            c.get("conversation_id").and_then(Value::as_str),
            c.get("last_seq").and_then(Value::as_u64),
        ) {
            out.insert(id.to_owned(), seq);
        }
    }
    Ok(out)
}

/// POSTs `body` and returns the envelope's `data`; retries rate limits.
async fn call(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    for _ in 0..600 {
        let mut req = http.post(format!("{base}{path}")).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.with_context(|| format!("POST {path}"))?;
        let v: Value = resp
            .json()
            .await
            .with_context(|| format!("POST {path}: not JSON"))?;
        match v.get("code").and_then(Value::as_u64) {
            Some(0) => return Ok(v.get("data").cloned().unwrap_or(Value::Null)),
            Some(1007) => tokio::time::sleep(Duration::from_millis(100)).await,
            _ => bail!("POST {path}: {v}"),
        }
    }
    bail!("POST {path}: still rate limited after a minute; raise the server's gateway.auth_rate_limit")
}

fn str_field(v: &Value, name: &str) -> anyhow::Result<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("answer without {name}: {v}"))
}
