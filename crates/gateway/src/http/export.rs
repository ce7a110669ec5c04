//! `GET /api/v1/users/export`: everything the server keeps that the user
//! can read about themself, as one JSON document in the usual envelope:
//! the profile (with the email), live sessions, friends, friend requests,
//! every conversation with its history, and the files the user uploaded
//! (their metadata and where to download each, not their bytes).
//!
//! Streamed, never held whole: the head (profile, sessions, friends,
//! requests, the conversation list) is built first, then each
//! conversation's history is read a page (200 messages, the page's byte
//! budget) at a time and written as it comes, so an export costs the
//! gateway one page of memory however long the user has chatted (the
//! files are listed a page at a time too). A read
//! that fails midway aborts the response: the client gets a cut, invalid
//! document, never a complete-looking one with a hole. The world room's
//! history is every user's and anyone may page through it: it is listed,
//! not copied. One export per user at a time on a gateway (1007 for a
//! second).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ferrochat_domain::attachments::Attachment;
use ferrochat_domain::commands::History;
use ferrochat_domain::messaging::{ConversationView, PageLimit};
use ferrochat_domain::{AttachmentId, ConversationId, ConversationKind, ErrorKind, Seq, UserId};
use ferrochat_ports::clock;
use ferrochat_wire::accounts::OwnProfileDto;
use ferrochat_wire::attachments::AttachmentDto;
use ferrochat_wire::lifecycle::SessionsDto;
use ferrochat_wire::messaging::{ConversationDto, MessageDto};
use ferrochat_wire::social::{FriendDto, FriendRequestDto};
use ferrochat_wire::time::rfc3339;
use serde::Serialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::HttpError;
use crate::extract::Authed;
use crate::openapi::{E1002, E1004, E1007, E1009};
use crate::state::AppState;

/// Names the document's layout, for whoever reads it back.
const FORMAT: &str = "ferrochat-export/1";

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// The users with an export running on this gateway.
#[derive(Default)]
pub(crate) struct Exports(Mutex<HashSet<UserId>>);

impl Exports {
    fn lock(&self) -> MutexGuard<'_, HashSet<UserId>> {
        // A panic while holding this set leaves it whole: keep using it.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(self: &Arc<Self>, user: &UserId) -> Option<Running> {
        self.lock().insert(user.clone()).then(|| Running {
            exports: self.clone(),
            user: user.clone(),
        })
    }
}

/// One export under way: its user's slot, freed when the body is dropped
/// (sent whole, failed, or abandoned by the client).
struct Running {
    exports: Arc<Exports>,
    user: UserId,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.exports.lock().remove(&self.user);
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/users/export",
    tag = "accounts",
    summary = "Export your data",
    description = "One JSON document in the envelope, as a download: `data` is `{format: \
        \"ferrochat-export/1\", exported_at, profile, sessions, friends, friend_requests, \
        conversations: [{conversation, messages}], attachments}`, each conversation's whole \
        history as you can read it (the world room listed with no messages), `attachments` the \
        files you uploaded, sent or not (metadata and `download` and `thumbnail` paths, not \
        the bytes). Streamed: a failure midway cuts \
        the response off (the JSON does not parse). One export per user at a time (1007).",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The export", content_type = "application/json", body = Object),
        E1002, E1004, E1007, E1009,
    )
)]
async fn export(State(state): State<AppState>, Authed(who): Authed) -> Result<Response, HttpError> {
    let running = state.exports.start(&who.user_id).ok_or_else(|| {
        HttpError::new(
            ErrorKind::RateLimited,
            "an export of yours is already running",
        )
    })?;
    let deps = &state.deps;
    let me = &who.user_id;
    let user = deps.accounts.user(me).await?;
    let sessions = deps.accounts.sessions(&who).await?;
    let friends = deps.social.friends(me).await?;
    let requests = deps.social.friend_requests(me).await?;
    let conversations = deps.messaging.conversations(me).await?;
    let head = json!({
        "format": FORMAT,
        "exported_at": rfc3339(clock::now()),
        "profile": OwnProfileDto::from(&user),
        "sessions": SessionsDto::new(&sessions, &who.session_id).sessions,
        "friends": friends.iter().map(|f| FriendDto::new(&f.user, f.online)).collect::<Vec<_>>(),
        "friend_requests": {
            "incoming": requests.incoming.iter().map(FriendRequestDto::from).collect::<Vec<_>>(),
            "outgoing": requests.outgoing.iter().map(FriendRequestDto::from).collect::<Vec<_>>(),
        },
    });
    // The head's object, left open for the conversations that follow.
    let mut opening = serde_json::to_string(&head).map_err(internal)?;
    opening.pop();
    let writer = Writer {
        state: state.clone(),
        user: me.clone(),
        left: conversations.into(),
        reading: None,
        first: true,
        files: Files::NotYet,
        opening: Some(format!(
            r#"{{"code":0,"message":"ok","data":{opening},"conversations":["#
        )),
        done: false,
        running: Some(running),
    };
    let body = Body::from_stream(futures::stream::unfold(writer, |mut w| async move {
        w.next().await.map(|chunk| (chunk, w))
    }));
    let filename = format!("ferrochat-export-{}.json", user.username.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn internal(e: serde_json::Error) -> HttpError {
    tracing::error!(error = %e, "rendering an export");
    HttpError::new(ErrorKind::Internal, "internal error")
}

/// Writes the document after its head, one piece per call.
struct Writer {
    state: AppState,
    user: UserId,
    left: VecDeque<ConversationView>,
    /// The conversation whose history is being written, and the seq read
    /// up to.
    reading: Option<(ConversationId, Seq)>,
    /// No conversation written yet (no comma before the next).
    first: bool,
    files: Files,
    opening: Option<String>,
    done: bool,
    /// Freed with the last piece, before it is sent: whoever read the
    /// whole document may start the next at once.
    running: Option<Running>,
}

/// The attachments' list, after the conversations.
#[derive(Clone)]
enum Files {
    NotYet,
    /// Listed up to this id (none yet: `None`).
    After(Option<AttachmentId>),
    Done,
}

/// Attachments listed per page.
const FILES_PAGE: u32 = 200;

/// An uploaded file in the export: its metadata and where to fetch it.
#[derive(Serialize)]
struct FileEntry {
    #[serde(flatten)]
    attachment: AttachmentDto,
    download: String,
    thumbnail: Option<String>,
}

impl FileEntry {
    fn new(a: &Attachment) -> Self {
        let download = format!("/api/v1/attachments/{}", a.id);
        Self {
            attachment: AttachmentDto::from(a),
            thumbnail: a.has_thumbnail.then(|| format!("{download}/thumbnail")),
            download,
        }
    }
}

type Chunk = Result<Bytes, std::io::Error>;

fn failed(why: impl std::fmt::Display) -> Chunk {
    tracing::warn!(error = %why, "an export failed midway: its response is cut");
    Err(std::io::Error::other("export failed"))
}

fn json_of(v: &impl Serialize) -> Result<String, serde_json::Error> {
    serde_json::to_string(v)
}

impl Writer {
    async fn next(&mut self) -> Option<Chunk> {
        if let Some(opening) = self.opening.take() {
            return Some(Ok(Bytes::from(opening)));
        }
        if let Some((id, after)) = self.reading.clone() {
            return Some(self.page(id, after).await);
        }
        if let Some(c) = self.left.pop_front() {
            return Some(self.open(&c));
        }
        match std::mem::replace(&mut self.files, Files::Done) {
            Files::NotYet => {
                self.files = Files::After(None);
                // The conversations closed, the files opened.
                return Some(Ok(Bytes::from_static(b"],\"attachments\":[")));
            }
            Files::After(after) => return Some(self.files_page(after).await),
            Files::Done => {}
        }
        if self.done {
            return None;
        }
        self.done = true;
        self.running = None;
        // The attachments, the data object, the envelope.
        Some(Ok(Bytes::from_static(b"]}}")))
    }

    /// The next page of the user's attachments.
    async fn files_page(&mut self, after: Option<AttachmentId>) -> Chunk {
        let page = match self
            .state
            .deps
            .attachments
            .attachments_of(&self.user, after.as_ref(), FILES_PAGE)
            .await
        {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        let mut out = String::new();
        for a in &page {
            if after.is_some() || !out.is_empty() {
                out.push(',');
            }
            match json_of(&FileEntry::new(a)) {
                Ok(s) => out.push_str(&s),
                Err(e) => return failed(e),
            }
        }
        if page.len() >= FILES_PAGE as usize {
            self.files = Files::After(page.last().map(|a| a.id.clone()));
        }
        Ok(Bytes::from(out))
    }

    /// A conversation's entry, left open for its messages (or closed at
    /// once for the world room's).
    fn open(&mut self, c: &ConversationView) -> Chunk {
        let dto = match json_of(&ConversationDto::from(c)) {
            Ok(d) => d,
            Err(e) => return failed(e),
        };
        let comma = if std::mem::take(&mut self.first) {
            ""
        } else {
            ","
        };
        if c.kind == ConversationKind::World {
            return Ok(Bytes::from(format!(
                r#"{comma}{{"conversation":{dto},"messages":[]}}"#
            )));
        }
        self.reading = Some((c.id.clone(), Seq::ZERO));
        Ok(Bytes::from(format!(
            r#"{comma}{{"conversation":{dto},"messages":["#
        )))
    }

    /// The next page of the conversation being read; closes its entry
    /// after the last.
    async fn page(&mut self, id: ConversationId, after: Seq) -> Chunk {
        let query = History {
            conversation_id: id.clone(),
            after: Some(after),
            before: None,
            limit: PageLimit::LARGEST,
            pinned: false,
        };
        let page = match self.state.deps.messaging.history(&self.user, query).await {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        let mut out = String::new();
        for m in &page.messages {
            if after != Seq::ZERO || !out.is_empty() {
                out.push(',');
            }
            match json_of(&MessageDto::from(m)) {
                Ok(s) => out.push_str(&s),
                Err(e) => return failed(e),
            }
        }
        let last = page.messages.last().map(|m| m.seq);
        match last {
            Some(seq) if page.has_more => self.reading = Some((id, seq)),
            _ => {
                self.reading = None;
                out.push_str("]}");
            }
        }
        Ok(Bytes::from(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_export_per_user_until_the_running_one_ends() {
        let exports = Arc::new(Exports::default());
        let (a, b) = (UserId::generate(), UserId::generate());
        let running = exports.start(&a).expect("the first is let in");
        assert!(
            exports.start(&a).is_none(),
            "a second of the same user is not"
        );
        let other = exports.start(&b).expect("another user is not held up");
        drop(running);
        assert!(exports.start(&a).is_some(), "the slot is free once it ends");
        drop(other);
    }
}
