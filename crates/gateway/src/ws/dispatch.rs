//! The consumer of this gateway's downstream topic: answers to sends,
//! deliveries and session closes, routed to local connections in bus order
//! (so a conversation's frames reach each connection in seq order).

use ferrochat_ports::bus::{Consumer, Downstream, DownstreamRecord, Event};
use tokio_util::sync::CancellationToken;

use super::{close, frames};
use crate::send;
use crate::state::AppState;

pub(crate) async fn dispatch(
    state: AppState,
    mut consumer: Box<dyn Consumer<Downstream>>,
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
            Downstream::Items(items) => {
                for item in items {
                    handle(&state, item);
                }
            }
            Downstream::Lost => lost(&state),
        }
        if let Err(e) = consumer.commit().await {
            tracing::warn!(error = %e, "downstream commit failed");
        }
    }
}

/// Records meant for this gateway were lost: every send waiting here is
/// told to resend (same client_msg_id), and every client to reconnect and
/// resync by seq (1012), since deliveries may be missing too.
fn lost(state: &AppState) {
    let waiting = state.pending.take_all();
    tracing::error!(
        sends = waiting.len(),
        "the bus lost records for this gateway; asking clients to resend and resync"
    );
    for waiter in waiting {
        send::deliver(state, waiter, Err(send::unconfirmed()));
    }
    state.registry.close_all(close::SERVICE_RESTART);
}

fn handle(state: &AppState, item: DownstreamRecord) {
    match item {
        DownstreamRecord::Reply {
            reply_to,
            result,
            trace,
        } => {
            let _traced = ferrochat_trace::follow("gateway.answer", trace.as_ref()).entered();
            send::answer(state, reply_to.token, result);
        }
        DownstreamRecord::Deliver {
            conns,
            event,
            trace,
        } => {
            // Into each receiving connection's bounded outbox, whose
            // writer puts it on the socket.
            let _traced = ferrochat_trace::follow("gateway.push", trace.as_ref()).entered();
            let frame = frames::event(&event);
            state.registry.send_many(&conns, &frame);
            if let Event::NewMessage(m) = &*event {
                state.dispatch_lag.dispatched(m);
            }
            metrics::counter!("ferrochat_gateway_deliveries_total").increment(conns.len() as u64);
        }
        DownstreamRecord::CloseSession { session } => {
            state.registry.close_session(&session, close::UNAUTHORIZED);
        }
    }
}
