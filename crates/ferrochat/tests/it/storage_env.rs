//! Where the spawned apps keep attachments: their data dir (the
//! default), or, with `FERROCHAT_TEST_STORAGE=s3` and always against
//! cluster roles (`FERROCHAT_TEST_LOGIC=roles`, whose gateways would
//! share a bucket), a fresh bucket on the S3 test server
//! (`FERROCHAT_TEST_S3_ENDPOINT`, from `scripts/services env`).

use ferrochat::config::Config;
use ferrochat_test_support::s3;

const STORAGE_ENV: &str = "FERROCHAT_TEST_STORAGE";

pub fn s3_wanted() -> bool {
    std::env::var(STORAGE_ENV).is_ok_and(|v| v == "s3") || crate::logic_env::roles_wanted()
}

pub async fn apply(config: &mut Config) {
    if !s3_wanted() {
        return;
    }
    let (endpoint, bucket) = s3::fresh_bucket().await;
    config.storage.url = Some(format!("s3://{bucket}"));
    config.storage.endpoint = Some(endpoint);
    config.storage.region = s3::S3_REGION.to_owned();
    config.storage.access_key_id = Some(s3::S3_ACCESS_KEY.to_owned());
    config.storage.secret_access_key = Some(s3::S3_SECRET_KEY.to_owned());
    config.storage.allow_http = true;
}
