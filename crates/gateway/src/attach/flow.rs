//! Bytes flowing in from a client: counted against a limit and timed
//! against stalls as they come, whatever framed them (a multipart part,
//! a chunk's raw body). Why a stream ended early travels as a `Fault`
//! inside the `io::Error` the stream yields, through the `Attachments`
//! port, back to the route, which words it.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use ferrochat_ports::attachments::UploadStream;
use futures::{stream, Stream, StreamExt as _};

/// Why an upload's stream ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    TooLarge,
    Stalled,
    Cut,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::TooLarge => "too large",
            Fault::Stalled => "stalled",
            Fault::Cut => "cut off",
        })
    }
}

impl std::error::Error for Fault {}

impl Fault {
    /// The fault an upload stream's error carries (a cut, if none).
    pub(super) fn of(e: &std::io::Error) -> Self {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<Fault>())
            .copied()
            .unwrap_or(Fault::Cut)
    }
}

/// `body`, failing with `Fault::TooLarge` past `limit` bytes and
/// `Fault::Stalled` when a chunk is later than `stall`; its own errors
/// become the fault `fault` names.
pub(super) fn counted<'a, S, E>(
    body: S,
    limit: u64,
    stall: Duration,
    fault: fn(E) -> Fault,
) -> UploadStream<'a>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'a,
    E: Send + 'a,
{
    struct Reading<S> {
        body: std::pin::Pin<Box<S>>,
        seen: u64,
        over: bool,
    }
    let start = Reading {
        body: Box::pin(body),
        seen: 0,
        over: false,
    };
    stream::unfold(start, move |mut r| async move {
        if r.over {
            return None;
        }
        let item = match tokio::time::timeout(stall, r.body.next()).await {
            Err(_) => Err(Fault::Stalled),
            Ok(None) => return None,
            Ok(Some(Err(e))) => Err(fault(e)),
            Ok(Some(Ok(chunk))) => {
                r.seen = r.seen.saturating_add(chunk.len() as u64);
                if r.seen > limit {
                    Err(Fault::TooLarge)
                } else {
                    Ok(chunk)
                }
            }
        };
        r.over = item.is_err();
        Some((item.map_err(std::io::Error::other), r))
    })
    .boxed()
}
