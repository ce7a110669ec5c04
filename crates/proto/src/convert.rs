//! What the conversions share: the decode error and field helpers.

use ferrochat_domain::InvalidField;

/// A record that is not what a ferrochat process writes.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
    #[error("{field}: {reason}")]
    Field { field: &'static str, reason: String },
}

impl DecodeError {
    pub(crate) fn field(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Field {
            field,
            reason: reason.into(),
        }
    }
}

impl From<InvalidField> for DecodeError {
    fn from(e: InvalidField) -> Self {
        Self::Field {
            field: e.field,
            reason: e.reason,
        }
    }
}

// Conversions that cannot fail, for callers generic over `TryFrom`.
impl From<std::convert::Infallible> for DecodeError {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

/// A message field proto3 makes optional but ferrochat always writes.
pub(crate) fn required<T>(value: Option<T>, field: &'static str) -> Result<T, DecodeError> {
    value.ok_or_else(|| DecodeError::field(field, "is missing"))
}

/// A list of seqs of at most `max` (a request's own bound, checked again
/// at the receiving end: a peer's list is not trusted to be short).
pub(crate) fn bounded_seqs(
    raw: Vec<u64>,
    max: usize,
    field: &'static str,
) -> Result<Vec<ferrochat_domain::Seq>, DecodeError> {
    if raw.len() > max {
        return Err(DecodeError::field(field, format!("names more than {max}")));
    }
    Ok(raw.into_iter().map(ferrochat_domain::Seq::new).collect())
}
