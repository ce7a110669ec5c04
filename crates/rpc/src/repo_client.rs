//! `RepoClient`: the store port over gRPC, for a role whose database the
//! repo role owns.
//!
//! Every call carries a deadline (`grpc-timeout`, so the repo stops
//! working for a caller who gave up) and is also bounded here, so a repo
//! that accepts connections but never answers cannot hang its caller: it
//! is `StoreError::Unavailable`, as a database that cannot be reached is.
//! Failures become `StoreError`s in `store_status.rs`.
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
use ferrochat_domain::commands::{UpdateConversation, UpdateProfile};
use ferrochat_domain::groups::{Group, Role};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::social::FriendRequest;
use ferrochat_domain::{
    ConversationId, GroupId, Message, RequestId, SessionId, Timestamp, User, UserId,
};
use ferrochat_ports::store::{
    Committed, ConversationRecord, Credentials, HistoryQuery, MemberRecord, NewGroup, NewMessage,
    NewSession, PendingRequests, RotateOutcome, Rotation, SessionRecord,
};
use ferrochat_ports::{AccountStore, GroupStore, MessageStore, SocialStore, Store, StoreError};
use ferrochat_proto::pb;
use ferrochat_proto::pb::repo_service_client::RepoServiceClient;
use ferrochat_proto::DecodeError;
use tonic::transport::Channel;

use crate::endpoint::endpoint;
use tonic::{Response, Status};

use crate::repo_server::MAX_MESSAGE_BYTES;
use crate::store_status::{store_from_status, unreadable};

type Grpc = RepoServiceClient<Channel>;

/// The store port, answered by a `RepoServer` over gRPC.
#[derive(Clone)]
pub struct RepoClient {
    inner: Grpc,
    timeout: Duration,
}

impl RepoClient {
    /// A client over `channel` (one repo, or a balanced set); each call
    /// fails with `StoreError::Unavailable` after `timeout`.
    pub fn new(channel: Channel, timeout: Duration) -> Self {
        Self {
            inner: RepoServiceClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            timeout,
        }
    }

    /// A client of the repo at `addr`. Nothing is dialled until the first
    /// call, so the repo may start after its callers; while it is down,
    /// calls fail (`Unavailable`) and the next one dials again.
    pub fn connect_lazy(
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<Self, tonic::transport::Error> {
        let channel = endpoint(&addr.to_string(), timeout, None)?.connect_lazy();
        Ok(Self::new(channel, timeout))
    }

    /// Sends `request` to `rpc` and returns the raw answer.
    async fn send<Req, P, F, Fut>(
        &self,
        rpc: &'static str,
        request: Req,
        send: F,
    ) -> Result<P, StoreError>
    where
        F: FnOnce(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<P>, Status>>,
    {
        let mut request = tonic::Request::new(request);
        request.set_timeout(self.timeout);
        let started = std::time::Instant::now();
        let answer = tokio::time::timeout(self.timeout, send(self.inner.clone(), request)).await;
        // Beside the repo's own `ferrochat_rpc_server_seconds`: the
        // difference is the way there and back.
        metrics::histogram!("ferrochat_repo_client_call_seconds", "rpc" => rpc)
            .record(started.elapsed().as_secs_f64());
        match answer {
            Ok(Ok(answer)) => Ok(answer.into_inner()),
            Ok(Err(status)) => Err(store_from_status(&status, rpc)),
            Err(_) => Err(store_from_status(
                &Status::deadline_exceeded(format!("no answer within {:?}", self.timeout)),
                rpc,
            )),
        }
    }

    /// Sends `request` to `rpc` and decodes the answer into `D`.
    async fn call<Req, P, D, F, Fut>(
        &self,
        rpc: &'static str,
        request: Req,
        send: F,
    ) -> Result<D, StoreError>
    where
        F: FnOnce(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<P>, Status>>,
        D: TryFrom<P>,
        DecodeError: From<D::Error>,
    {
        let answer = self.send(rpc, request, send).await?;
        D::try_from(answer).map_err(|e| unreadable(rpc, DecodeError::from(e)))
    }
}

/// `call!(self, method, request)`: one rpc, named after its method.
macro_rules! call {
    ($self:ident, $method:ident, $request:expr) => {
        $self
            .call(stringify!($method), $request, |mut grpc, r| async move {
                grpc.$method(r).await
            })
            .await
    };
}

#[async_trait]
impl AccountStore for RepoClient {
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), StoreError> {
        call!(
            self,
            insert_user,
            pb::InsertUserRequest::new(user, password_hash)
        )
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        call!(self, user, pb::RepoUserRequest::new(id))
    }

    async fn credentials(&self, username_key: &str) -> Result<Option<Credentials>, StoreError> {
        call!(self, credentials, pb::CredentialsRequest::new(username_key))
    }

    async fn update_profile(
        &self,
        id: &UserId,
        update: &UpdateProfile,
    ) -> Result<Option<User>, StoreError> {
        call!(self, update_profile, pb::UpdateUserRequest::new(id, update))
    }

    async fn insert_session(&self, session: &NewSession) -> Result<(), StoreError> {
        call!(self, insert_session, pb::NewSession::from(session))
    }

    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        call!(self, session, pb::SessionRequest::new(id))
    }

    async fn rotate_refresh(&self, rotation: &Rotation) -> Result<RotateOutcome, StoreError> {
        call!(self, rotate_refresh, pb::Rotation::from(rotation))
    }

    async fn revoke_session(&self, id: &SessionId, at: Timestamp) -> Result<(), StoreError> {
        call!(self, revoke_session, pb::RevokeSessionRequest::new(id, at))
    }
}

#[async_trait]
impl MessageStore for RepoClient {
    async fn commit_messages(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError> {
        const RPC: &str = "commit_messages";
        let answer: pb::CommitMessagesAnswer = self
            .send(
                RPC,
                pb::CommitMessagesRequest::new(batch),
                |mut grpc, r| async move { grpc.commit_messages(r).await },
            )
            .await?;
        // One outcome per message, in batch order, or it is not an answer
        // to this batch.
        answer.parse(batch.len()).map_err(|e| unreadable(RPC, e))
    }

    async fn open_single(
        &self,
        a: &UserId,
        b: &UserId,
        now: Timestamp,
    ) -> Result<ConversationId, StoreError> {
        call!(
            self,
            open_single,
            pb::OpenSingleConversationRequest::new(a, b, now)
        )
    }

    async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        call!(self, conversation, pb::ConversationRequest::new(id))
    }

    async fn member(
        &self,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<Option<MemberRecord>, StoreError> {
        call!(
            self,
            member,
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
            pb::MemberIdsRequest::new(conversation, after, limit)
        )
    }

    async fn conversations_of(&self, user: &UserId) -> Result<Vec<ConversationView>, StoreError> {
        call!(self, conversations_of, pb::RepoUserRequest::new(user))
    }

    async fn conversation_view(
        &self,
        user: &UserId,
        conversation: &ConversationId,
    ) -> Result<Option<ConversationView>, StoreError> {
        call!(
            self,
            conversation_view,
            pb::ConversationMemberRequest::new(conversation, user)
        )
    }

    async fn update_cursor(
        &self,
        user: &UserId,
        conversation: &ConversationId,
        update: UpdateConversation,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            update_cursor,
            pb::UpdateCursorRequest::new(user, conversation, update)
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
            pb::MessageHistoryRequest::new(conversation, query)
        )
    }
}

#[async_trait]
impl GroupStore for RepoClient {
    async fn create_group(
        &self,
        group: &NewGroup,
        members: &[UserId],
    ) -> Result<Group, StoreError> {
        call!(
            self,
            create_group,
            pb::InsertGroupRequest::new(group, members)
        )
    }

    async fn group(&self, id: &GroupId) -> Result<Option<Group>, StoreError> {
        call!(self, group, pb::RepoGroupRequest::new(id))
    }

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
            pb::AddMemberRequest::new(group, user, role, now)
        )
    }

    async fn remove_member(&self, group: &GroupId, user: &UserId) -> Result<bool, StoreError> {
        call!(
            self,
            remove_member,
            pb::GroupMemberRequest::new(group, user)
        )
    }

    async fn members(&self, group: &GroupId) -> Result<Vec<(UserId, MemberRecord)>, StoreError> {
        call!(self, members, pb::RepoGroupRequest::new(group))
    }

    async fn add_members(
        &self,
        group: &GroupId,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<UserId>, StoreError> {
        call!(
            self,
            add_members,
            pb::AddGroupMembersRequest::new(group, users, now)
        )
    }

    async fn set_role(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError> {
        call!(self, set_role, pb::SetRoleRequest::new(group, user, role))
    }

    async fn set_muted_until(
        &self,
        group: &GroupId,
        user: &UserId,
        until: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        call!(
            self,
            set_muted_until,
            pb::SetMutedUntilRequest::new(group, user, until)
        )
    }

    async fn transfer(&self, group: &GroupId, to: &UserId) -> Result<bool, StoreError> {
        call!(self, transfer, pb::GroupMemberRequest::new(group, to))
    }

    async fn dissolve(&self, group: &GroupId, now: Timestamp) -> Result<(), StoreError> {
        call!(self, dissolve, pb::DissolveGroupRequest::new(group, now))
    }
}

#[async_trait]
impl SocialStore for RepoClient {
    async fn friend_request(&self, id: &RequestId) -> Result<Option<FriendRequest>, StoreError> {
        call!(self, friend_request, pb::FriendRequestIdRequest::new(id))
    }

    async fn pending_request(
        &self,
        from: &UserId,
        to: &UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        call!(self, pending_request, pb::UserPairRequest::new(from, to))
    }

    async fn insert_friend_request(&self, request: &FriendRequest) -> Result<(), StoreError> {
        call!(
            self,
            insert_friend_request,
            pb::FriendRequest::from(request)
        )
    }

    async fn answer_request(
        &self,
        id: &RequestId,
        accept: bool,
        now: Timestamp,
    ) -> Result<Option<FriendRequest>, StoreError> {
        call!(
            self,
            answer_request,
            pb::AnswerFriendRequestRequest::new(id, accept, now)
        )
    }

    async fn pending_requests(&self, user: &UserId) -> Result<PendingRequests, StoreError> {
        call!(self, pending_requests, pb::RepoUserRequest::new(user))
    }

    async fn are_friends(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        call!(self, are_friends, pb::UserPairRequest::new(a, b))
    }

    async fn friends(&self, user: &UserId) -> Result<Vec<User>, StoreError> {
        call!(self, friends, pb::RepoUserRequest::new(user))
    }

    async fn remove_friend(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        call!(self, remove_friend, pb::UserPairRequest::new(a, b))
    }

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
            pb::SetBlockedRequest::new(blocker, blocked, on, now)
        )
    }

    async fn is_blocked(&self, blocker: &UserId, blocked: &UserId) -> Result<bool, StoreError> {
        call!(self, is_blocked, pb::UserPairRequest::new(blocker, blocked))
    }
}

#[async_trait]
impl Store for RepoClient {
    async fn ping(&self) -> Result<(), StoreError> {
        call!(self, ping, pb::Empty {})
    }

    /// The repo's store is the repo's to close; nothing is held here but
    /// connections, which go with the client.
    async fn close(&self) {}
}
