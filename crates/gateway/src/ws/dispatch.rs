//! The consumer of this gateway's downstream topic: answers to sends,
//! deliveries and session closes, routed to local connections in bus order
//! (so a conversation's frames reach each connection in seq order).

use ferrochat_ports::bus::{Consumer, DownstreamRecord};
use tokio_util::sync::CancellationToken;

use super::{close, frames};
use crate::send;
use crate::state::AppState;

pub(crate) async fn dispatch(
    state: AppState,
    mut consumer: Box<dyn Consumer<Vec<DownstreamRecord>>>,
    cancel: CancellationToken,
) {
    loop {
        let items = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            r = consumer.next() => match r {
                Some(r) => r,
                None => break,
            },
        };
        for item in items {
            handle(&state, item);
        }
        if let Err(e) = consumer.commit().await {
            tracing::warn!(error = %e, "downstream commit failed");
        }
    }
}

fn handle(state: &AppState, item: DownstreamRecord) {
    match item {
        DownstreamRecord::Reply { reply_to, result } => {
            send::answer(state, reply_to.token, result);
        }
        DownstreamRecord::Deliver { conns, event } => {
            let frame = frames::event(&event);
            state.registry.send_many(&conns, &frame);
            metrics::counter!("ferrochat_gateway_deliveries_total").increment(conns.len() as u64);
        }
        DownstreamRecord::CloseSession { session } => {
            state.registry.close_session(&session, close::UNAUTHORIZED);
        }
    }
}
