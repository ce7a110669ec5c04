//! The consumer of this gateway's downstream topic: answers to sends,
//! deliveries and session closes, routed to local connections in bus order
//! (so a conversation's frames reach each connection in seq order).

use ferrochat_ports::bus::{Consumer, DownstreamRecord, ReplyTo};
use tokio_util::sync::CancellationToken;

use super::{close, frames};
use crate::state::AppState;

pub(crate) async fn dispatch(
    state: AppState,
    mut consumer: Box<dyn Consumer<DownstreamRecord>>,
    cancel: CancellationToken,
) {
    loop {
        let record = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            r = consumer.next() => match r {
                Some(r) => r,
                None => break,
            },
        };
        match record {
            DownstreamRecord::Reply { reply_to, result } => match reply_to {
                ReplyTo::Http { token, .. } => state.pending.complete(token, result),
                ReplyTo::Ws {
                    conn, request_id, ..
                } => {
                    let frame = frames::reply(request_id.as_deref(), &result);
                    state.registry.send_to(conn, frame);
                }
            },
            DownstreamRecord::Deliver { conns, event } => {
                let frame = frames::event(&event);
                state.registry.send_many(&conns, &frame);
                metrics::counter!("ferrochat_gateway_deliveries_total")
                    .increment(conns.len() as u64);
            }
            DownstreamRecord::CloseSession { session } => {
                state.registry.close_session(&session, close::UNAUTHORIZED);
            }
        }
        if let Err(e) = consumer.commit().await {
            tracing::warn!(error = %e, "downstream commit failed");
        }
    }
}
