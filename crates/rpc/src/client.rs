//! `LogicClient`: the four API ports over gRPC, for a gateway whose logic
//! runs elsewhere: one logic at an address ([`LogicClient::connect_lazy`]),
//! or every logic instance discovery lists ([`LogicClient::balanced`],
//! through the tower stack in `balance/`).
//!
//! Every call has a deadline: sent as `grpc-timeout` (so logic stops
//! working for a caller who gave up), kept by the balanced stack at each
//! instance, and guarded here, so a logic that accepts connections but
//! never answers cannot hang the gateway. A balanced client retries
//! idempotent calls whose instance was unreachable, within that deadline
//! (`retry.rs`). Failures become `ApiError`s in `status.rs`.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::attachments::{Attachment, AttachmentKind, Upload};
use ferrochat_domain::commands::{
    ChangePassword, CreateGroup, History, Login, Register, SearchUsers, SyncRequest,
    UpdateConversation, UpdateGroup, UpdateMember, UpdateProfile,
};
use ferrochat_domain::groups::MembersPage;
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::moderation::{
    AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget,
};
use ferrochat_domain::oidc::{OidcFinish, OidcStart};
use ferrochat_domain::push::{Device, RegisterDevice};
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{Ack, AttachmentId, AuditId, ReportId, Sanction, Timestamp};
use ferrochat_domain::{
    Authenticated, ConversationId, GroupId, LoginOutcome, Password, Principal, PushDeviceId,
    RequestId, SendTarget, Seq, SessionId, TokenPair, User, UserId,
};
use ferrochat_ports::api::{
    Friend, GroupMember, GroupView, HistoryPage, MembersList, SyncConversation, UnreadSummary,
};
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::store::PendingRequests;
use ferrochat_ports::store::SessionInfo;
use ferrochat_ports::{
    AccountsApi, ApiError, AttachmentsApi, GroupsApi, MessagingApi, ModerationApi, SocialApi,
};
use ferrochat_proto::pb;
use ferrochat_proto::pb::logic_service_client::LogicServiceClient;
use ferrochat_proto::DecodeError;
use tokio::time::Instant;
use tonic::transport::Channel;

use crate::endpoint::endpoint;
use crate::tls::ClientTls;
use tonic::Status;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt as _;

use crate::balance::{
    self, BalanceConfig, BalanceConfigError, BreakerState, CallDeadline, LogicChannel, Registry,
};
use crate::retry::{Idempotence, RetryPolicy};
use crate::status::from_status;

type Grpc = LogicServiceClient<LogicChannel>;

/// Answers are bounded by logic's page limits (200 messages of at most
/// `messaging.max_content_bytes` each per conversation), but a sync covers
/// many conversations: tonic's default of 4 MiB is too small for it.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// How long past a call's deadline the guard here waits. The balanced
/// stack gives up at the deadline itself, at the instance, where the
/// instance's breaker sees it; the guard only catches a call that never
/// got that far (no instance ready).
const GUARD_GRACE: Duration = Duration::from_millis(100);

/// How long the OpenID login calls are given, whatever `call_timeout`
/// says: logic may spend this long at the provider.
const PROVIDER_CALLS: Duration = ferrochat_domain::oidc::MAX_PROVIDER_STEP;

/// The logic role's API ports, answered by `LogicServer`s over gRPC.
#[derive(Clone)]
pub struct LogicClient {
    inner: Grpc,
    timeout: Duration,
    retry: RetryPolicy,
    /// The balanced set's breakers; `None` over one `Channel`.
    balance: Option<Arc<Registry>>,
}

impl LogicClient {
    /// A client over `channel` (one logic); each call fails with an
    /// internal error after `timeout`. Nothing is retried.
    pub fn new(channel: Channel, timeout: Duration) -> Self {
        let channel = BoxCloneSyncService::new(channel.map_err(|e| Status::from_error(e.into())));
        Self::over(channel, timeout, RetryPolicy::NONE, None)
    }

    /// A client of the logic at `addr`. Nothing is dialled until the first
    /// call, so logic may start after the gateway; while it is down, calls
    /// fail (internal error) and the next one dials again.
    pub fn connect_lazy(
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<Self, tonic::transport::Error> {
        let channel = endpoint(&addr.to_string(), timeout, None)?.connect_lazy();
        Ok(Self::new(channel, timeout))
    }

    /// A client of every logic instance `discovery` lists, kept up to date
    /// every `config.refresh`: power of two choices on peak-EWMA latency,
    /// a circuit breaker per instance, retries of idempotent calls. Call
    /// inside a Tokio runtime (it spawns the discovery task); the task ends
    /// with the last clone of the client.
    pub fn balanced(
        discovery: Arc<dyn Discovery>,
        config: BalanceConfig,
    ) -> Result<Self, BalanceConfigError> {
        Self::balanced_with(discovery, config, None)
    }

    /// [`LogicClient::balanced`], dialling each instance over internal
    /// TLS when `tls` is given: an instance that cannot prove it is a
    /// logic fails its calls like an unreachable one.
    pub fn balanced_with(
        discovery: Arc<dyn Discovery>,
        config: BalanceConfig,
        tls: Option<ClientTls>,
    ) -> Result<Self, BalanceConfigError> {
        config.validate()?;
        let (channel, registry) = balance::balanced(discovery, &config, tls);
        let retry = RetryPolicy::new(config.retries, config.retry_backoff);
        Ok(Self::over(
            channel,
            config.call_timeout,
            retry,
            Some(registry),
        ))
    }

    fn over(
        channel: LogicChannel,
        timeout: Duration,
        retry: RetryPolicy,
        balance: Option<Arc<Registry>>,
    ) -> Self {
        Self {
            inner: LogicServiceClient::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES),
            timeout,
            retry,
            balance,
        }
    }

    /// The breaker of each logic instance a balanced client knows, by
    /// instance id; empty over one `Channel`.
    pub fn breakers(&self) -> BTreeMap<String, BreakerState> {
        self.balance
            .as_ref()
            .map(|registry| registry.states())
            .unwrap_or_default()
    }

    /// Sends `request` to `rpc` (again, if it is `idempotent` and its
    /// instance was unreachable) and decodes the answer into `D`; gives up
    /// after `timeout`.
    async fn call<Req, P, D, F, Fut>(
        &self,
        rpc: &'static str,
        idempotence: Idempotence,
        timeout: Duration,
        request: Req,
        send: F,
    ) -> Result<D, ApiError>
    where
        Req: Clone,
        F: Fn(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<P>, Status>>,
        D: TryFrom<P>,
        DecodeError: From<D::Error>,
    {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut attempt = 0;
        let answer = loop {
            let status = match self.attempt(request.clone(), &send, deadline).await {
                Ok(answer) => break Ok(answer),
                Err(status) => status,
            };
            let now = Instant::now();
            match self
                .retry
                .pause(idempotence, &status, attempt, now, deadline)
            {
                Some(pause) => {
                    balance::metrics::retry(rpc);
                    tracing::debug!(
                        rpc,
                        attempt,
                        status = status.message(),
                        "retrying logic call"
                    );
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                None => break Err(status),
            }
        };
        balance::metrics::call(rpc, started.elapsed());
        let answer = answer.map_err(|status| from_status(&status, rpc))?;
        D::try_from(answer).map_err(|e| {
            let e = DecodeError::from(e);
            tracing::error!(rpc, error = %e, "logic answered something unreadable");
            ApiError::internal()
        })
    }

    /// One attempt, with what is left until `deadline`.
    async fn attempt<Req, P, F, Fut>(
        &self,
        request: Req,
        send: &F,
        deadline: Instant,
    ) -> Result<P, Status>
    where
        F: Fn(Grpc, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<P>, Status>>,
    {
        if self.balance.as_ref().is_some_and(|r| r.none_available()) {
            return Err(Status::unavailable(
                "no logic instance: none listed, or every one's breaker open",
            ));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.late());
        }
        let mut request = tonic::Request::new(request);
        request.set_timeout(left);
        ferrochat_trace::inject(request.metadata_mut());
        request.extensions_mut().insert(CallDeadline(deadline));
        let sent = send(self.inner.clone(), request);
        let guard = match self.balance {
            Some(_) => deadline + GUARD_GRACE,
            None => deadline,
        };
        match tokio::time::timeout_at(guard, sent).await {
            Ok(answer) => answer.map(tonic::Response::into_inner),
            Err(_) => Err(self.late()),
        }
    }

    fn late(&self) -> Status {
        Status::deadline_exceeded(format!("no answer within {:?}", self.timeout))
    }
}

/// `call!(self, method, Idempotent | Once, request)`: one rpc, named after
/// its method, given `call_timeout`; `call!(..., within timeout)` another.
macro_rules! call {
    ($self:ident, $method:ident, $idempotence:ident, $request:expr) => {
        call!($self, $method, $idempotence, $request, within $self.timeout)
    };
    ($self:ident, $method:ident, $idempotence:ident, $request:expr, within $timeout:expr) => {
        $self
            .call(
                stringify!($method),
                Idempotence::$idempotence,
                $timeout,
                $request,
                |mut grpc, r| async move { grpc.$method(r).await },
            )
            .await
    };
}

// Idempotent: reads; writes that set a value (`update_profile`,
// `update_conversation`, `mark_read`, `set_block`, presence); get-or-create
// (`open_single`, `resolve_target`). Once: whatever creates, rotates or
// answers differently the second time (`register`, `login`, `refresh`,
// `logout`, group and friend changes), and `typing`, whose lost notice
// costs less than a doubled one.

#[async_trait]
impl AccountsApi for LogicClient {
    async fn register(&self, cmd: Register) -> Result<User, ApiError> {
        call!(self, register, Once, pb::RegisterRequest::new(&cmd))
    }

    async fn login(&self, cmd: Login) -> Result<LoginOutcome, ApiError> {
        call!(self, login, Once, pb::LoginRequest::new(&cmd))
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError> {
        call!(self, refresh, Once, pb::RefreshRequest::new(refresh_token))
    }

    async fn logout(&self, who: &Principal) -> Result<(), ApiError> {
        call!(self, logout, Once, pb::Principal::from(who))
    }

    async fn authenticate(&self, access_token: &str) -> Result<Authenticated, ApiError> {
        call!(
            self,
            authenticate,
            Idempotent,
            pb::AuthenticateRequest::new(access_token)
        )
    }

    async fn user(&self, id: &UserId) -> Result<User, ApiError> {
        call!(self, get_user, Idempotent, pb::GetUserRequest::new(id))
    }

    async fn update_profile(&self, id: &UserId, cmd: UpdateProfile) -> Result<User, ApiError> {
        call!(
            self,
            update_profile,
            Idempotent,
            pb::UpdateProfileRequest::new(id, &cmd)
        )
    }

    async fn search_users(&self, who: &UserId, search: SearchUsers) -> Result<Vec<User>, ApiError> {
        call!(
            self,
            search_users,
            Idempotent,
            pb::SearchUsersRequest::new(who, &search)
        )
    }

    async fn sessions(&self, who: &Principal) -> Result<Vec<SessionInfo>, ApiError> {
        call!(self, sessions, Idempotent, pb::Principal::from(who))
    }

    async fn end_session(&self, who: &Principal, id: &SessionId) -> Result<(), ApiError> {
        call!(self, end_session, Once, pb::EndSessionRequest::new(who, id))
    }

    async fn logout_others(&self, who: &Principal) -> Result<u32, ApiError> {
        call!(self, logout_others, Once, pb::Principal::from(who))
    }

    async fn delete_account(&self, who: &Principal, password: Password) -> Result<(), ApiError> {
        call!(
            self,
            delete_account,
            Once,
            pb::DeleteAccountRequest::new(who, &password)
        )
    }

    async fn reset_password(&self, token: &str, new: Password) -> Result<u32, ApiError> {
        call!(
            self,
            reset_password,
            Once,
            pb::ResetPasswordRequest::new(token, &new)
        )
    }

    async fn change_password(&self, who: &Principal, cmd: ChangePassword) -> Result<u32, ApiError> {
        call!(
            self,
            change_password,
            Once,
            pb::ChangePasswordRequest::new(who, &cmd)
        )
    }

    // Once: each run stores a device under a new id.
    async fn register_device(
        &self,
        who: &Principal,
        cmd: RegisterDevice,
    ) -> Result<Device, ApiError> {
        call!(
            self,
            register_device,
            Once,
            pb::RegisterDeviceRequest::new(who, &cmd)
        )
    }

    async fn devices(&self, who: &Principal) -> Result<Vec<Device>, ApiError> {
        call!(self, devices, Idempotent, pb::Principal::from(who))
    }

    // Once: a second run would answer not found.
    async fn remove_device(&self, who: &Principal, id: &PushDeviceId) -> Result<(), ApiError> {
        call!(
            self,
            remove_device,
            Once,
            pb::RemoveDeviceRequest::new(who, id)
        )
    }

    async fn oidc_provider(&self) -> Result<String, ApiError> {
        call!(self, oidc_provider, Idempotent, pb::Empty {})
    }

    // Idempotent: the same values give the same URL. Given as long as
    // logic may spend at the provider (`PROVIDER_CALLS`).
    async fn oidc_authorization(&self, start: OidcStart) -> Result<String, ApiError> {
        call!(
            self,
            oidc_authorization,
            Idempotent,
            pb::OidcAuthorizationRequest::new(&start),
            within self.timeout.max(PROVIDER_CALLS)
        )
    }

    // Once: a code is redeemed once, so a caller that gave up early would
    // waste it.
    async fn oidc_login(&self, finish: OidcFinish) -> Result<LoginOutcome, ApiError> {
        call!(
            self,
            oidc_login,
            Once,
            pb::OidcLoginRequest::new(&finish),
            within self.timeout.max(PROVIDER_CALLS)
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
            Idempotent,
            pb::ResolveTargetRequest::new(who, target)
        )
    }

    async fn open_single(&self, who: &UserId, peer: &UserId) -> Result<ConversationView, ApiError> {
        call!(
            self,
            open_single,
            Idempotent,
            pb::OpenSingleRequest::new(who, peer)
        )
    }

    async fn conversations(&self, who: &UserId) -> Result<Vec<ConversationView>, ApiError> {
        call!(self, conversations, Idempotent, pb::CallerRequest::new(who))
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
            Idempotent,
            pb::UpdateConversationRequest::new(who, id, &cmd)
        )
    }

    async fn history(&self, who: &UserId, query: History) -> Result<HistoryPage, ApiError> {
        call!(
            self,
            history,
            Idempotent,
            pb::HistoryRequest::new(who, &query)
        )
    }

    async fn search_messages(
        &self,
        who: &UserId,
        search: SearchMessages,
    ) -> Result<SearchPage, ApiError> {
        call!(
            self,
            search_messages,
            Idempotent,
            pb::SearchMessagesRequest::new(who, &search)
        )
    }

    async fn unread(&self, who: &UserId) -> Result<UnreadSummary, ApiError> {
        call!(self, unread, Idempotent, pb::CallerRequest::new(who))
    }

    async fn sync(
        &self,
        who: &UserId,
        req: SyncRequest,
    ) -> Result<Vec<SyncConversation>, ApiError> {
        call!(self, sync, Idempotent, pb::SyncRequest::new(who, &req))
    }

    async fn mark_read(&self, who: &UserId, id: &ConversationId, seq: Seq) -> Result<(), ApiError> {
        call!(
            self,
            mark_read,
            Idempotent,
            pb::MarkReadRequest::new(who, id, seq)
        )
    }

    async fn typing(&self, who: &UserId, id: &ConversationId) -> Result<(), ApiError> {
        call!(self, typing, Once, pb::TypingRequest::new(who, id))
    }
}

#[async_trait]
impl GroupsApi for LogicClient {
    async fn create_group(&self, who: &UserId, cmd: CreateGroup) -> Result<GroupView, ApiError> {
        call!(
            self,
            create_group,
            Once,
            pb::CreateGroupRequest::new(who, &cmd)
        )
    }

    async fn group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        call!(self, get_group, Idempotent, pb::GroupRequest::new(who, id))
    }

    async fn join_group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        call!(self, join_group, Once, pb::GroupRequest::new(who, id))
    }

    async fn leave_group(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        call!(self, leave_group, Once, pb::GroupRequest::new(who, id))
    }

    async fn members(
        &self,
        who: &UserId,
        id: &GroupId,
        page: MembersPage,
    ) -> Result<MembersList, ApiError> {
        call!(
            self,
            members,
            Idempotent,
            pb::MembersPageRequest::new(who, id, &page)
        )
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
            Once,
            pb::AddMembersRequest::new(who, id, &users)
        )
    }

    async fn kick(&self, who: &UserId, id: &GroupId, user: &UserId) -> Result<(), ApiError> {
        call!(self, kick, Once, pb::MemberRequest::new(who, id, user))
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
            Once,
            pb::UpdateMemberRequest::new(who, id, user, &cmd)
        )
    }

    async fn transfer(
        &self,
        who: &UserId,
        id: &GroupId,
        to: &UserId,
    ) -> Result<GroupView, ApiError> {
        call!(self, transfer, Once, pb::MemberRequest::new(who, id, to))
    }

    // Once: each change is announced in the group's conversation.
    async fn update_group(
        &self,
        who: &UserId,
        id: &GroupId,
        change: UpdateGroup,
    ) -> Result<GroupView, ApiError> {
        call!(
            self,
            update_group,
            Once,
            pb::UpdateGroupRequest::new(who, id, &change)
        )
    }

    async fn dissolve(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        call!(self, dissolve, Once, pb::GroupRequest::new(who, id))
    }
}

// Reads are idempotent; so are disable/enable (they set a state) and a
// resolution (the first one stays). A report, a reset token and a
// dissolution are sent once.
#[async_trait]
impl ModerationApi for LogicClient {
    async fn report(
        &self,
        who: &UserId,
        target: ReportTarget,
        reason: Note,
    ) -> Result<Report, ApiError> {
        call!(
            self,
            file_report,
            Once,
            pb::FileReportRequest::new(who, &target, &reason)
        )
    }

    async fn list_users(&self, who: &UserId, list: ListUsers) -> Result<Vec<User>, ApiError> {
        call!(
            self,
            admin_list_users,
            Idempotent,
            pb::AdminListUsersRequest::new(who, &list)
        )
    }

    async fn set_disabled(
        &self,
        who: &UserId,
        user: &UserId,
        disabled: bool,
        duration: Option<Duration>,
    ) -> Result<User, ApiError> {
        // Once: a second run would disable until a later time.
        call!(
            self,
            admin_set_disabled,
            Once,
            pb::AdminSetDisabledRequest::new(who, user, disabled, duration)
        )
    }

    async fn issue_password_reset(
        &self,
        who: &UserId,
        user: &UserId,
        valid_for: Duration,
    ) -> Result<String, ApiError> {
        call!(
            self,
            admin_password_reset,
            Once,
            pb::AdminPasswordResetRequest::new(who, user, valid_for)
        )
    }

    async fn mute_in_world(
        &self,
        who: &UserId,
        user: &UserId,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError> {
        call!(
            self,
            admin_mute_in_world,
            Once,
            pb::AdminMuteInWorldRequest::new(who, user, duration)
        )
    }

    async fn set_sanction(
        &self,
        who: &UserId,
        user: &UserId,
        sanction: Sanction,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError> {
        call!(
            self,
            admin_set_sanction,
            Once,
            pb::AdminSetSanctionRequest::new(who, user, sanction, duration)
        )
    }

    async fn remove_message(
        &self,
        who: &UserId,
        conversation: &ConversationId,
        seq: Seq,
    ) -> Result<Ack, ApiError> {
        call!(
            self,
            admin_remove_message,
            Once,
            pb::AdminRemoveMessageRequest::new(who, conversation, seq)
        )
    }

    async fn dissolve_group(&self, who: &UserId, group: &GroupId) -> Result<(), ApiError> {
        call!(
            self,
            admin_dissolve_group,
            Once,
            pb::GroupRequest::new(who, group)
        )
    }

    async fn audit_log(
        &self,
        who: &UserId,
        page: NewestFirst<AuditId>,
    ) -> Result<Vec<AuditEntry>, ApiError> {
        call!(
            self,
            admin_audit_log,
            Idempotent,
            pb::AdminPageRequest::new(who, &page, AuditId::as_str)
        )
    }

    async fn reports(&self, who: &UserId, list: ListReports) -> Result<Vec<Report>, ApiError> {
        call!(
            self,
            admin_reports,
            Idempotent,
            pb::AdminReportsRequest::new(who, &list)
        )
    }

    async fn resolve_report(
        &self,
        who: &UserId,
        id: &ReportId,
        note: Note,
    ) -> Result<Report, ApiError> {
        call!(
            self,
            admin_resolve_report,
            Idempotent,
            pb::AdminResolveReportRequest::new(who, id, &note)
        )
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
            Once,
            pb::RequestFriendRequest::new(who, to, &message)
        )
    }

    async fn friend_requests(&self, who: &UserId) -> Result<PendingRequests, ApiError> {
        call!(
            self,
            friend_requests,
            Idempotent,
            pb::CallerRequest::new(who)
        )
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
            Once,
            pb::AnswerRequestRequest::new(who, id, accept)
        )
    }

    async fn friends(&self, who: &UserId) -> Result<Vec<Friend>, ApiError> {
        call!(self, friends, Idempotent, pb::CallerRequest::new(who))
    }

    async fn remove_friend(&self, who: &UserId, friend: &UserId) -> Result<(), ApiError> {
        call!(self, remove_friend, Once, pb::PeerRequest::new(who, friend))
    }

    async fn set_block(&self, who: &UserId, other: &UserId, on: bool) -> Result<(), ApiError> {
        call!(
            self,
            set_block,
            Idempotent,
            pb::SetBlockRequest::new(who, other, on)
        )
    }

    // Presence changes have no answer; a failure is logged in `call`.
    async fn came_online(&self, who: &UserId) {
        let _: Result<(), ApiError> =
            call!(self, came_online, Idempotent, pb::CallerRequest::new(who));
    }

    async fn went_offline(&self, who: &UserId) {
        let _: Result<(), ApiError> =
            call!(self, went_offline, Idempotent, pb::CallerRequest::new(who));
    }
}

#[async_trait]
impl AttachmentsApi for LogicClient {
    async fn attachment_usage(&self, who: &UserId) -> Result<u64, ApiError> {
        call!(
            self,
            attachment_usage,
            Idempotent,
            pb::CallerRequest::new(who)
        )
    }

    // A second run meets its own row: the upload fails and is deleted.
    async fn add_attachment(&self, attachment: Attachment) -> Result<(), ApiError> {
        call!(
            self,
            add_attachment,
            Once,
            pb::Attachment::from(&attachment)
        )
    }

    async fn attachment(&self, who: &UserId, id: &AttachmentId) -> Result<Attachment, ApiError> {
        call!(
            self,
            get_attachment,
            Idempotent,
            pb::AttachmentRequest::new(who, id)
        )
    }

    // Binding to the conversation it is bound to answers the same.
    async fn bind_attachment(
        &self,
        who: &UserId,
        id: &AttachmentId,
        conversation: &ConversationId,
        kind: AttachmentKind,
    ) -> Result<Attachment, ApiError> {
        call!(
            self,
            bind_attachment,
            Idempotent,
            pb::BindAttachmentRequest::new(who, id, conversation, kind)
        )
    }

    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, ApiError> {
        call!(
            self,
            unsent_attachments,
            Idempotent,
            pb::UnsentAttachmentsRequest::new(before, limit)
        )
    }

    // A second run answers false: the sweep only miscounts it.
    async fn forget_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, ApiError> {
        call!(
            self,
            forget_unsent_attachment,
            Idempotent,
            pb::AttachmentRequest::anonymous(id)
        )
    }

    async fn attachments_of(
        &self,
        who: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, ApiError> {
        call!(
            self,
            attachments_of,
            Idempotent,
            pb::AttachmentsOfRequest::new(who, after, limit)
        )
    }

    // A second run meets its own row: the opening fails, and the client
    // opens another.
    async fn open_upload(&self, upload: Upload) -> Result<(), ApiError> {
        call!(self, open_upload, Once, pb::Upload::from(&upload))
    }

    async fn upload(&self, who: &UserId, id: &AttachmentId) -> Result<Upload, ApiError> {
        call!(
            self,
            get_upload,
            Idempotent,
            pb::AttachmentRequest::new(who, id)
        )
    }

    // A second run finds the upload at `to` and says so (1001): the
    // client asks where it is and goes on from there.
    async fn advance_upload(
        &self,
        who: &UserId,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<Upload, ApiError> {
        call!(
            self,
            advance_upload,
            Once,
            pb::AdvanceUploadRequest::new(who, id, from, to)
        )
    }
}
