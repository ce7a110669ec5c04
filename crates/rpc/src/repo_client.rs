//! `RepoClient`: the store port over gRPC, for a role whose database the
//! repo role owns.
//!
//! A call rides out a brief outage of the repo (a restart, a lost
//! connection): it is sent again, with pauses, until it gets an answer or
//! `retry.deadline` passes, and then it is `StoreError::Unavailable`, as a
//! database that cannot be reached is. Which failures may be sent again is
//! `repo_retry.rs`'s to say; whether a call may run twice is said where
//! each is implemented below. A repo unreachable for `retry.breaker_after`
//! opens the breaker: calls then fail at once, one probe at a time trying
//! the repo (`ferrochat-retry`).
//!
//! Each attempt carries a deadline (`grpc-timeout`, so the repo stops
//! working for a caller who gave up) of at most `attempt_timeout`, and is
//! also bounded here, so a repo that accepts connections but never answers
//! cannot hang its caller. The repo's own answers become `StoreError`s in
//! `store_status.rs`.
//!
//! Balancing: as for `LogicClient`, a balanced `Channel` drops into
//! [`RepoClient::new`] unchanged.
//!
//! `close` closes nothing of the repo's: the store belongs to the repo
//! process, which other clients share. Dropping the client drops its
//! connections.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::attachments::{Attachment, Upload};
use ferrochat_domain::commands::{SearchUsers, UpdateConversation, UpdateGroup, UpdateProfile};
use ferrochat_domain::groups::{Group, Role};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::moderation::{
    AuditEntry, ListReports, ListUsers, NewestFirst, Report, Resolution,
};
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::social::FriendRequest;
use ferrochat_domain::{AttachmentId, AuditId, ReportId, Sanction};
use ferrochat_domain::{
    ConversationId, GroupId, Message, RequestId, SessionId, Timestamp, User, UserId,
};
use ferrochat_ports::store::{AttachmentStore, Bound, UploadStore};
use ferrochat_ports::store::{
    Committed, ConversationRecord, Credentials, Erased, HistoryQuery, MemberRecord, NewGroup,
    NewMessage, NewSession, PendingRequests, RotateOutcome, Rotation, SessionInfo, SessionRecord,
};
use ferrochat_ports::{
    AccountStore, GroupStore, MessageStore, ModerationStore, SocialStore, Store, StoreError,
};
use ferrochat_proto::pb;
use ferrochat_proto::pb::repo_service_client::RepoServiceClient;
use ferrochat_proto::DecodeError;
use ferrochat_retry::{BreakerState, Rerun, Retrier, RetryConfig};
use tokio::time::Instant;
use tonic::transport::Channel;

use crate::endpoint::endpoint;
use tonic::{Response, Status};

use crate::repo_retry::{classify, gave_up};
use crate::repo_server::MAX_MESSAGE_BYTES;
use crate::store_status::unreadable;

type Grpc = RepoServiceClient<Channel>;

/// The store port, answered by a `RepoServer` over gRPC.
#[derive(Clone)]
pub struct RepoClient {
    inner: Grpc,
    attempt_timeout: Duration,
    /// Shared by clones: one breaker per repo (or balanced set).
    retry: Retrier,
}

impl RepoClient {
    /// A client over `channel` (one repo, or a balanced set): an attempt
    /// waits `attempt_timeout` at most, a call tries until
    /// `retry.deadline`.
    pub fn new(channel: Channel, attempt_timeout: Duration, retry: RetryConfig) -> Self {
        Self {
            inner: RepoServiceClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            attempt_timeout,
            retry: Retrier::new("repo", retry),
        }
    }

    /// A client of the repo at `addr`. Nothing is dialled until the first
    /// call, so the repo may start after its callers; while it is down,
    /// calls wait for it (within `retry.deadline`) and dial again.
    pub fn connect_lazy(
        addr: SocketAddr,
        attempt_timeout: Duration,
        retry: RetryConfig,
    ) -> Result<Self, tonic::transport::Error> {
        let channel = endpoint(&addr.to_string(), attempt_timeout, None)?.connect_lazy();
        Ok(Self::new(channel, attempt_timeout, retry))
    }

    /// Whether calls fail at once because the repo has been unreachable
    /// for `retry.breaker_after`.
    pub fn breaker(&self) -> BreakerState {
        self.retry.breaker()
    }

    /// Sends the request `build` makes to `rpc`, again while the repo is
    /// unreachable and `rerun` allows, and returns the raw answer.
    async fn send<Req, P, B, F, Fut>(
        &self,
        rpc: &'static str,
        rerun: Rerun,
        build: B,
        send: F,
    ) -> Result<P, StoreError>
    where
        B: Fn() -> Req,
        F: Fn(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<P>, Status>>,
    {
        let started = std::time::Instant::now();
        let answer = self
            .retry
            .run(rerun, classify, |deadline| {
                let until = deadline.min(Instant::now() + self.attempt_timeout);
                let mut request = tonic::Request::new(build());
                request.set_timeout(until.saturating_duration_since(Instant::now()));
                ferrochat_trace::inject(request.metadata_mut());
                let sent = send(self.inner.clone(), request);
                async move {
                    match tokio::time::timeout_at(until, sent).await {
                        Ok(answer) => answer.map(Response::into_inner),
                        Err(_) => Err(Status::deadline_exceeded("no answer from the repo in time")),
                    }
                }
            })
            .await;
        // Beside the repo's own `ferrochat_rpc_server_seconds`: the
        // difference is the way there and back (and the retries).
        metrics::histogram!("ferrochat_repo_client_call_seconds", "rpc" => rpc)
            .record(started.elapsed().as_secs_f64());
        answer.map_err(|g| gave_up(g, rpc))
    }

    /// Sends a request to `rpc` as [`send`](Self::send) does and decodes
    /// the answer into `D`.
    async fn call<Req, P, D, B, F, Fut>(
        &self,
        rpc: &'static str,
        rerun: Rerun,
        build: B,
        send: F,
    ) -> Result<D, StoreError>
    where
        B: Fn() -> Req,
        F: Fn(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<P>, Status>>,
        D: TryFrom<P>,
        DecodeError: From<D::Error>,
    {
        let answer = self.send(rpc, rerun, build, send).await?;
        D::try_from(answer).map_err(|e| unreadable(rpc, DecodeError::from(e)))
    }
}

/// `call!(self, method, Safe | IfUndone, request)`: one rpc, named after
/// its method; `request` is built again for each attempt.
macro_rules! call {
    ($self:ident, $method:ident, $rerun:ident, $request:expr) => {
        $self
            .call(
                stringify!($method),
                Rerun::$rerun,
                || $request,
                |mut grpc, r| async move { grpc.$method(r).await },
            )
            .await
    };
}

// After `call!`, which it uses.
mod devices;
mod external;

#[async_trait]
impl AccountStore for RepoClient {
    // A second run would meet its own row (username taken).
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), StoreError> {
        call!(
            self,
            insert_user,
            IfUndone,
            pb::InsertUserRequest::new(user, password_hash)
        )
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        call!(self, user, Safe, pb::RepoUserRequest::new(id))
    }

    async fn credentials(&self, username_key: &str) -> Result<Option<Credentials>, StoreError> {
        call!(
            self,
            credentials,
            Safe,
            pb::CredentialsRequest::new(username_key)
        )
    }

    // Sets the given values; a second run sets them again and reads the same
    // row.
    async fn update_profile(
        &self,
        id: &UserId,
        update: &UpdateProfile,
    ) -> Result<Option<User>, StoreError> {
        call!(
            self,
            update_profile,
            Safe,
            pb::UpdateUserRequest::new(id, update)
        )
    }

    // A read.
    async fn search_users(
        &self,
        viewer: &UserId,
        search: &SearchUsers,
    ) -> Result<Vec<User>, StoreError> {
        call!(
            self,
            search_users,
            Safe,
            pb::SearchUsersRequest::new(viewer, search)
        )
    }

    // A second run would meet its own row.
    async fn insert_session(&self, session: &NewSession) -> Result<(), StoreError> {
        call!(
            self,
            insert_session,
            IfUndone,
            pb::NewSession::from(session)
        )
    }

    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        call!(self, session, Safe, pb::SessionRequest::new(id))
    }

    // A second run would find the token rotated away and revoke the session as
    // reused.
    async fn rotate_refresh(&self, rotation: &Rotation) -> Result<RotateOutcome, StoreError> {
        call!(self, rotate_refresh, IfUndone, pb::Rotation::from(rotation))
    }

    // Sets `revoked_at` only while unset: a second run changes nothing.
    async fn revoke_session(&self, id: &SessionId, at: Timestamp) -> Result<(), StoreError> {
        call!(
            self,
            revoke_session,
            Safe,
            pb::RevokeSessionRequest::new(id, at)
        )
    }

    async fn live_sessions(
        &self,
        user: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        call!(
            self,
            live_sessions,
            Safe,
            pb::LiveSessionsRequest::new(user, now, limit)
        )
    }

    // A second run revokes nothing more and answers the same sessions.
    async fn revoke_sessions(
        &self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        call!(
            self,
            revoke_sessions,
            Safe,
            pb::RevokeSessionsRequest::new(user, keep, at)
        )
    }

    // A second run would find the account deleted and answer None.
    async fn erase_user(&self, user: &UserId, at: Timestamp) -> Result<Option<Erased>, StoreError> {
        call!(
            self,
            erase_user,
            IfUndone,
            pb::EraseUserRequest::new(user, at)
        )
    }

    // Sets the same hash again and answers the same sessions.
    async fn set_password(
        &self,
        user: &UserId,
        password_hash: &str,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        call!(
            self,
            set_password,
            Safe,
            pb::SetPasswordRequest::new(user, password_hash, keep, at)
        )
    }
}

#[async_trait]
impl MessageStore for RepoClient {
    // A second run finds what the first stored: a message under its own id is
    // answered `Stored` again, as the first run answered (the store
    // conformance case `commit_run_again_answers_as_the_first_time`); under
    // another id it is a client's resend, `Duplicate`.
    async fn commit_messages(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError> {
        const RPC: &str = "commit_messages";
        let answer: pb::CommitMessagesAnswer = self
            .send(
                RPC,
                Rerun::Safe,
                || pb::CommitMessagesRequest::new(batch),
                |mut grpc, r| async move { grpc.commit_messages(r).await },
            )
            .await?;
        // One outcome per message, in batch order, or it is not an answer
        // to this batch; a stored message comes back as its seq alone and
        // is rebuilt from the batch.
        answer.parse(batch).map_err(|e| unreadable(RPC, e))
    }

    // Get or create by the pair: a second run finds the first one's
    // conversation.
    async fn open_single(
        &self,
        a: &UserId,
        b: &UserId,
        now: Timestamp,
    ) -> Result<ConversationId, StoreError> {
        call!(
            self,
            open_single,
            Safe,
            pb::OpenSingleConversationRequest::new(a, b, now)
        )
    }

    async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        call!(self, conversation, Safe, pb::ConversationRequest::new(id))
    }

    async fn member(
        &self,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<Option<MemberRecord>, StoreError> {
        call!(
            self,
            member,
            Safe,
            pb::ConversationMemberRequest::new(conversation, user)
        )
    }

    async fn member_ids(
        &self,
        conversation: &ConversationId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        call!(
            self,
            member_ids,
            Safe,
            pb::MemberIdsRequest::new(conversation, after, limit)
        )
    }

    async fn conversations_of(&self, user: &UserId) -> Result<Vec<ConversationView>, StoreError> {
        call!(self, conversations_of, Safe, pb::RepoUserRequest::new(user))
    }

    async fn conversation_view(
        &self,
        user: &UserId,
        conversation: &ConversationId,
    ) -> Result<Option<ConversationView>, StoreError> {
        call!(
            self,
            conversation_view,
            Safe,
            pb::ConversationMemberRequest::new(conversation, user)
        )
    }

    // The cursor only moves forward and the flags are set: a second run
    // changes nothing and answers the same.
    async fn update_cursor(
        &self,
        user: &UserId,
        conversation: &ConversationId,
        update: UpdateConversation,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            update_cursor,
            Safe,
            pb::UpdateCursorRequest::new(user, conversation, &update)
        )
    }

    async fn history(
        &self,
        conversation: &ConversationId,
        query: HistoryQuery,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        call!(
            self,
            history,
            Safe,
            pb::MessageHistoryRequest::new(conversation, query.clone())
        )
    }

    // A read.
    async fn search_messages(
        &self,
        viewer: &UserId,
        search: &SearchMessages,
    ) -> Result<SearchPage, StoreError> {
        call!(
            self,
            search_messages,
            Safe,
            pb::SearchMessagesRequest::new(viewer, search)
        )
    }
}

#[async_trait]
impl GroupStore for RepoClient {
    // A second run would meet its own rows.
    async fn create_group(
        &self,
        group: &NewGroup,
        members: &[UserId],
    ) -> Result<Group, StoreError> {
        call!(
            self,
            create_group,
            IfUndone,
            pb::InsertGroupRequest::new(group, members)
        )
    }

    async fn group(&self, id: &GroupId) -> Result<Option<Group>, StoreError> {
        call!(self, group, Safe, pb::RepoGroupRequest::new(id))
    }

    // A second run would find the user a member (`Conflict("member")`).
    async fn add_member(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        call!(
            self,
            add_member,
            IfUndone,
            pb::AddMemberRequest::new(group, user, role, now)
        )
    }

    // A second run would answer false: not a member.
    async fn remove_member(&self, group: &GroupId, user: &UserId) -> Result<bool, StoreError> {
        call!(
            self,
            remove_member,
            IfUndone,
            pb::GroupMemberRequest::new(group, user)
        )
    }

    async fn members(
        &self,
        group: &GroupId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, MemberRecord)>, StoreError> {
        call!(
            self,
            members,
            Safe,
            pb::MembersQuery::new(group, after, limit)
        )
    }

    // A second run would answer that nobody was added.
    async fn add_members(
        &self,
        group: &GroupId,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<UserId>, StoreError> {
        call!(
            self,
            add_members,
            IfUndone,
            pb::AddGroupMembersRequest::new(group, users, now)
        )
    }

    // Sets a value; a second run answers the same.
    async fn set_role(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            set_role,
            Safe,
            pb::SetRoleRequest::new(group, user, role)
        )
    }

    // Sets a value; a second run answers the same.
    async fn set_muted_until(
        &self,
        group: &GroupId,
        user: &UserId,
        until: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            set_muted_until,
            Safe,
            pb::SetMutedUntilRequest::new(group, user, until)
        )
    }

    // Sets the owner and the two roles; a second run sets the same and answers
    // true again.
    async fn transfer(&self, group: &GroupId, to: &UserId) -> Result<bool, StoreError> {
        call!(self, transfer, Safe, pb::GroupMemberRequest::new(group, to))
    }

    // Sets values: a second run sets the same.
    async fn update_group(&self, group: &GroupId, change: &UpdateGroup) -> Result<(), StoreError> {
        call!(
            self,
            update_group,
            Safe,
            pb::UpdateGroupInfoRequest::new(group, change)
        )
    }

    // Sets `dissolved_at` only while unset, and closes the conversation: a
    // second run changes nothing.
    async fn dissolve(&self, group: &GroupId, now: Timestamp) -> Result<(), StoreError> {
        call!(
            self,
            dissolve,
            Safe,
            pb::DissolveGroupRequest::new(group, now)
        )
    }
}

#[async_trait]
impl SocialStore for RepoClient {
    async fn friend_request(&self, id: &RequestId) -> Result<Option<FriendRequest>, StoreError> {
        call!(
            self,
            friend_request,
            Safe,
            pb::FriendRequestIdRequest::new(id)
        )
    }

    async fn pending_request(
        &self,
        from: &UserId,
        to: &UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        call!(
            self,
            pending_request,
            Safe,
            pb::UserPairRequest::new(from, to)
        )
    }

    // A second run would meet its own row.
    async fn insert_friend_request(&self, request: &FriendRequest) -> Result<(), StoreError> {
        call!(
            self,
            insert_friend_request,
            IfUndone,
            pb::FriendRequest::from(request)
        )
    }

    // A second run would find the request answered and answer `None`.
    async fn answer_request(
        &self,
        id: &RequestId,
        accept: bool,
        now: Timestamp,
    ) -> Result<Option<FriendRequest>, StoreError> {
        call!(
            self,
            answer_request,
            IfUndone,
            pb::AnswerFriendRequestRequest::new(id, accept, now)
        )
    }

    async fn pending_requests(&self, user: &UserId) -> Result<PendingRequests, StoreError> {
        call!(self, pending_requests, Safe, pb::RepoUserRequest::new(user))
    }

    async fn are_friends(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        call!(self, are_friends, Safe, pb::UserPairRequest::new(a, b))
    }

    async fn friends(&self, user: &UserId) -> Result<Vec<User>, StoreError> {
        call!(self, friends, Safe, pb::RepoUserRequest::new(user))
    }

    // A second run would answer false: not friends.
    async fn remove_friend(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        call!(
            self,
            remove_friend,
            IfUndone,
            pb::UserPairRequest::new(a, b)
        )
    }

    // Inserts unless present, or deletes: a second run changes nothing.
    async fn set_block(
        &self,
        blocker: &UserId,
        blocked: &UserId,
        on: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        call!(
            self,
            set_block,
            Safe,
            pb::SetBlockedRequest::new(blocker, blocked, on, now)
        )
    }

    async fn is_blocked(&self, blocker: &UserId, blocked: &UserId) -> Result<bool, StoreError> {
        call!(
            self,
            is_blocked,
            Safe,
            pb::UserPairRequest::new(blocker, blocked)
        )
    }
}

#[async_trait]
impl ModerationStore for RepoClient {
    // Sets the same value again and keeps the same log entry (its id).
    async fn set_admin(
        &self,
        user: &UserId,
        admin: bool,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            set_admin,
            Safe,
            pb::SetAdminRequest::new(user, admin, audit)
        )
    }

    // As set_admin; the sessions revoked at `at` are named again.
    async fn set_disabled(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<Option<Vec<SessionId>>, StoreError> {
        call!(
            self,
            set_disabled,
            Safe,
            pb::SetDisabledRequest::new(user, until, at, audit)
        )
    }

    // Sets a value and keeps the same log entry.
    async fn mute_in_world(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            mute_in_world,
            Safe,
            pb::MuteInWorldRequest::new(user, until, audit)
        )
    }

    // Sets a value and keeps the same log entry.
    async fn set_sanction(
        &self,
        user: &UserId,
        sanction: Sanction,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            set_sanction,
            Safe,
            pb::SetSanctionRequest::new(user, sanction, until, audit)
        )
    }

    async fn banned_from_world(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        call!(
            self,
            banned_from_world,
            Safe,
            pb::BannedFromWorldRequest::new(now, limit)
        )
    }

    async fn list_users(&self, list: &ListUsers) -> Result<Vec<User>, StoreError> {
        call!(self, list_users, Safe, pb::ListUsersRequest::new(list))
    }

    // Keeps an entry with the same id.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        call!(self, append_audit, Safe, pb::AuditEntry::from(entry))
    }

    async fn audit_log(&self, page: &NewestFirst<AuditId>) -> Result<Vec<AuditEntry>, StoreError> {
        call!(
            self,
            audit_log,
            Safe,
            pb::NewestFirstRequest::new(page, AuditId::as_str)
        )
    }

    // Keeps a report with the same id.
    async fn insert_report(&self, report: &Report) -> Result<(), StoreError> {
        call!(self, insert_report, Safe, pb::Report::from(report))
    }

    async fn report(&self, id: &ReportId) -> Result<Option<Report>, StoreError> {
        call!(self, report, Safe, pb::ReportRequest::new(id))
    }

    async fn reports(&self, list: &ListReports) -> Result<Vec<Report>, StoreError> {
        call!(self, reports, Safe, pb::ListReportsRequest::new(list))
    }

    // A second run finds the report resolved and answers it.
    async fn resolve_report(
        &self,
        id: &ReportId,
        resolution: &Resolution,
        audit: &AuditEntry,
    ) -> Result<Option<Report>, StoreError> {
        call!(
            self,
            resolve_report,
            Safe,
            pb::ResolveReportRequest::new(id, resolution, audit)
        )
    }

    async fn reports_since(&self, reporter: &UserId, since: Timestamp) -> Result<u32, StoreError> {
        call!(
            self,
            reports_since,
            Safe,
            pb::ReportsSinceRequest::new(reporter, since)
        )
    }
}

#[async_trait]
impl AttachmentStore for RepoClient {
    // A second run would meet its own row.
    async fn insert_attachment(&self, attachment: &Attachment) -> Result<(), StoreError> {
        call!(
            self,
            insert_attachment,
            IfUndone,
            pb::Attachment::from(attachment)
        )
    }

    async fn attachment(&self, id: &AttachmentId) -> Result<Option<Attachment>, StoreError> {
        call!(self, get_attachment, Safe, pb::AttachmentIdRequest::new(id))
    }

    // Binding to the conversation it is bound to answers the same.
    async fn bind_attachment(
        &self,
        id: &AttachmentId,
        owner: &UserId,
        conversation: &ConversationId,
    ) -> Result<Bound, StoreError> {
        let bound: bool = call!(
            self,
            bind_attachment,
            Safe,
            pb::RepoBindAttachmentRequest::new(id, owner, conversation)
        )?;
        Ok(if bound { Bound::Bound } else { Bound::Refused })
    }

    async fn attachment_usage(&self, owner: &UserId) -> Result<u64, StoreError> {
        call!(
            self,
            attachment_usage,
            Safe,
            pb::RepoUserRequest::new(owner)
        )
    }

    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, StoreError> {
        call!(
            self,
            unsent_attachments,
            Safe,
            pb::UnsentAttachmentsRequest::new(before, limit)
        )
    }

    // A second run answers false, which only means the sweep does not
    // count it.
    async fn delete_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, StoreError> {
        call!(
            self,
            delete_unsent_attachment,
            Safe,
            pb::AttachmentIdRequest::new(id)
        )
    }

    async fn attachments_of(
        &self,
        owner: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, StoreError> {
        call!(
            self,
            attachments_of,
            Safe,
            pb::RepoAttachmentsOfRequest::new(owner, after, limit)
        )
    }
}

#[async_trait]
impl UploadStore for RepoClient {
    // A second run would meet its own row.
    async fn insert_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        call!(self, insert_upload, IfUndone, pb::Upload::from(upload))
    }

    async fn upload(&self, id: &AttachmentId) -> Result<Option<Upload>, StoreError> {
        call!(self, get_upload, Safe, pb::AttachmentIdRequest::new(id))
    }

    // A second run finds `to` there and answers true, as the first would.
    async fn advance_upload(
        &self,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            advance_upload,
            Safe,
            pb::RepoAdvanceUploadRequest::new(id, from, to)
        )
    }
}

#[async_trait]
impl Store for RepoClient {
    async fn ping(&self) -> Result<(), StoreError> {
        call!(self, ping, Safe, pb::Empty {})
    }

    /// The repo's store is the repo's to close; nothing is held here but
    /// connections, which go with the client.
    async fn close(&self) {}
}
