//! A logic that answers every call with one configurable error, after an
//! optional delay, and counts its calls, served on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
use ferrochat_domain::{AttachmentId, AuditId, ReportId, Timestamp};
use ferrochat_domain::{
    Authenticated, ConversationId, ErrorKind, GroupId, LoginOutcome, Password, Principal,
    PushDeviceId, RequestId, SendTarget, Seq, SessionId, SessionInfo, TokenPair, User, UserId,
};
use ferrochat_ports::api::{
    Friend, GroupMember, GroupView, HistoryPage, MembersList, SyncConversation, UnreadSummary,
};
use ferrochat_ports::store::PendingRequests;
use ferrochat_ports::{
    AccountsApi, ApiError, AttachmentsApi, GroupsApi, MessagingApi, ModerationApi, SocialApi,
};
use ferrochat_rpc::{Listener, LogicApis, LogicServer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct Fake {
    error: Mutex<ApiError>,
    delay: Mutex<Duration>,
    calls: AtomicUsize,
}

impl Fake {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            error: Mutex::new(ApiError::new(ErrorKind::NotFound, "nothing here")),
            delay: Mutex::new(Duration::ZERO),
            calls: AtomicUsize::new(0),
        })
    }

    pub fn answer(&self, error: ApiError) {
        *self.error.lock().unwrap() = error;
    }

    /// Each call answers after `delay`, as a logic under load would.
    pub fn delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    async fn fail<T>(&self) -> Result<T, ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Err(self.error.lock().unwrap().clone())
    }
}

/// A running `LogicServer` around `fake`; dropping it stops the server.
pub struct Served {
    pub addr: SocketAddr,
    cancel: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

pub async fn serve(fake: Arc<Fake>) -> Served {
    serve_on(fake, Listener::from).await
}

/// `serve`, on the listener `wrap` makes of a bound one (plain or TLS).
pub async fn serve_on(fake: Arc<Fake>, wrap: impl FnOnce(TcpListener) -> Listener) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = wrap(listener);
    let apis = LogicApis {
        accounts: fake.clone(),
        messaging: fake.clone(),
        groups: fake.clone(),
        social: fake.clone(),
        moderation: fake.clone(),
        attachments: fake,
    };
    let cancel = CancellationToken::new();
    tokio::spawn(ferrochat_rpc::serve(
        listener,
        LogicServer::new(apis),
        cancel.clone(),
    ));
    Served { addr, cancel }
}

#[async_trait]
impl AccountsApi for Fake {
    async fn register(&self, _: Register) -> Result<User, ApiError> {
        self.fail().await
    }
    async fn login(&self, _: Login) -> Result<LoginOutcome, ApiError> {
        self.fail().await
    }
    async fn refresh(&self, _: &str) -> Result<TokenPair, ApiError> {
        self.fail().await
    }
    async fn logout(&self, _: &Principal) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn authenticate(&self, _: &str) -> Result<Authenticated, ApiError> {
        self.fail().await
    }
    async fn user(&self, _: &UserId) -> Result<User, ApiError> {
        self.fail().await
    }
    async fn update_profile(&self, _: &UserId, _: UpdateProfile) -> Result<User, ApiError> {
        self.fail().await
    }

    async fn search_users(&self, _: &UserId, _: SearchUsers) -> Result<Vec<User>, ApiError> {
        self.fail().await
    }
    async fn sessions(&self, _: &Principal) -> Result<Vec<SessionInfo>, ApiError> {
        self.fail().await
    }
    async fn end_session(&self, _: &Principal, _: &SessionId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn logout_others(&self, _: &Principal) -> Result<u32, ApiError> {
        self.fail().await
    }
    async fn change_password(&self, _: &Principal, _: ChangePassword) -> Result<u32, ApiError> {
        self.fail().await
    }
    async fn delete_account(&self, _: &Principal, _: Password) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn reset_password(&self, _: &str, _: Password) -> Result<u32, ApiError> {
        self.fail().await
    }
    async fn register_device(&self, _: &Principal, _: RegisterDevice) -> Result<Device, ApiError> {
        self.fail().await
    }
    async fn devices(&self, _: &Principal) -> Result<Vec<Device>, ApiError> {
        self.fail().await
    }
    async fn remove_device(&self, _: &Principal, _: &PushDeviceId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn oidc_provider(&self) -> Result<String, ApiError> {
        self.fail().await
    }
    async fn oidc_authorization(&self, _: OidcStart) -> Result<String, ApiError> {
        self.fail().await
    }
    async fn oidc_login(&self, _: OidcFinish) -> Result<LoginOutcome, ApiError> {
        self.fail().await
    }
}

#[async_trait]
impl MessagingApi for Fake {
    async fn resolve_target(&self, _: &UserId, _: &SendTarget) -> Result<ConversationId, ApiError> {
        self.fail().await
    }
    async fn open_single(&self, _: &UserId, _: &UserId) -> Result<ConversationView, ApiError> {
        self.fail().await
    }
    async fn conversations(&self, _: &UserId) -> Result<Vec<ConversationView>, ApiError> {
        self.fail().await
    }
    async fn update_conversation(
        &self,
        _: &UserId,
        _: &ConversationId,
        _: UpdateConversation,
    ) -> Result<ConversationView, ApiError> {
        self.fail().await
    }
    async fn history(&self, _: &UserId, _: History) -> Result<HistoryPage, ApiError> {
        self.fail().await
    }
    async fn search_messages(&self, _: &UserId, _: SearchMessages) -> Result<SearchPage, ApiError> {
        self.fail().await
    }
    async fn unread(&self, _: &UserId) -> Result<UnreadSummary, ApiError> {
        self.fail().await
    }
    async fn sync(&self, _: &UserId, _: SyncRequest) -> Result<Vec<SyncConversation>, ApiError> {
        self.fail().await
    }
    async fn mark_read(&self, _: &UserId, _: &ConversationId, _: Seq) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn typing(&self, _: &UserId, _: &ConversationId) -> Result<(), ApiError> {
        self.fail().await
    }
}

#[async_trait]
impl GroupsApi for Fake {
    async fn create_group(&self, _: &UserId, _: CreateGroup) -> Result<GroupView, ApiError> {
        self.fail().await
    }
    async fn group(&self, _: &UserId, _: &GroupId) -> Result<GroupView, ApiError> {
        self.fail().await
    }
    async fn join_group(&self, _: &UserId, _: &GroupId) -> Result<GroupView, ApiError> {
        self.fail().await
    }
    async fn leave_group(&self, _: &UserId, _: &GroupId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn members(
        &self,
        _: &UserId,
        _: &GroupId,
        _: MembersPage,
    ) -> Result<MembersList, ApiError> {
        self.fail().await
    }
    async fn add_members(
        &self,
        _: &UserId,
        _: &GroupId,
        _: Vec<UserId>,
    ) -> Result<Vec<GroupMember>, ApiError> {
        self.fail().await
    }
    async fn kick(&self, _: &UserId, _: &GroupId, _: &UserId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn update_member(
        &self,
        _: &UserId,
        _: &GroupId,
        _: &UserId,
        _: UpdateMember,
    ) -> Result<GroupMember, ApiError> {
        self.fail().await
    }
    async fn transfer(&self, _: &UserId, _: &GroupId, _: &UserId) -> Result<GroupView, ApiError> {
        self.fail().await
    }
    async fn update_group(
        &self,
        _: &UserId,
        _: &GroupId,
        _: UpdateGroup,
    ) -> Result<GroupView, ApiError> {
        self.fail().await
    }
    async fn dissolve(&self, _: &UserId, _: &GroupId) -> Result<(), ApiError> {
        self.fail().await
    }
}

#[async_trait]
impl SocialApi for Fake {
    async fn request_friend(
        &self,
        _: &UserId,
        _: &UserId,
        _: RequestMessage,
    ) -> Result<FriendRequest, ApiError> {
        self.fail().await
    }
    async fn friend_requests(&self, _: &UserId) -> Result<PendingRequests, ApiError> {
        self.fail().await
    }
    async fn answer_request(
        &self,
        _: &UserId,
        _: &RequestId,
        _: bool,
    ) -> Result<FriendRequest, ApiError> {
        self.fail().await
    }
    async fn friends(&self, _: &UserId) -> Result<Vec<Friend>, ApiError> {
        self.fail().await
    }
    async fn remove_friend(&self, _: &UserId, _: &UserId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn set_block(&self, _: &UserId, _: &UserId, _: bool) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn came_online(&self, _: &UserId) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    async fn went_offline(&self, _: &UserId) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl ModerationApi for Fake {
    async fn report(&self, _: &UserId, _: ReportTarget, _: Note) -> Result<Report, ApiError> {
        self.fail().await
    }
    async fn list_users(&self, _: &UserId, _: ListUsers) -> Result<Vec<User>, ApiError> {
        self.fail().await
    }
    async fn set_disabled(
        &self,
        _: &UserId,
        _: &UserId,
        _: bool,
        _: Option<Duration>,
    ) -> Result<User, ApiError> {
        self.fail().await
    }
    async fn issue_password_reset(
        &self,
        _: &UserId,
        _: &UserId,
        _: Duration,
    ) -> Result<String, ApiError> {
        self.fail().await
    }
    async fn mute_in_world(
        &self,
        _: &UserId,
        _: &UserId,
        _: Option<Duration>,
    ) -> Result<Option<ferrochat_domain::Timestamp>, ApiError> {
        self.fail().await
    }
    async fn set_sanction(
        &self,
        _: &UserId,
        _: &UserId,
        _: ferrochat_domain::Sanction,
        _: Option<Duration>,
    ) -> Result<Option<ferrochat_domain::Timestamp>, ApiError> {
        self.fail().await
    }
    async fn remove_message(
        &self,
        _: &UserId,
        _: &ConversationId,
        _: Seq,
    ) -> Result<ferrochat_domain::Ack, ApiError> {
        self.fail().await
    }
    async fn dissolve_group(&self, _: &UserId, _: &GroupId) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn audit_log(
        &self,
        _: &UserId,
        _: NewestFirst<AuditId>,
    ) -> Result<Vec<AuditEntry>, ApiError> {
        self.fail().await
    }
    async fn reports(&self, _: &UserId, _: ListReports) -> Result<Vec<Report>, ApiError> {
        self.fail().await
    }
    async fn resolve_report(&self, _: &UserId, _: &ReportId, _: Note) -> Result<Report, ApiError> {
        self.fail().await
    }
}

#[async_trait]
impl AttachmentsApi for Fake {
    async fn attachment_usage(&self, _: &UserId) -> Result<u64, ApiError> {
        self.fail().await
    }
    async fn add_attachment(&self, _: Attachment) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn attachment(&self, _: &UserId, _: &AttachmentId) -> Result<Attachment, ApiError> {
        self.fail().await
    }
    async fn bind_attachment(
        &self,
        _: &UserId,
        _: &AttachmentId,
        _: &ConversationId,
        _: AttachmentKind,
    ) -> Result<Attachment, ApiError> {
        self.fail().await
    }
    async fn unsent_attachments(
        &self,
        _: Timestamp,
        _: u32,
    ) -> Result<Vec<AttachmentId>, ApiError> {
        self.fail().await
    }
    async fn forget_unsent_attachment(&self, _: &AttachmentId) -> Result<bool, ApiError> {
        self.fail().await
    }
    async fn attachments_of(
        &self,
        _: &UserId,
        _: Option<&AttachmentId>,
        _: u32,
    ) -> Result<Vec<Attachment>, ApiError> {
        self.fail().await
    }
    async fn open_upload(&self, _: Upload) -> Result<(), ApiError> {
        self.fail().await
    }
    async fn upload(&self, _: &UserId, _: &AttachmentId) -> Result<Upload, ApiError> {
        self.fail().await
    }
    async fn advance_upload(
        &self,
        _: &UserId,
        _: &AttachmentId,
        _: u64,
        _: u64,
    ) -> Result<Upload, ApiError> {
        self.fail().await
    }
}
