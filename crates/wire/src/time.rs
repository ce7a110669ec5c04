//! RFC 3339 rendering of domain timestamps (UTC, millisecond precision).

use ferrochat_domain::Timestamp;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn rfc3339(ts: Timestamp) -> String {
    let nanos = i128::from(ts.millis()) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        // Only reachable for instants outside years 0..9999, which no clock
        // or store of ours produces; render the epoch rather than panic.
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_utc_with_millis() {
        assert_eq!(
            rfc3339(Timestamp::from_millis(1_700_000_000_123)),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(rfc3339(Timestamp::from_millis(0)), "1970-01-01T00:00:00Z");
    }
}
