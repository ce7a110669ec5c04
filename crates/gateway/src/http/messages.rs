//! Send (over HTTP), history and unread counts.

use axum::extract::State;
use ferrochat_domain::commands::History;
use ferrochat_domain::search::SearchMessages;
use ferrochat_wire::messaging::{
    AckDto, DeleteMessagesBody, DeletedDto, EditMessageBody, ForwardBody, ForwardedDto, HistoryDto,
    HistoryParams, MessageDto, PinBody, ReactBody, RecallMessageBody, SendBody, SendMessageBody,
    UnpinBody, UnreactBody, UnreadDto, UnreadEntryDto,
};
use ferrochat_wire::search::{SearchMessagesParams, SearchResultsDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::openapi::{
    E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
};
use crate::reply::Reply;
use crate::state::AppState;
use crate::{delete, forward, send};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_new))
        .routes(routes!(edit))
        .routes(routes!(recall))
        .routes(routes!(react))
        .routes(routes!(unreact))
        .routes(routes!(pin))
        .routes(routes!(unpin))
        .routes(routes!(forward_messages))
        .routes(routes!(delete_messages))
        .routes(routes!(history))
        .routes(routes!(search))
        .routes(routes!(unread))
}

/// A send, an edit, a recall, a reaction or a pin: answers once the message (the
/// change's own event) is durable, or with the reason it was not.
async fn send_message<B: SendBody + serde::de::DeserializeOwned>(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<B>,
) -> Result<Reply<AckDto>, HttpError> {
    let cmd = send::accept(&state, &who, body).await?;
    let ack = send::submit_awaited(&state, &who, cmd)
        .await?
        .answer(&state)
        .await?;
    Ok(Reply::ok(AckDto::from(&ack)))
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/send",
    tag = "messages",
    summary = "Send a message",
    description = "To one of `conversation_id`, `to_user_id` (opens the single conversation), `group_id`. `content`: 1 byte to `messaging.max_content_bytes` (1008 past it). 1005: not a member, muted, blocked, or not a friend under `dm_policy = friends`; 1003: `reply_to` names no message. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = SendMessageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Send a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn send_new(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<SendMessageBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/edit",
    tag = "messages",
    summary = "Edit a message",
    description = "Only its sender, within `messaging.edit_window` (1005 otherwise); a seq the conversation lacks or a recalled message: 1003. The edit is a message of its own. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = EditMessageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Edit a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn edit(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<EditMessageBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/recall",
    tag = "messages",
    summary = "Recall a message",
    description = "Its sender within `messaging.recall_window`, a group's owner and admins any time, administrators any time in the world room (1005 otherwise); 1003 for a seq it lacks or a message already recalled. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = RecallMessageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recall a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn recall(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<RecallMessageBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/react",
    tag = "messages",
    summary = "Put an emoji on a message",
    description = "One emoji (a grapheme cluster of at most 32 bytes); at most 20 different emoji per message (1006). `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = ReactBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Put an emoji on a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
async fn react(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<ReactBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/unreact",
    tag = "messages",
    summary = "Take an emoji off a message",
    description = "Taking off one that is not there changes nothing; still an event. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = UnreactBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Take an emoji off a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn unreact(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<UnreactBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/pin",
    tag = "messages",
    summary = "Pin a message",
    description = "A group's owner and admins, either user of a single conversation (1005 otherwise, and in the world room); at most 50 pins (1006); a recalled message 1003. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = PinBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pin a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1006, E1007, E1008, E1009,
    )
)]
async fn pin(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<PinBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/unpin",
    tag = "messages",
    summary = "Unpin a message",
    description = "As pin; unpinning what is not pinned changes nothing. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.",
    request_body = UnpinBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unpin a message: done", body = Envelope<AckDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn unpin(
    state: State<AppState>,
    who: Authed,
    body: JsonBody<UnpinBody>,
) -> Result<Reply<AckDto>, HttpError> {
    send_message(state, who, body).await
}

/// Copies of messages, each acked once durable.
#[utoipa::path(
    post,
    path = "/api/v1/messages/forward",
    tag = "messages",
    summary = "Forward messages",
    description = "`seqs` (1-20) of `conversation_id` copied, in that order, to one of `to_conversation_id`, `to_user_id`, `to_group_id`, each a send with `forwarded: true`. Not atomic: a refusal part-way keeps the copies before it; the same forward again stores none twice.",
    request_body = ForwardBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Forward messages: done", body = Envelope<ForwardedDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn forward_messages(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<ForwardBody>,
) -> Result<Reply<ForwardedDto>, HttpError> {
    let acks = forward::forward(&state, &who, body.decode()?).await?;
    Ok(Reply::ok(ForwardedDto {
        acks: acks.iter().map(AckDto::from).collect(),
    }))
}

/// Hides messages from the caller's own history ("delete for me").
#[utoipa::path(
    post,
    path = "/api/v1/messages/delete",
    tag = "messages",
    summary = "Hide messages from your history",
    description = "Delete for me: `seqs` (1-100) leave your history and sync; others keep them. 1003: a seq after the last; 1005: not a member.",
    request_body = DeleteMessagesBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hide messages from your history: done", body = Envelope<DeletedDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1005, E1007, E1008, E1009,
    )
)]
async fn delete_messages(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<DeleteMessagesBody>,
) -> Result<Reply<DeletedDto>, HttpError> {
    Ok(Reply::ok(delete::hide(&state, &who, body).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/messages/history",
    tag = "messages",
    summary = "A page of a conversation's messages",
    description = "Ascending seq; with `after_seq` the page starts after it, else it ends before `before_seq` (or at the newest). At most `limit` messages and 512 KiB.",
    params(HistoryParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of a conversation's messages: done", body = Envelope<HistoryDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn history(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Result<Reply<HistoryDto>, HttpError> {
    let query = History::try_from(params)?;
    let page = state.deps.messaging.history(&who.user_id, query).await?;
    Ok(Reply::ok(HistoryDto {
        messages: page.messages.iter().map(MessageDto::from).collect(),
        has_more: page.has_more,
    }))
}

/// Finds the caller's messages by their words, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/messages/search",
    tag = "messages",
    summary = "Search your messages",
    description = "Messages holding every word of `q` as whole words, case-insensitively, newest first, with `highlights` in UTF-16 code units.",
    params(SearchMessagesParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Search your messages: done", body = Envelope<SearchResultsDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
async fn search(
    State(state): State<AppState>,
    Authed(who): Authed,
    QueryParams(params): QueryParams<SearchMessagesParams>,
) -> Result<Reply<SearchResultsDto>, HttpError> {
    let search = SearchMessages::try_from(params)?;
    let text = search.text.clone();
    let page = state
        .deps
        .messaging
        .search_messages(&who.user_id, search)
        .await?;
    Ok(Reply::ok(SearchResultsDto::new(&page, &text)))
}

#[utoipa::path(
    get,
    path = "/api/v1/messages/unread",
    tag = "messages",
    summary = "Unread counts",
    description = "`total` and the conversations with unread messages.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unread counts: done", body = Envelope<UnreadDto>),
        E1002, E1004, E1007, E1009,
    )
)]
async fn unread(
    State(state): State<AppState>,
    Authed(who): Authed,
) -> Result<Reply<UnreadDto>, HttpError> {
    let summary = state.deps.messaging.unread(&who.user_id).await?;
    Ok(Reply::ok(UnreadDto {
        total: summary.total,
        conversations: summary
            .conversations
            .into_iter()
            .map(|(id, unread)| UnreadEntryDto {
                conversation_id: id.to_string(),
                unread,
            })
            .collect(),
    }))
}
