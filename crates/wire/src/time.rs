//! RFC 3339 rendering of domain timestamps (UTC, millisecond precision).

use ferrochat_domain::Timestamp;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn rfc3339(ts: Timestamp) -> String {
    // Only `None` for instants outside years 0..9999, which no clock or
    // store of ours produces, nor `parse_rfc3339`; render the epoch
    // rather than panic.
    render(ts).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

fn render(ts: Timestamp) -> Option<String> {
    let nanos = i128::from(ts.millis()) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
}

/// Parses an RFC 3339 instant (any offset) into a timestamp, if
/// `rfc3339` renders it back: an offset can carry 0000-01-01 or
/// 9999-12-31 past the years 0 to 9999 of UTC, and such an instant
/// would be kept and then shown as the epoch.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    let ts = i64::try_from(ms).ok().map(Timestamp::from_millis)?;
    render(ts).map(|_| ts)
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

    /// What the fuzz target http_body checks of a member's `muted_until`
    /// (it is shown back as it was given); found by probing its edges.
    #[test]
    fn an_instant_past_the_years_it_renders_is_refused() {
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59-01:00"), None);
        assert_eq!(parse_rfc3339("0000-01-01T00:00:00+01:00"), None);
        for s in ["9999-12-31T23:59:59+01:00", "0000-01-01T00:00:00-01:00"] {
            let t = parse_rfc3339(s).unwrap();
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{s}");
        }
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
