//! `LogicClient`: the four API ports over gRPC, for a gateway whose logic
//! runs elsewhere.
//!
//! Every call carries a deadline (`grpc-timeout`, so logic stops working
//! for a caller who gave up) and is also bounded here, so a logic that
//! accepts connections but never answers cannot hang the gateway. Failures
//! become `ApiError`s in `status.rs`.
//!
//! Balancing: the client holds a tonic `Channel`, and a balanced channel is
//! a `Channel` too. For the cluster, build it with
//! `Channel::balance_channel(capacity)` and feed the returned sender
//! `Change::Insert(key, endpoint)` / `Change::Remove(key)` as logic
//! instances come and go in etcd; [`LogicClient::new`] takes it unchanged.
//! A custom tower stack (power-of-two-choices on peak EWMA, a circuit
//! breaker per instance) would instead replace `Channel` in `Grpc` below by
//! a `tower::buffer::Buffer` around that stack: only the type of `inner`
//! and the two constructors change, not the trait impls.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::commands::{
    CreateGroup, History, Login, Register, SyncRequest, UpdateConversation, UpdateMember,
    UpdateProfile,
};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{
    ConversationId, GroupId, LoginOutcome, Principal, RequestId, SendTarget, Seq, TokenPair, User,
    UserId,
};
use ferrochat_ports::api::{
    Friend, GroupMember, GroupView, HistoryPage, SyncConversation, UnreadSummary,
};
use ferrochat_ports::store::PendingRequests;
use ferrochat_ports::{AccountsApi, ApiError, GroupsApi, MessagingApi, SocialApi};
use ferrochat_proto::pb;
use ferrochat_proto::pb::logic_service_client::LogicServiceClient;
use ferrochat_proto::DecodeError;
use tonic::transport::{Channel, Endpoint};
use tonic::{Response, Status};

use crate::status::from_status;

type Grpc = LogicServiceClient<Channel>;

/// Answers are bounded by logic's page limits (200 messages of at most
/// `messaging.max_content_bytes` each per conversation), but a sync covers
/// many conversations: tonic's default of 4 MiB is too small for it.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// The logic role's API ports, answered by a `LogicServer` over gRPC.
#[derive(Clone)]
pub struct LogicClient {
    inner: Grpc,
    timeout: Duration,
}

impl LogicClient {
    /// A client over `channel` (one logic, or a balanced set); each call
    /// fails with an internal error after `timeout`.
    pub fn new(channel: Channel, timeout: Duration) -> Self {
        Self {
            inner: LogicServiceClient::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES),
            timeout,
        }
    }

    /// A client of the logic at `addr`. Nothing is dialled until the first
    /// call, so logic may start after the gateway; while it is down, calls
    /// fail (internal error) and the next one dials again.
    pub fn connect_lazy(
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<Self, tonic::transport::Error> {
        let channel = Endpoint::from_shared(format!("http://{addr}"))?
            .connect_timeout(timeout)
            .tcp_nodelay(true)
            .connect_lazy();
        Ok(Self::new(channel, timeout))
    }

    /// Sends `request` to `rpc` and decodes the answer into `D`.
    async fn call<Req, P, D, F, Fut>(
        &self,
        rpc: &'static str,
        request: Req,
        send: F,
    ) -> Result<D, ApiError>
    where
        F: FnOnce(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<P>, Status>>,
        D: TryFrom<P>,
        DecodeError: From<D::Error>,
    {
        let mut request = tonic::Request::new(request);
        request.set_timeout(self.timeout);
        let answer =
            match tokio::time::timeout(self.timeout, send(self.inner.clone(), request)).await {
                Ok(Ok(answer)) => answer.into_inner(),
                Ok(Err(status)) => return Err(from_status(&status, rpc)),
                Err(_) => {
                    let status =
                        Status::deadline_exceeded(format!("no answer within {:?}", self.timeout));
                    return Err(from_status(&status, rpc));
                }
            };
        D::try_from(answer).map_err(|e| {
            let e = DecodeError::from(e);
            tracing::error!(rpc, error = %e, "logic answered something unreadable");
            ApiError::internal()
        })
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
impl AccountsApi for LogicClient {
    async fn register(&self, cmd: Register) -> Result<User, ApiError> {
        call!(self, register, pb::RegisterRequest::new(&cmd))
    }

    async fn login(&self, cmd: Login) -> Result<LoginOutcome, ApiError> {
        call!(self, login, pb::LoginRequest::new(&cmd))
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError> {
        call!(self, refresh, pb::RefreshRequest::new(refresh_token))
    }

    async fn logout(&self, who: &Principal) -> Result<(), ApiError> {
        call!(self, logout, pb::Principal::from(who))
    }

    async fn authenticate(&self, access_token: &str) -> Result<Principal, ApiError> {
        call!(
            self,
            authenticate,
            pb::AuthenticateRequest::new(access_token)
        )
    }

    async fn user(&self, id: &UserId) -> Result<User, ApiError> {
        call!(self, get_user, pb::GetUserRequest::new(id))
    }

    async fn update_profile(&self, id: &UserId, cmd: UpdateProfile) -> Result<User, ApiError> {
        call!(
            self,
            update_profile,
            pb::UpdateProfileRequest::new(id, &cmd)
        )
    }
}

#[async_trait]
impl MessagingApi for LogicClient {
    async fn resolve_target(
        &self,
        who: &UserId,
        target: &SendTarget,
    ) -> Result<ConversationId, ApiError> {
        call!(
            self,
            resolve_target,
            pb::ResolveTargetRequest::new(who, target)
        )
    }

    async fn open_single(&self, who: &UserId, peer: &UserId) -> Result<ConversationView, ApiError> {
        call!(self, open_single, pb::OpenSingleRequest::new(who, peer))
    }

    async fn conversations(&self, who: &UserId) -> Result<Vec<ConversationView>, ApiError> {
        call!(self, conversations, pb::CallerRequest::new(who))
    }

    async fn update_conversation(
        &self,
        who: &UserId,
        id: &ConversationId,
        cmd: UpdateConversation,
    ) -> Result<ConversationView, ApiError> {
        call!(
            self,
            update_conversation,
            pb::UpdateConversationRequest::new(who, id, &cmd)
        )
    }

    async fn history(&self, who: &UserId, query: History) -> Result<HistoryPage, ApiError> {
        call!(self, history, pb::HistoryRequest::new(who, &query))
    }

    async fn unread(&self, who: &UserId) -> Result<UnreadSummary, ApiError> {
        call!(self, unread, pb::CallerRequest::new(who))
    }

    async fn sync(
        &self,
        who: &UserId,
        req: SyncRequest,
    ) -> Result<Vec<SyncConversation>, ApiError> {
        call!(self, sync, pb::SyncRequest::new(who, &req))
    }

    async fn mark_read(&self, who: &UserId, id: &ConversationId, seq: Seq) -> Result<(), ApiError> {
        call!(self, mark_read, pb::MarkReadRequest::new(who, id, seq))
    }

    async fn typing(&self, who: &UserId, id: &ConversationId) -> Result<(), ApiError> {
        call!(self, typing, pb::TypingRequest::new(who, id))
    }
}

#[async_trait]
impl GroupsApi for LogicClient {
    async fn create_group(&self, who: &UserId, cmd: CreateGroup) -> Result<GroupView, ApiError> {
        call!(self, create_group, pb::CreateGroupRequest::new(who, &cmd))
    }

    async fn group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        call!(self, get_group, pb::GroupRequest::new(who, id))
    }

    async fn join_group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        call!(self, join_group, pb::GroupRequest::new(who, id))
    }

    async fn leave_group(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        call!(self, leave_group, pb::GroupRequest::new(who, id))
    }

    async fn members(&self, who: &UserId, id: &GroupId) -> Result<Vec<GroupMember>, ApiError> {
        call!(self, members, pb::GroupRequest::new(who, id))
    }

    async fn add_members(
        &self,
        who: &UserId,
        id: &GroupId,
        users: Vec<UserId>,
    ) -> Result<Vec<GroupMember>, ApiError> {
        call!(
            self,
            add_members,
            pb::AddMembersRequest::new(who, id, &users)
        )
    }

    async fn kick(&self, who: &UserId, id: &GroupId, user: &UserId) -> Result<(), ApiError> {
        call!(self, kick, pb::MemberRequest::new(who, id, user))
    }

    async fn update_member(
        &self,
        who: &UserId,
        id: &GroupId,
        user: &UserId,
        cmd: UpdateMember,
    ) -> Result<GroupMember, ApiError> {
        call!(
            self,
            update_member,
            pb::UpdateMemberRequest::new(who, id, user, &cmd)
        )
    }

    async fn transfer(
        &self,
        who: &UserId,
        id: &GroupId,
        to: &UserId,
    ) -> Result<GroupView, ApiError> {
        call!(self, transfer, pb::MemberRequest::new(who, id, to))
    }

    async fn dissolve(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        call!(self, dissolve, pb::GroupRequest::new(who, id))
    }
}

#[async_trait]
impl SocialApi for LogicClient {
    async fn request_friend(
        &self,
        who: &UserId,
        to: &UserId,
        message: RequestMessage,
    ) -> Result<FriendRequest, ApiError> {
        call!(
            self,
            request_friend,
            pb::RequestFriendRequest::new(who, to, &message)
        )
    }

    async fn friend_requests(&self, who: &UserId) -> Result<PendingRequests, ApiError> {
        call!(self, friend_requests, pb::CallerRequest::new(who))
    }

    async fn answer_request(
        &self,
        who: &UserId,
        id: &RequestId,
        accept: bool,
    ) -> Result<FriendRequest, ApiError> {
        call!(
            self,
            answer_request,
            pb::AnswerRequestRequest::new(who, id, accept)
        )
    }

    async fn friends(&self, who: &UserId) -> Result<Vec<Friend>, ApiError> {
        call!(self, friends, pb::CallerRequest::new(who))
    }

    async fn remove_friend(&self, who: &UserId, friend: &UserId) -> Result<(), ApiError> {
        call!(self, remove_friend, pb::PeerRequest::new(who, friend))
    }

    async fn set_block(&self, who: &UserId, other: &UserId, on: bool) -> Result<(), ApiError> {
        call!(self, set_block, pb::SetBlockRequest::new(who, other, on))
    }

    // Presence changes have no answer; a failure is logged in `call`.
    async fn came_online(&self, who: &UserId) {
        let _: Result<(), ApiError> = call!(self, came_online, pb::CallerRequest::new(who));
    }

    async fn went_offline(&self, who: &UserId) {
        let _: Result<(), ApiError> = call!(self, went_offline, pb::CallerRequest::new(who));
    }
}
