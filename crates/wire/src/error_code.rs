//! The only place an `ErrorKind` becomes a contract code and HTTP status.
//! HTTP envelopes, WebSocket `error` frames and gRPC metadata all call it.

use ferrochat_domain::ErrorKind;

/// Every kind, each once: the OpenAPI document has one error response per
/// kind (a code of the contract's table missing from it fails its test).
pub const KINDS: [ErrorKind; 10] = [
    ErrorKind::InvalidParams,
    ErrorKind::RequestTimeout,
    ErrorKind::Unauthorized,
    ErrorKind::NotFound,
    ErrorKind::Internal,
    ErrorKind::Forbidden,
    ErrorKind::Conflict,
    ErrorKind::RateLimited,
    ErrorKind::TooLarge,
    ErrorKind::Unavailable,
];

/// `(code, http_status)` for a kind, as docs/protocol.md's table ("Error codes") says.
pub fn code(kind: ErrorKind) -> (u32, u16) {
    match kind {
        ErrorKind::InvalidParams => (1001, 400),
        ErrorKind::RequestTimeout => (1001, 408),
        ErrorKind::Unauthorized => (1002, 401),
        ErrorKind::NotFound => (1003, 404),
        ErrorKind::Internal => (1004, 500),
        ErrorKind::Forbidden => (1005, 403),
        ErrorKind::Conflict => (1006, 409),
        ErrorKind::RateLimited => (1007, 429),
        ErrorKind::TooLarge => (1008, 413),
        ErrorKind::Unavailable => (1009, 503),
    }
}

/// The inverse, for errors that crossed a process boundary as a code.
pub fn kind_for_code(code: u32) -> Option<ErrorKind> {
    Some(match code {
        1001 => ErrorKind::InvalidParams,
        1002 => ErrorKind::Unauthorized,
        1003 => ErrorKind::NotFound,
        1004 => ErrorKind::Internal,
        1005 => ErrorKind::Forbidden,
        1006 => ErrorKind::Conflict,
        1007 => ErrorKind::RateLimited,
        1008 => ErrorKind::TooLarge,
        1009 => ErrorKind::Unavailable,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let once = KINDS.iter().filter(|k| **k != ErrorKind::RequestTimeout);
        for &kind in once {
            assert_eq!(kind_for_code(code(kind).0), Some(kind));
        }
        // A stalled request is the client's invalid request, said with 408.
        assert_eq!(code(ErrorKind::RequestTimeout), (1001, 408));
        assert_eq!(
            kind_for_code(code(ErrorKind::RequestTimeout).0),
            Some(ErrorKind::InvalidParams)
        );
        assert_eq!(kind_for_code(0), None);
    }
}
