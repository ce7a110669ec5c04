//! The wall clock, read in one place so the domain can take time as an
//! argument (logic's rules and the gateway's `sent_at` read the same one).

use std::time::{SystemTime, UNIX_EPOCH};

use ferrochat_domain::Timestamp;

pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}
