//! What each client frame does. Replies go through the connection's
//! outbox; failures become `error` frames and the connection stays open.
//! A send returns once its record is handed to the bus: the session waits
//! for it to be durable beside reading the next frames, and its answer
//! comes through the dispatcher.

use axum::extract::ws::Utf8Bytes;
use ferrochat_domain::commands::SyncRequest;
use ferrochat_domain::routing::ConnId;
use ferrochat_domain::{ErrorKind, Principal, Timestamp};
use ferrochat_ports::ApiError;
use ferrochat_wire::frame::{loose_id, ClientFrame, ClientKind, ServerKind};
use ferrochat_wire::frame_data::{AuthBody, ClientData, SendData};
use ferrochat_wire::messaging::{
    AckDto, DeleteMessagesBody, ForwardBody, ForwardedDto, MessageDto, ReadBody, SyncBody, SyncDto,
    SyncEntryDto, TypingBody,
};
use serde_json::json;

use super::frames;
use super::registry::Conn;
use crate::error::malformed;
use crate::pending::Waiter;
use crate::send::{self, Submitted};
use crate::{delete, forward};

use crate::state::AppState;

/// What a frame left for the session to do.
pub(crate) enum Handled {
    Done,
    /// A send to follow until the bus stored it.
    Submitted(Submitted),
    /// An `auth` frame brought a token that expires then.
    Renewed(Timestamp),
}

/// Handles one text frame.
pub(crate) async fn frame(
    state: &AppState,
    who: &Principal,
    conn: &Conn,
    conn_id: ConnId,
    text: &str,
) -> Handled {
    let f = match ClientFrame::parse(text) {
        Ok(f) => f,
        Err(_) if !state.frame_limiter.allow(&who.user_id) => {
            conn.send(frames::error(None, &slow_down()));
            return Handled::Done;
        }
        Err(_) => {
            let e = ApiError::new(
                ErrorKind::InvalidParams,
                "frame must be a JSON object {\"type\", \"id\"?, \"data\"?}",
            );
            conn.send(frames::error(loose_id(text).as_deref(), &e));
            return Handled::Done;
        }
    };
    let id = f.id.as_deref();
    let kind = ClientKind::parse(&f.kind);
    let is_send = kind.is_some_and(ClientKind::is_send);
    // Sends have their own bucket (`send::accept`); every other frame
    // takes from the user's frame bucket, and a sync from its own too.
    if !is_send
        && (!state.frame_limiter.allow(&who.user_id)
            || (kind == Some(ClientKind::Sync) && !state.sync_limiter.allow(&who.user_id)))
    {
        conn.send(frames::error(id, &slow_down()));
        return Handled::Done;
    }
    let Some(kind) = kind else {
        let e = ApiError::new(
            ErrorKind::InvalidParams,
            format!("unknown frame type {:?}", f.kind),
        );
        conn.send(frames::error(id, &e));
        return Handled::Done;
    };
    let data = match ClientData::decode(kind, f.data) {
        Ok(data) => data,
        Err(e) => {
            conn.send(frames::error(id, &malformed(e)));
            return Handled::Done;
        }
    };
    let result = match data {
        ClientData::Send(body) => {
            let sent = send_message(state, who, conn, conn_id, f.id.clone(), body);
            return submitted(sent.await, conn, id);
        }
        // Answered once every copy is durable; the connection's next
        // frames wait, as they do for a sync.
        ClientData::Forward(body) => forward_messages(state, who, id, body).await.map(Some),
        ClientData::Delete(body) => delete_messages(state, who, id, body).await.map(Some),
        ClientData::Auth(body) => match reauthenticate(state, who, body).await {
            Ok(until) => {
                // As login's `expires_in`: seconds the new token lives.
                let expires_in = super::session::time_left(until).as_secs();
                let data = json!({ "expires_in": expires_in });
                conn.send(frames::frame(ServerKind::Auth, id, data));
                return Handled::Renewed(until);
            }
            Err(e) => Err(e),
        },
        ClientData::Read(body) => read(state, who, body).await.map(|()| None),
        ClientData::Typing(body) => typing(state, who, body).await.map(|()| None),
        ClientData::Sync(body) => sync(state, who, id, body).await.map(Some),
        ClientData::Ping => Ok(Some(frames::frame(ServerKind::Pong, id, json!({})))),
    };
    match result {
        Ok(Some(reply)) => conn.send(reply),
        Ok(None) => {}
        Err(e) => conn.send(frames::error(id, &e)),
    }
    Handled::Done
}

/// A send, edit or recall handed to the bus is followed by the session;
/// one refused before that is answered here.
fn submitted(sent: Result<Submitted, ApiError>, conn: &Conn, id: Option<&str>) -> Handled {
    match sent {
        Ok(submitted) => Handled::Submitted(submitted),
        Err(e) => {
            conn.send(frames::error(id, &e));
            Handled::Done
        }
    }
}

/// An `auth` frame: a fresh access token of this connection's session
/// (after a refresh) keeps the socket open past the first one's expiry.
/// Another session's or user's token is refused: the connection is
/// registered under its session, which a logout closes.
async fn reauthenticate(
    state: &AppState,
    who: &Principal,
    body: AuthBody,
) -> Result<Timestamp, ApiError> {
    let fresh = state.deps.accounts.authenticate(&body.token).await?;
    if fresh.who != *who {
        return Err(ApiError::unauthorized(
            "the token is of another session than this connection's",
        ));
    }
    Ok(fresh.expires_at)
}

fn slow_down() -> ApiError {
    ApiError::new(ErrorKind::RateLimited, "too many requests, slow down")
}

pub(crate) fn binary(conn: &Conn) {
    let e = ApiError::new(ErrorKind::InvalidParams, "binary frames are not supported");
    conn.send(frames::error(None, &e));
}

/// Takes a place in the connection's send window first: with the window
/// full, the session reads no more frames until an answer frees one.
async fn send_message(
    state: &AppState,
    who: &Principal,
    conn: &Conn,
    conn_id: ConnId,
    request_id: Option<String>,
    body: SendData,
) -> Result<Submitted, ApiError> {
    let cmd = send::accept(state, who, body).await?;
    let slot = conn
        .window
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal())?;
    let waiter = Waiter::Ws {
        conn: conn_id,
        request_id,
        slot,
    };
    send::submit(state, who, cmd, waiter).await
}

async fn forward_messages(
    state: &AppState,
    who: &Principal,
    id: Option<&str>,
    body: ForwardBody,
) -> Result<Utf8Bytes, ApiError> {
    let req = body.decode()?;
    let acks = forward::forward(state, who, req).await?;
    let dto = ForwardedDto {
        acks: acks.iter().map(AckDto::from).collect(),
    };
    Ok(frames::frame(ServerKind::Forwarded, id, dto))
}

async fn delete_messages(
    state: &AppState,
    who: &Principal,
    id: Option<&str>,
    body: DeleteMessagesBody,
) -> Result<Utf8Bytes, ApiError> {
    let dto = delete::hide(state, who, body).await?;
    Ok(frames::frame(ServerKind::Deleted, id, dto))
}

async fn read(state: &AppState, who: &Principal, body: ReadBody) -> Result<(), ApiError> {
    let (conversation, seq) = body.decode()?;
    state
        .deps
        .messaging
        .mark_read(&who.user_id, &conversation, seq)
        .await
}

async fn typing(state: &AppState, who: &Principal, body: TypingBody) -> Result<(), ApiError> {
    let conversation = body.decode()?;
    state
        .deps
        .messaging
        .typing(&who.user_id, &conversation)
        .await
}

async fn sync(
    state: &AppState,
    who: &Principal,
    id: Option<&str>,
    body: SyncBody,
) -> Result<Utf8Bytes, ApiError> {
    let req = SyncRequest::try_from(body)?;
    let found = state.deps.messaging.sync(&who.user_id, req).await?;
    let dto = SyncDto {
        conversations: found
            .iter()
            .map(|c| SyncEntryDto {
                conversation_id: c.conversation_id.to_string(),
                messages: c.messages.iter().map(MessageDto::from).collect(),
                has_more: c.has_more,
            })
            .collect(),
    };
    Ok(frames::frame(ServerKind::Sync, id, dto))
}
