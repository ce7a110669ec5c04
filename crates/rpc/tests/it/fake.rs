//! A logic that answers every call with one configurable error and counts
//! its calls, served on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ferrochat_domain::commands::{
    CreateGroup, History, Login, Register, SyncRequest, UpdateConversation, UpdateMember,
    UpdateProfile,
};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{
    ConversationId, ErrorKind, GroupId, LoginOutcome, Principal, RequestId, SendTarget, Seq,
    TokenPair, User, UserId,
};
use ferrochat_ports::api::{
    Friend, GroupMember, GroupView, HistoryPage, SyncConversation, UnreadSummary,
};
use ferrochat_ports::store::PendingRequests;
use ferrochat_ports::{AccountsApi, ApiError, GroupsApi, MessagingApi, SocialApi};
use ferrochat_rpc::{LogicApis, LogicServer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct Fake {
    error: Mutex<ApiError>,
    calls: AtomicUsize,
}

impl Fake {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            error: Mutex::new(ApiError::new(ErrorKind::NotFound, "nothing here")),
            calls: AtomicUsize::new(0),
        })
    }

    pub fn answer(&self, error: ApiError) {
        *self.error.lock().unwrap() = error;
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn fail<T>(&self) -> Result<T, ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
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
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let apis = LogicApis {
        accounts: fake.clone(),
        messaging: fake.clone(),
        groups: fake.clone(),
        social: fake,
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
        self.fail()
    }
    async fn login(&self, _: Login) -> Result<LoginOutcome, ApiError> {
        self.fail()
    }
    async fn refresh(&self, _: &str) -> Result<TokenPair, ApiError> {
        self.fail()
    }
    async fn logout(&self, _: &Principal) -> Result<(), ApiError> {
        self.fail()
    }
    async fn authenticate(&self, _: &str) -> Result<Principal, ApiError> {
        self.fail()
    }
    async fn user(&self, _: &UserId) -> Result<User, ApiError> {
        self.fail()
    }
    async fn update_profile(&self, _: &UserId, _: UpdateProfile) -> Result<User, ApiError> {
        self.fail()
    }
}

#[async_trait]
impl MessagingApi for Fake {
    async fn resolve_target(&self, _: &UserId, _: &SendTarget) -> Result<ConversationId, ApiError> {
        self.fail()
    }
    async fn open_single(&self, _: &UserId, _: &UserId) -> Result<ConversationView, ApiError> {
        self.fail()
    }
    async fn conversations(&self, _: &UserId) -> Result<Vec<ConversationView>, ApiError> {
        self.fail()
    }
    async fn update_conversation(
        &self,
        _: &UserId,
        _: &ConversationId,
        _: UpdateConversation,
    ) -> Result<ConversationView, ApiError> {
        self.fail()
    }
    async fn history(&self, _: &UserId, _: History) -> Result<HistoryPage, ApiError> {
        self.fail()
    }
    async fn unread(&self, _: &UserId) -> Result<UnreadSummary, ApiError> {
        self.fail()
    }
    async fn sync(&self, _: &UserId, _: SyncRequest) -> Result<Vec<SyncConversation>, ApiError> {
        self.fail()
    }
    async fn mark_read(&self, _: &UserId, _: &ConversationId, _: Seq) -> Result<(), ApiError> {
        self.fail()
    }
    async fn typing(&self, _: &UserId, _: &ConversationId) -> Result<(), ApiError> {
        self.fail()
    }
}

#[async_trait]
impl GroupsApi for Fake {
    async fn create_group(&self, _: &UserId, _: CreateGroup) -> Result<GroupView, ApiError> {
        self.fail()
    }
    async fn group(&self, _: &UserId, _: &GroupId) -> Result<GroupView, ApiError> {
        self.fail()
    }
    async fn join_group(&self, _: &UserId, _: &GroupId) -> Result<GroupView, ApiError> {
        self.fail()
    }
    async fn leave_group(&self, _: &UserId, _: &GroupId) -> Result<(), ApiError> {
        self.fail()
    }
    async fn members(&self, _: &UserId, _: &GroupId) -> Result<Vec<GroupMember>, ApiError> {
        self.fail()
    }
    async fn add_members(
        &self,
        _: &UserId,
        _: &GroupId,
        _: Vec<UserId>,
    ) -> Result<Vec<GroupMember>, ApiError> {
        self.fail()
    }
    async fn kick(&self, _: &UserId, _: &GroupId, _: &UserId) -> Result<(), ApiError> {
        self.fail()
    }
    async fn update_member(
        &self,
        _: &UserId,
        _: &GroupId,
        _: &UserId,
        _: UpdateMember,
    ) -> Result<GroupMember, ApiError> {
        self.fail()
    }
    async fn transfer(&self, _: &UserId, _: &GroupId, _: &UserId) -> Result<GroupView, ApiError> {
        self.fail()
    }
    async fn dissolve(&self, _: &UserId, _: &GroupId) -> Result<(), ApiError> {
        self.fail()
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
        self.fail()
    }
    async fn friend_requests(&self, _: &UserId) -> Result<PendingRequests, ApiError> {
        self.fail()
    }
    async fn answer_request(
        &self,
        _: &UserId,
        _: &RequestId,
        _: bool,
    ) -> Result<FriendRequest, ApiError> {
        self.fail()
    }
    async fn friends(&self, _: &UserId) -> Result<Vec<Friend>, ApiError> {
        self.fail()
    }
    async fn remove_friend(&self, _: &UserId, _: &UserId) -> Result<(), ApiError> {
        self.fail()
    }
    async fn set_block(&self, _: &UserId, _: &UserId, _: bool) -> Result<(), ApiError> {
        self.fail()
    }
    async fn came_online(&self, _: &UserId) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    async fn went_offline(&self, _: &UserId) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}
