//! The wall clock, read in one place so the domain can take time as an
//! argument.

use std::time::{SystemTime, UNIX_EPOCH};

use ferrochat_domain::Timestamp;

pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}
