//! The S3-protocol test server (moto, from `scripts/services`): a fresh
//! bucket per test, so tests run in parallel without seeing each other.

use crate::service;

/// The S3 test server's URL (`http://127.0.0.1:<port>`).
pub const S3_ENDPOINT: &str = "FERROCHAT_TEST_S3_ENDPOINT";

/// Credentials the test server takes (moto takes any).
pub const S3_ACCESS_KEY: &str = "ferrochat";
pub const S3_SECRET_KEY: &str = "ferrochat-secret";
pub const S3_REGION: &str = "us-east-1";

/// A new, empty bucket on the test server: its endpoint and name.
pub async fn fresh_bucket() -> (String, String) {
    let endpoint = service(S3_ENDPOINT);
    let bucket = format!("ferrochat-{}", uuid::Uuid::new_v4().simple());
    // moto creates a bucket on an unsigned PUT, as S3 does on a signed one.
    let answer = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating bucket {bucket} on {endpoint}: {e}"));
    assert!(
        answer.status().is_success(),
        "creating bucket {bucket}: {}",
        answer.status()
    );
    (endpoint, bucket)
}
