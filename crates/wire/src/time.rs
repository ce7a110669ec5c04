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

/// Parses an RFC 3339 instant (any offset) into a timestamp.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    i64::try_from(ms).ok().map(Timestamp::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_renders_and_other_offsets() {
        let t = Timestamp::from_millis(1_700_000_000_123);
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert_eq!(parse_rfc3339("2023-11-14T23:13:20.123+01:00"), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn renders_utc_with_millis() {
        assert_eq!(
            rfc3339(Timestamp::from_millis(1_700_000_000_123)),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(rfc3339(Timestamp::from_millis(0)), "1970-01-01T00:00:00Z");
    }
}
