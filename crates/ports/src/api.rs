//! Role APIs: what the gateway asks of logic. Embedded, these are direct
//! calls into the logic role; in a cluster, a gRPC client implements them.

use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::attachments::{Attachment, AttachmentKind, Upload};
use ferrochat_domain::commands::{
    ChangePassword, CreateGroup, History, Login, Register, SearchUsers, SyncRequest,
    UpdateConversation, UpdateGroup, UpdateMember, UpdateProfile,
};
use ferrochat_domain::groups::{Group, MembersPage, Role};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::moderation::{
    AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget,
};
use ferrochat_domain::oidc::{OidcFinish, OidcStart};
use ferrochat_domain::push::{Device, RegisterDevice};
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{
    Ack, AttachmentId, AuditId, Authenticated, ConversationId, ErrorKind, GroupId, InvalidField,
    LoginOutcome, Message, Password, Principal, PushDeviceId, ReportId, RequestId, Sanction,
    SendTarget, Seq, SessionId, Timestamp, TokenPair, User, UserId,
};

use crate::store::{PendingRequests, SessionInfo};

/// An error as the contract sees it: a kind (which becomes the code) and a
/// message a client may read. Internal causes are logged where they happen
/// and never travel in `message`. A refusal that knows how long the client
/// should wait says so in `retry_after` (`retry_after_ms` on the wire,
/// `Retry-After` over HTTP).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same error, telling the client to wait `wait` before trying
    /// again.
    pub fn with_retry_after(self, wait: Duration) -> Self {
        Self {
            retry_after: Some(wait),
            ..self
        }
    }

    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, "internal error")
    }

    /// 1009: try again later; a send keeps its `client_msg_id`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
}

impl From<InvalidField> for ApiError {
    fn from(e: InvalidField) -> Self {
        Self::new(e.kind(), e.to_string())
    }
}

/// Accounts, sessions and tokens (docs/protocol.md, "Accounts").
#[async_trait]
pub trait AccountsApi: Send + Sync + 'static {
    async fn register(&self, cmd: Register) -> Result<User, ApiError>;
    /// A wrong password and an unknown user give the same error.
    async fn login(&self, cmd: Login) -> Result<LoginOutcome, ApiError>;
    /// Rotates the refresh token. Presenting a token that was already
    /// rotated revokes its whole session (reuse detection).
    async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError>;
    async fn logout(&self, who: &Principal) -> Result<(), ApiError>;
    /// Verifies an access token: signature, expiry and that its session is
    /// still live.
    async fn authenticate(&self, access_token: &str) -> Result<Authenticated, ApiError>;
    async fn user(&self, id: &UserId) -> Result<User, ApiError>;
    async fn update_profile(&self, id: &UserId, cmd: UpdateProfile) -> Result<User, ApiError>;
    /// The user directory as `who` may see it (`AccountStore::search_users`).
    async fn search_users(&self, who: &UserId, search: SearchUsers) -> Result<Vec<User>, ApiError>;
    /// `who`'s live sessions, most recently seen first (at most
    /// `MAX_LISTED_SESSIONS`).
    async fn sessions(&self, who: &Principal) -> Result<Vec<SessionInfo>, ApiError>;
    /// Ends one of `who`'s sessions, this one too, as logout does: its
    /// tokens stop working at once and its sockets are closed. Not found
    /// if `id` is no session of theirs.
    async fn end_session(&self, who: &Principal, id: &SessionId) -> Result<(), ApiError>;
    /// Ends every session of `who`'s but this one; answers how many.
    async fn logout_others(&self, who: &Principal) -> Result<u32, ApiError>;
    /// Forbidden if the current password is wrong; otherwise sets the new
    /// one and ends every other session; answers how many.
    async fn change_password(&self, who: &Principal, cmd: ChangePassword) -> Result<u32, ApiError>;
    /// Forbidden if the password is wrong; conflict if `who` owns a group
    /// (transfer or dissolve it first). Otherwise leaves every group and
    /// erases the account (`AccountStore::erase_user`): every session
    /// ends, as logout ends one.
    async fn delete_account(&self, who: &Principal, password: Password) -> Result<(), ApiError>;
    /// Sets a new password with a reset token an operator issued
    /// (unauthorized if it is not valid, was used, or expired); every
    /// session of the user's ends; answers how many.
    async fn reset_password(&self, token: &str, new: Password) -> Result<u32, ApiError>;
    /// Registers a push token for `who`'s session, replacing the one it
    /// had (docs/protocol.md, "Devices").
    async fn register_device(
        &self,
        who: &Principal,
        cmd: RegisterDevice,
    ) -> Result<Device, ApiError>;
    /// `who`'s registered devices, of every live session of theirs.
    async fn devices(&self, who: &Principal) -> Result<Vec<Device>, ApiError>;
    /// Not found if `id` is no device of `who`'s.
    async fn remove_device(&self, who: &Principal, id: &PushDeviceId) -> Result<(), ApiError>;
    /// The name of the OpenID provider users may log in with
    /// (`[auth.oidc]`); not found when none is configured.
    async fn oidc_provider(&self) -> Result<String, ApiError>;
    /// Where to send the browser to log in at the provider (its
    /// authorization endpoint, with `start`'s values); not found when none
    /// is configured, unavailable while the provider cannot be reached.
    async fn oidc_authorization(&self, start: OidcStart) -> Result<String, ApiError>;
    /// Redeems the provider's code (with the PKCE verifier), checks the ID
    /// token it answers (signature, issuer, audience, expiry, `nonce`) and
    /// logs in the account linked to its subject, made on first sight, as
    /// a password login does. Unauthorized when the provider refuses the
    /// code or the token does not hold.
    async fn oidc_login(&self, finish: OidcFinish) -> Result<LoginOutcome, ApiError>;
}

/// The most sessions `AccountsApi::sessions` lists.
pub const MAX_LISTED_SESSIONS: u32 = 100;

/// One page of history.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    pub has_more: bool,
}

#[derive(Debug, Clone)]
pub struct UnreadSummary {
    pub total: u64,
    /// Only conversations with something unread.
    pub conversations: Vec<(ConversationId, u64)>,
}

#[derive(Debug, Clone)]
pub struct SyncConversation {
    pub conversation_id: ConversationId,
    pub messages: Vec<Message>,
    pub has_more: bool,
}

/// Conversations, history, cursors (docs/protocol.md, "Conversations and
/// messages"). Sends do not go through here: they travel on the bus.
#[async_trait]
pub trait MessagingApi: Send + Sync + 'static {
    /// The conversation a send goes to: checks the target exists and the
    /// sender may write there; creates a single conversation if needed.
    async fn resolve_target(
        &self,
        who: &UserId,
        target: &SendTarget,
    ) -> Result<ConversationId, ApiError>;
    async fn open_single(&self, who: &UserId, peer: &UserId) -> Result<ConversationView, ApiError>;
    async fn conversations(&self, who: &UserId) -> Result<Vec<ConversationView>, ApiError>;
    async fn update_conversation(
        &self,
        who: &UserId,
        id: &ConversationId,
        cmd: UpdateConversation,
    ) -> Result<ConversationView, ApiError>;
    async fn history(&self, who: &UserId, query: History) -> Result<HistoryPage, ApiError>;
    /// `who`'s messages that match `search` (`MessageStore::search_messages`).
    async fn search_messages(
        &self,
        who: &UserId,
        search: SearchMessages,
    ) -> Result<SearchPage, ApiError>;
    async fn unread(&self, who: &UserId) -> Result<UnreadSummary, ApiError>;
    async fn sync(&self, who: &UserId, req: SyncRequest)
        -> Result<Vec<SyncConversation>, ApiError>;
    /// Moves the read cursor and tells the other members.
    async fn mark_read(&self, who: &UserId, id: &ConversationId, seq: Seq) -> Result<(), ApiError>;
    /// Tells the other online members that `who` is typing.
    async fn typing(&self, who: &UserId, id: &ConversationId) -> Result<(), ApiError>;
}

/// A group as one member sees it.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Group,
    pub my_role: Option<Role>,
}

/// Groups (docs/protocol.md, "Groups").
#[async_trait]
pub trait GroupsApi: Send + Sync + 'static {
    async fn create_group(&self, who: &UserId, cmd: CreateGroup) -> Result<GroupView, ApiError>;
    async fn group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError>;
    async fn join_group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError>;
    async fn leave_group(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError>;
    /// Members only; a page in user id order.
    async fn members(
        &self,
        who: &UserId,
        id: &GroupId,
        page: MembersPage,
    ) -> Result<MembersList, ApiError>;
    /// Owner or admin. Returns the members actually added.
    async fn add_members(
        &self,
        who: &UserId,
        id: &GroupId,
        users: Vec<UserId>,
    ) -> Result<Vec<GroupMember>, ApiError>;
    async fn kick(&self, who: &UserId, id: &GroupId, user: &UserId) -> Result<(), ApiError>;
    async fn update_member(
        &self,
        who: &UserId,
        id: &GroupId,
        user: &UserId,
        cmd: UpdateMember,
    ) -> Result<GroupMember, ApiError>;
    async fn transfer(
        &self,
        who: &UserId,
        id: &GroupId,
        to: &UserId,
    ) -> Result<GroupView, ApiError>;
    /// Owner or admin: the group's name, description, join policy, avatar
    /// or announcement.
    async fn update_group(
        &self,
        who: &UserId,
        id: &GroupId,
        cmd: UpdateGroup,
    ) -> Result<GroupView, ApiError>;
    async fn dissolve(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError>;
}

/// One member of a group, as the members list shows it.
#[derive(Debug, Clone)]
pub struct GroupMember {
    pub user_id: UserId,
    pub role: Role,
    pub muted_until: Option<Timestamp>,
}

/// A page of a group's members; `has_more` when members follow the last.
#[derive(Debug, Clone)]
pub struct MembersList {
    pub members: Vec<GroupMember>,
    pub has_more: bool,
}

/// A friend, with whether they are online now.
#[derive(Debug, Clone)]
pub struct Friend {
    pub user: User,
    pub online: bool,
}

/// Friends, friend requests, blocks and presence (docs/protocol.md, "Friends
/// and blocks").
#[async_trait]
pub trait SocialApi: Send + Sync + 'static {
    /// Sends a request, or accepts theirs if `to` already asked `who`.
    async fn request_friend(
        &self,
        who: &UserId,
        to: &UserId,
        message: RequestMessage,
    ) -> Result<FriendRequest, ApiError>;
    async fn friend_requests(&self, who: &UserId) -> Result<PendingRequests, ApiError>;
    async fn answer_request(
        &self,
        who: &UserId,
        id: &RequestId,
        accept: bool,
    ) -> Result<FriendRequest, ApiError>;
    async fn friends(&self, who: &UserId) -> Result<Vec<Friend>, ApiError>;
    async fn remove_friend(&self, who: &UserId, friend: &UserId) -> Result<(), ApiError>;
    async fn set_block(&self, who: &UserId, other: &UserId, on: bool) -> Result<(), ApiError>;
    /// The gateway opened `who`'s first connection.
    async fn came_online(&self, who: &UserId);
    /// The gateway closed `who`'s last connection.
    async fn went_offline(&self, who: &UserId);
}

/// Users' reports, and what administrators do (docs/protocol.md,
/// "Administration"). Every method but `report` is for a user holding the
/// admin role (granted with `ferrochat admin grant`), forbidden to anyone
/// else; each of their actions is appended to the audit log.
#[async_trait]
pub trait ModerationApi: Send + Sync + 'static {
    /// Any user: reports a user, or a message of a conversation they are
    /// in; at most `MAX_REPORTS_PER_HOUR` an hour.
    async fn report(
        &self,
        who: &UserId,
        target: ReportTarget,
        reason: Note,
    ) -> Result<Report, ApiError>;
    /// Every account (deleted ones aside), with its role and state.
    async fn list_users(&self, who: &UserId, list: ListUsers) -> Result<Vec<User>, ApiError>;
    /// Disables an account for `duration` (`None`: until enabled), or
    /// enables it (`disabled` false; `duration` unused); disabling ends
    /// every session of its (tokens refused, sockets closed 4001). Answers
    /// the account as it is now. Nobody disables their own.
    async fn set_disabled(
        &self,
        who: &UserId,
        user: &UserId,
        disabled: bool,
        duration: Option<Duration>,
    ) -> Result<User, ApiError>;
    /// A one-time password reset token for `user`
    /// (`POST /api/v1/auth/password/reset`), valid for `valid_for`.
    async fn issue_password_reset(
        &self,
        who: &UserId,
        user: &UserId,
        valid_for: Duration,
    ) -> Result<String, ApiError>;
    /// Mutes `user` in the world room for `duration` (`None`: unmutes):
    /// their sends there are refused until then. Answers until when.
    async fn mute_in_world(
        &self,
        who: &UserId,
        user: &UserId,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError>;
    /// Sets `sanction` on `user` for `duration` (`None`: lifts it): a
    /// mute refuses their sends everywhere, a world ban closes the world
    /// room to them (no reading, writing or deliveries). Answers until
    /// when.
    async fn set_sanction(
        &self,
        who: &UserId,
        user: &UserId,
        sanction: Sanction,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError>;
    /// Recalls any message of any conversation, member or not: the
    /// message is erased as its sender's recall erases it, and its
    /// conversation's members are told. Answers the recall's ack.
    async fn remove_message(
        &self,
        who: &UserId,
        conversation: &ConversationId,
        seq: Seq,
    ) -> Result<Ack, ApiError>;
    /// Dissolves any group, as its owner could.
    async fn dissolve_group(&self, who: &UserId, group: &GroupId) -> Result<(), ApiError>;
    async fn audit_log(
        &self,
        who: &UserId,
        page: NewestFirst<AuditId>,
    ) -> Result<Vec<AuditEntry>, ApiError>;
    async fn reports(&self, who: &UserId, list: ListReports) -> Result<Vec<Report>, ApiError>;
    /// Closes a report with a note; a report resolved already keeps its
    /// first resolution.
    async fn resolve_report(
        &self,
        who: &UserId,
        id: &ReportId,
        note: Note,
    ) -> Result<Report, ApiError>;
}

/// How many reports a user may make in an hour.
pub const MAX_REPORTS_PER_HOUR: u32 = 20;
/// 1001 for a chunk sent at an offset its upload is not at: names the
/// offset to send from.
pub fn upload_offset_mismatch(sent: u64, expected: u64) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidParams,
        format!("Upload-Offset: the upload is at {expected}, not {sent}; send from {expected}"),
    )
}

/// Attachments' metadata and who may read them (docs/protocol.md,
/// "Attachments"). The bytes never pass through here: the gateway streams
/// them to object storage itself (the `Attachments` port).
#[async_trait]
pub trait AttachmentsApi: Send + Sync + 'static {
    /// The bytes `who`'s attachments take (the gateway holds the quota).
    async fn attachment_usage(&self, who: &UserId) -> Result<u64, ApiError>;
    /// Records an uploaded file's metadata (its bytes are stored already).
    async fn add_attachment(&self, attachment: Attachment) -> Result<(), ApiError>;
    /// The attachment if `who` may read it: its owner while it is unsent,
    /// the members of the conversation it was sent in afterwards. Not
    /// found (1003) if there is none, forbidden (1005) if not theirs.
    async fn attachment(&self, who: &UserId, id: &AttachmentId) -> Result<Attachment, ApiError>;
    /// Binds `who`'s attachment `id` to `conversation` for a send of
    /// `kind`: not found if unknown, forbidden if someone else's or sent in
    /// another conversation, invalid if its type does not fit the kind.
    /// Sending it again in the same conversation is allowed.
    async fn bind_attachment(
        &self,
        who: &UserId,
        id: &AttachmentId,
        conversation: &ConversationId,
        kind: AttachmentKind,
    ) -> Result<Attachment, ApiError>;
    /// Attachments never sent and uploads never finished, created before
    /// `before`, at most `limit`.
    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, ApiError>;
    /// Forgets the metadata of `id` if it is still unsent (or the upload
    /// `id` under way); false if it was sent meanwhile.
    async fn forget_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, ApiError>;
    /// `who`'s attachments, sent or not, in id order after `after`, at
    /// most `limit` (for their data export).
    async fn attachments_of(
        &self,
        who: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, ApiError>;
    /// Records a chunked upload being opened (the gateway checked its size
    /// against the limits and the quota).
    async fn open_upload(&self, upload: Upload) -> Result<(), ApiError>;
    /// `who`'s upload `id`; not found (1003) if there is none or it is
    /// someone else's.
    async fn upload(&self, who: &UserId, id: &AttachmentId) -> Result<Upload, ApiError>;
    /// Moves `who`'s upload `id` from `from` bytes received to `to` (a
    /// chunk stored): not found as `upload`, invalid (1001, naming the
    /// offset the upload is at) if it is not at `from`.
    async fn advance_upload(
        &self,
        who: &UserId,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<Upload, ApiError>;
}
