//! A real OpenID provider for the tests: panva's `oidc-provider` (an npm
//! package certified by the OpenID Foundation) run by node from
//! tests/oidc, on 127.0.0.1, and a browser's walk through its login pages.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{StatusCode, Url};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CLIENT_ID: &str = "ferrochat-test";
pub const CLIENT_SECRET: &str = "the test client's secret at the provider";
/// What the provider sends the browser back to. The tests play the
/// browser and take the answer to the app themselves, so it names no
/// real address.
pub const REDIRECT_URL: &str = "http://chat.test/api/v1/auth/oidc/callback";

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/oidc"))
}

/// `npm ci` in tests/oidc once (scripts/test does it first; this is for a
/// test run by hand), under a lock so concurrent tests do not race.
fn installed() {
    let dir = dir();
    if dir.join("node_modules/oidc-provider/package.json").exists() {
        return;
    }
    let lock = std::fs::File::create(std::env::temp_dir().join("ferrochat-oidc-npm.lock")).unwrap();
    lock.lock().unwrap();
    if !dir.join("node_modules/oidc-provider/package.json").exists() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm runs (node 20+ is needed for the OIDC tests)");
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
}

/// The provider process; stopped with its test (its stdin closes).
pub struct Provider {
    pub issuer: String,
    _child: Child,
}

impl Provider {
    pub async fn start() -> Self {
        installed();
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .args([CLIENT_ID, CLIENT_SECRET, REDIRECT_URL])
            .current_dir(dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the provider starts within 30 s")
            .unwrap()
            .expect("the provider says where it listens");
        let issuer = line
            .strip_prefix("issuer ")
            .expect("`issuer URL`")
            .to_owned();
        // It logs on as it serves: read to the end, or its writes fail.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            issuer,
            _child: child,
        }
    }
}

/// Cookies as a browser keeps them, by name (paths and hosts do not matter
/// here: the provider's and the app's names differ).
#[derive(Default, Clone)]
pub struct Jar(BTreeMap<String, String>);

impl Jar {
    pub fn take(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }
}

/// A client that follows no redirect: each step is looked at.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// From the provider's authorization URL, signs in as `login` (the
/// development login takes any name and password) and grants consent, as
/// a person at a browser would; or presses the login page's "Cancel"
/// when `cancel`. Answers where the provider sends the browser back: the
/// redirect URL with its query.
pub async fn walk(authorization: &str, login: &str, cancel: bool) -> Url {
    let client = browser();
    let mut jar = Jar::default();
    let mut next = Url::parse(authorization).unwrap();
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..20 {
        let mut req = match &form {
            Some(fields) => client.post(next.clone()).form(fields),
            None => client.get(next.clone()),
        };
        req = req.header("cookie", jar.header());
        let res = req.send().await.unwrap();
        jar.take(&res);
        form = None;
        if res.status().is_redirection() {
            let to = res.headers()["location"].to_str().unwrap();
            next = next.join(to).unwrap();
            if next.as_str().starts_with(REDIRECT_URL) {
                return next;
            }
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK, "the provider's page {next}");
        let page = res.text().await.unwrap();
        if cancel {
            let abort = between(&page, "href=\"", "\"", "abort");
            next = next.join(&abort).unwrap();
            continue;
        }
        let action = between(&page, "action=\"", "\"", "");
        next = next.join(&action).unwrap();
        form = Some(if page.contains("name=\"login\"") {
            vec![
                ("prompt".into(), "login".into()),
                ("login".into(), login.into()),
                ("password".into(), "anything".into()),
            ]
        } else {
            vec![("prompt".into(), "consent".into())]
        });
    }
    panic!("the provider never sent the browser back");
}

/// The first text between `open` and `close` that contains `having`.
fn between(page: &str, open: &str, close: &str, having: &str) -> String {
    page.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .find(|s| s.contains(having))
        .unwrap_or_else(|| panic!("no {open}…{close} with {having:?} in {page}"))
        .replace("&amp;", "&")
}
