//! A WebSocket text frame from a client, through the gateway's decoder
//! (`gateway/src/ws/handle.rs`): the frame, its kind, its `data` as that
//! kind's body, and the body into its domain command. A frame that does
//! not decode is refused in the contract's words; one that does is a
//! command within its bounds (a send also crosses the bus unchanged).

#![no_main]

use ferrochat_domain::commands::SyncRequest;
use ferrochat_domain::{ConversationId, PageLimit};
use ferrochat_fuzz::{messaging, refusal, revalidates_id};
use ferrochat_wire::frame::{loose_id, ClientFrame, ClientKind};
use ferrochat_wire::frame_data::ClientData;
use ferrochat_wire::messaging::SendBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // A text frame is UTF-8 (the WebSocket layer refuses any other).
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let frame = match ClientFrame::parse(text) {
        Ok(frame) => frame,
        Err(_) => {
            // Only JSON with a string `id` gives an id back.
            if let Some(id) = loose_id(text) {
                let v: serde_json::Value = serde_json::from_str(text).expect("loose_id read JSON");
                assert_eq!(v.get("id").and_then(|i| i.as_str()), Some(id.as_str()));
            }
            return;
        }
    };
    let Some(kind) = ClientKind::parse(&frame.kind) else {
        return;
    };
    assert!(kind.name() == frame.kind || kind.aliases().contains(&frame.kind.as_str()));
    match ClientData::decode(kind, frame.data) {
        Ok(data) => decoded(kind, data),
        Err(e) => refusal::malformed(&e),
    }
});

fn decoded(kind: ClientKind, data: ClientData) {
    // A message's frame is under the send rate limit.
    assert!(!matches!(data, ClientData::Send(_)) || kind.is_send());
    match data {
        ClientData::Send(body) => match body.decode(messaging::MAX_CONTENT_BYTES) {
            Ok(cmd) => messaging::send(kind, &cmd),
            Err(e) => refusal::field(&e),
        },
        ClientData::Forward(body) => match body.decode() {
            Ok(f) => messaging::forward(&f),
            Err(e) => refusal::field(&e),
        },
        ClientData::Delete(body) => match body.decode() {
            Ok((id, update)) => messaging::hide(&id, &update),
            Err(e) => refusal::field(&e),
        },
        ClientData::Read(body) => match body.decode() {
            Ok((id, _)) => revalidates_id!(id, ConversationId),
            Err(e) => refusal::field(&e),
        },
        ClientData::Typing(body) => match body.decode() {
            Ok(id) => revalidates_id!(id, ConversationId),
            Err(e) => refusal::field(&e),
        },
        ClientData::Sync(body) => match SyncRequest::try_from(body) {
            Ok(req) => sync(&req),
            Err(e) => refusal::field(&e),
        },
        ClientData::Ping | ClientData::Auth(_) => {}
    }
}

/// A sync names each conversation once, by a valid id, and asks for a
/// page of 1 to `PageLimit::MAX` messages.
fn sync(req: &SyncRequest) {
    for (i, (id, _)) in req.cursors.iter().enumerate() {
        revalidates_id!(id, ConversationId);
        assert!(!req.cursors.iter().take(i).any(|(other, _)| other == id));
    }
    assert!((1..=PageLimit::MAX).contains(&req.limit.get()));
}
