//! The one mapping between `ApiError` and a gRPC `Status`, each way.
//!
//! The server puts the encoded `pb::ApiError` in the status details, with
//! a gRPC code that says the same thing to tools that read only the code.
//! The client reads the details back; a status without them did not come
//! from a `LogicServer` (the channel failed, the call timed out), so it is
//! logged here and becomes an internal error.

use ferrochat_domain::ErrorKind;
use ferrochat_ports::ApiError;
use ferrochat_proto::{pb, DecodeError};
use prost::Message as _;
use tonic::{Code, Status};

/// The status a `LogicServer` answers for `e`.
pub fn to_status(e: &ApiError) -> Status {
    let details = pb::ApiError::from(e).encode_to_vec();
    Status::with_details(code(e.kind), e.message.clone(), details.into())
}

fn code(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::InvalidParams => Code::InvalidArgument,
        ErrorKind::RequestTimeout => Code::DeadlineExceeded,
        ErrorKind::Unauthorized => Code::Unauthenticated,
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::Internal => Code::Internal,
        ErrorKind::Forbidden => Code::PermissionDenied,
        // Username taken, already a member, group full.
        ErrorKind::Conflict => Code::AlreadyExists,
        ErrorKind::RateLimited => Code::ResourceExhausted,
        ErrorKind::TooLarge => Code::OutOfRange,
        ErrorKind::Unavailable => Code::Unavailable,
    }
}

/// The error a `LogicClient` returns for a failed call of `rpc`.
pub fn from_status(status: &Status, rpc: &'static str) -> ApiError {
    if !status.details().is_empty() {
        let decoded = pb::ApiError::decode(status.details())
            .map_err(DecodeError::from)
            .and_then(ApiError::try_from);
        return match decoded {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(rpc, error = %e, "logic answered an unreadable error");
                ApiError::internal()
            }
        };
    }
    // Not an answer of logic's: the call never reached it or never came
    // back. The client sees an internal error that says which.
    let message = match status.code() {
        Code::DeadlineExceeded | Code::Cancelled => "internal error: logic did not answer in time",
        Code::Unavailable => "internal error: logic is unreachable",
        _ => "internal error",
    };
    tracing::error!(
        rpc,
        code = ?status.code(),
        status = status.message(),
        "logic call failed"
    );
    ApiError::new(ErrorKind::Internal, message)
}
