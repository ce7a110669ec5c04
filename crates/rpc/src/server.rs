//! `LogicServer`: the API ports as the tonic service `LogicService`.
//!
//! Each rpc parses its request into domain types (a bad field is refused
//! with its name, as HTTP refuses it), calls the port, and turns the answer
//! or the `ApiError` into protobuf. Nothing else happens here: the rules
//! are logic's.

use std::sync::Arc;

use ferrochat_domain::InvalidField;
use ferrochat_ports::api::MembersList;
use ferrochat_ports::{
    AccountsApi, ApiError, AttachmentsApi, GroupsApi, MessagingApi, ModerationApi, SocialApi,
};
use ferrochat_proto::pb;
use ferrochat_proto::pb::logic_service_server::{LogicService, LogicServiceServer};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::status::to_status;

/// What the logic role serves: the four API ports.
#[derive(Clone)]
pub struct LogicApis {
    pub accounts: Arc<dyn AccountsApi>,
    pub messaging: Arc<dyn MessagingApi>,
    pub groups: Arc<dyn GroupsApi>,
    pub social: Arc<dyn SocialApi>,
    pub moderation: Arc<dyn ModerationApi>,
    pub attachments: Arc<dyn AttachmentsApi>,
}

/// The API ports as a tonic service.
#[derive(Clone)]
pub struct LogicServer {
    apis: LogicApis,
}

impl LogicServer {
    pub fn new(apis: LogicApis) -> Self {
        Self { apis }
    }

    pub fn into_service(self) -> LogicServiceServer<Self> {
        LogicServiceServer::new(self)
    }
}

/// Serves `server` on `listener` (already bound, so port 0 works; plain,
/// or behind internal TLS: `Listener::Tls`) until
/// `cancel`: then it stops accepting, finishes the calls in flight and
/// returns.
pub async fn serve(
    listener: impl Into<crate::Listener>,
    server: LogicServer,
    cancel: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    crate::listen::serve_service(listener.into(), server.into_service(), cancel).await
}

type Answer<T> = Result<Response<T>, Status>;

/// Parses a request into domain types; a bad field is refused as
/// `InvalidParams` (or `TooLarge`) naming the field.
fn parse<R, T>(
    request: Request<R>,
    parse: impl FnOnce(R) -> Result<T, InvalidField>,
) -> Result<T, Status> {
    parse(request.into_inner()).map_err(|e| to_status(&ApiError::from(e)))
}

/// A port's answer as protobuf, or its error as a status.
fn reply<T: 'static, P>(result: Result<T, ApiError>) -> Answer<P>
where
    P: for<'a> From<&'a T>,
{
    match result {
        Ok(v) => Ok(Response::new(P::from(&v))),
        Err(e) => Err(to_status(&e)),
    }
}

fn reply_with<T, P>(result: Result<T, ApiError>, to_pb: impl FnOnce(&T) -> P) -> Answer<P> {
    match result {
        Ok(v) => Ok(Response::new(to_pb(&v))),
        Err(e) => Err(to_status(&e)),
    }
}

fn empty<T>(_: &T) -> pb::Empty {
    pb::Empty {}
}

#[tonic::async_trait]
impl LogicService for LogicServer {
    // --- accounts ---

    async fn register(&self, r: Request<pb::RegisterRequest>) -> Answer<pb::User> {
        let cmd = parse(r, pb::RegisterRequest::parse)?;
        reply(self.apis.accounts.register(cmd).await)
    }

    async fn login(&self, r: Request<pb::LoginRequest>) -> Answer<pb::LoginResponse> {
        let cmd = parse(r, pb::LoginRequest::parse)?;
        reply(self.apis.accounts.login(cmd).await)
    }

    async fn refresh(&self, r: Request<pb::RefreshRequest>) -> Answer<pb::TokenPair> {
        let token = parse(r, pb::RefreshRequest::parse)?;
        reply(self.apis.accounts.refresh(&token).await)
    }

    async fn logout(&self, r: Request<pb::Principal>) -> Answer<pb::Empty> {
        let who = parse(r, pb::Principal::parse)?;
        reply_with(self.apis.accounts.logout(&who).await, empty)
    }

    async fn authenticate(&self, r: Request<pb::AuthenticateRequest>) -> Answer<pb::Principal> {
        let token = parse(r, pb::AuthenticateRequest::parse)?;
        reply(self.apis.accounts.authenticate(&token).await)
    }

    async fn get_user(&self, r: Request<pb::GetUserRequest>) -> Answer<pb::User> {
        let id = parse(r, pb::GetUserRequest::parse)?;
        reply(self.apis.accounts.user(&id).await)
    }

    async fn update_profile(&self, r: Request<pb::UpdateProfileRequest>) -> Answer<pb::User> {
        let (who, cmd) = parse(r, pb::UpdateProfileRequest::parse)?;
        reply(self.apis.accounts.update_profile(&who, cmd).await)
    }

    async fn search_users(&self, r: Request<pb::SearchUsersRequest>) -> Answer<pb::UsersResponse> {
        let (who, search) = parse(r, pb::SearchUsersRequest::parse)?;
        reply_with(self.apis.accounts.search_users(&who, search).await, |v| {
            pb::UsersResponse::from(v.as_slice())
        })
    }

    async fn sessions(&self, r: Request<pb::Principal>) -> Answer<pb::SessionsResponse> {
        let who = parse(r, pb::Principal::parse)?;
        reply_with(self.apis.accounts.sessions(&who).await, |v| {
            pb::SessionsResponse::from(v.as_slice())
        })
    }

    async fn end_session(&self, r: Request<pb::EndSessionRequest>) -> Answer<pb::Empty> {
        let (who, id) = parse(r, pb::EndSessionRequest::parse)?;
        reply_with(self.apis.accounts.end_session(&who, &id).await, empty)
    }

    async fn logout_others(&self, r: Request<pb::Principal>) -> Answer<pb::CountResponse> {
        let who = parse(r, pb::Principal::parse)?;
        reply_with(self.apis.accounts.logout_others(&who).await, |n| {
            pb::CountResponse::from(*n)
        })
    }

    async fn change_password(
        &self,
        r: Request<pb::ChangePasswordRequest>,
    ) -> Answer<pb::CountResponse> {
        let (who, cmd) = parse(r, pb::ChangePasswordRequest::parse)?;
        reply_with(self.apis.accounts.change_password(&who, cmd).await, |n| {
            pb::CountResponse::from(*n)
        })
    }

    async fn delete_account(&self, r: Request<pb::DeleteAccountRequest>) -> Answer<pb::Empty> {
        let (who, password) = parse(r, pb::DeleteAccountRequest::parse)?;
        reply_with(
            self.apis.accounts.delete_account(&who, password).await,
            empty,
        )
    }

    async fn reset_password(
        &self,
        r: Request<pb::ResetPasswordRequest>,
    ) -> Answer<pb::CountResponse> {
        let (token, new) = parse(r, pb::ResetPasswordRequest::parse)?;
        reply_with(self.apis.accounts.reset_password(&token, new).await, |n| {
            pb::CountResponse::from(*n)
        })
    }

    async fn register_device(
        &self,
        r: Request<pb::RegisterDeviceRequest>,
    ) -> Answer<pb::PushDevice> {
        let (who, cmd) = parse(r, pb::RegisterDeviceRequest::parse)?;
        reply(self.apis.accounts.register_device(&who, cmd).await)
    }

    async fn devices(&self, r: Request<pb::Principal>) -> Answer<pb::DevicesResponse> {
        let who = parse(r, pb::Principal::parse)?;
        reply_with(self.apis.accounts.devices(&who).await, |v| {
            pb::DevicesResponse::from(v.as_slice())
        })
    }

    async fn remove_device(&self, r: Request<pb::RemoveDeviceRequest>) -> Answer<pb::Empty> {
        let (who, id) = parse(r, pb::RemoveDeviceRequest::parse)?;
        reply_with(self.apis.accounts.remove_device(&who, &id).await, empty)
    }

    async fn oidc_provider(&self, _: Request<pb::Empty>) -> Answer<pb::OidcProviderResponse> {
        reply_with(self.apis.accounts.oidc_provider().await, |name| {
            pb::OidcProviderResponse { name: name.clone() }
        })
    }

    async fn oidc_authorization(
        &self,
        r: Request<pb::OidcAuthorizationRequest>,
    ) -> Answer<pb::OidcAuthorizationResponse> {
        let start = parse(r, pb::OidcAuthorizationRequest::parse)?;
        reply_with(self.apis.accounts.oidc_authorization(start).await, |url| {
            pb::OidcAuthorizationResponse { url: url.clone() }
        })
    }

    async fn oidc_login(&self, r: Request<pb::OidcLoginRequest>) -> Answer<pb::LoginResponse> {
        let finish = parse(r, pb::OidcLoginRequest::parse)?;
        reply(self.apis.accounts.oidc_login(finish).await)
    }

    // --- conversations and messages ---

    async fn resolve_target(
        &self,
        r: Request<pb::ResolveTargetRequest>,
    ) -> Answer<pb::ResolveTargetResponse> {
        let (who, target) = parse(r, pb::ResolveTargetRequest::parse)?;
        reply(self.apis.messaging.resolve_target(&who, &target).await)
    }

    async fn open_single(&self, r: Request<pb::OpenSingleRequest>) -> Answer<pb::ConversationView> {
        let (who, peer) = parse(r, pb::OpenSingleRequest::parse)?;
        reply(self.apis.messaging.open_single(&who, &peer).await)
    }

    async fn conversations(
        &self,
        r: Request<pb::CallerRequest>,
    ) -> Answer<pb::ConversationsResponse> {
        let who = parse(r, pb::CallerRequest::parse)?;
        reply_with(self.apis.messaging.conversations(&who).await, |v| {
            pb::ConversationsResponse::from(v.as_slice())
        })
    }

    async fn update_conversation(
        &self,
        r: Request<pb::UpdateConversationRequest>,
    ) -> Answer<pb::ConversationView> {
        let (who, id, cmd) = parse(r, pb::UpdateConversationRequest::parse)?;
        reply(
            self.apis
                .messaging
                .update_conversation(&who, &id, cmd)
                .await,
        )
    }

    async fn history(&self, r: Request<pb::HistoryRequest>) -> Answer<pb::HistoryResponse> {
        let (who, query) = parse(r, pb::HistoryRequest::parse)?;
        reply(self.apis.messaging.history(&who, query).await)
    }

    async fn search_messages(
        &self,
        r: Request<pb::SearchMessagesRequest>,
    ) -> Answer<pb::SearchMessagesResponse> {
        let (who, search) = parse(r, pb::SearchMessagesRequest::parse)?;
        reply(self.apis.messaging.search_messages(&who, search).await)
    }

    async fn unread(&self, r: Request<pb::CallerRequest>) -> Answer<pb::UnreadResponse> {
        let who = parse(r, pb::CallerRequest::parse)?;
        reply(self.apis.messaging.unread(&who).await)
    }

    async fn sync(&self, r: Request<pb::SyncRequest>) -> Answer<pb::SyncResponse> {
        let (who, req) = parse(r, pb::SyncRequest::parse)?;
        reply_with(self.apis.messaging.sync(&who, req).await, |v| {
            pb::SyncResponse::from(v.as_slice())
        })
    }

    async fn mark_read(&self, r: Request<pb::MarkReadRequest>) -> Answer<pb::Empty> {
        let (who, id, seq) = parse(r, pb::MarkReadRequest::parse)?;
        reply_with(self.apis.messaging.mark_read(&who, &id, seq).await, empty)
    }

    async fn typing(&self, r: Request<pb::TypingRequest>) -> Answer<pb::Empty> {
        let (who, id) = parse(r, pb::TypingRequest::parse)?;
        reply_with(self.apis.messaging.typing(&who, &id).await, empty)
    }

    // --- groups ---

    async fn create_group(&self, r: Request<pb::CreateGroupRequest>) -> Answer<pb::GroupView> {
        let (who, cmd) = parse(r, pb::CreateGroupRequest::parse)?;
        reply(self.apis.groups.create_group(&who, cmd).await)
    }

    async fn get_group(&self, r: Request<pb::GroupRequest>) -> Answer<pb::GroupView> {
        let (who, id) = parse(r, pb::GroupRequest::parse)?;
        reply(self.apis.groups.group(&who, &id).await)
    }

    async fn join_group(&self, r: Request<pb::GroupRequest>) -> Answer<pb::GroupView> {
        let (who, id) = parse(r, pb::GroupRequest::parse)?;
        reply(self.apis.groups.join_group(&who, &id).await)
    }

    async fn leave_group(&self, r: Request<pb::GroupRequest>) -> Answer<pb::Empty> {
        let (who, id) = parse(r, pb::GroupRequest::parse)?;
        reply_with(self.apis.groups.leave_group(&who, &id).await, empty)
    }

    async fn members(&self, r: Request<pb::MembersPageRequest>) -> Answer<pb::MembersResponse> {
        let (who, id, page) = parse(r, pb::MembersPageRequest::parse)?;
        reply_with(
            self.apis.groups.members(&who, &id, page).await,
            |list: &MembersList| pb::MembersResponse::from(list),
        )
    }

    async fn add_members(&self, r: Request<pb::AddMembersRequest>) -> Answer<pb::MembersResponse> {
        let (who, id, users) = parse(r, pb::AddMembersRequest::parse)?;
        reply_with(self.apis.groups.add_members(&who, &id, users).await, |v| {
            pb::MembersResponse::from(v.as_slice())
        })
    }

    async fn kick(&self, r: Request<pb::MemberRequest>) -> Answer<pb::Empty> {
        let (who, id, user) = parse(r, pb::MemberRequest::parse)?;
        reply_with(self.apis.groups.kick(&who, &id, &user).await, empty)
    }

    async fn update_member(&self, r: Request<pb::UpdateMemberRequest>) -> Answer<pb::GroupMember> {
        let (who, id, user, cmd) = parse(r, pb::UpdateMemberRequest::parse)?;
        reply(self.apis.groups.update_member(&who, &id, &user, cmd).await)
    }

    async fn transfer(&self, r: Request<pb::MemberRequest>) -> Answer<pb::GroupView> {
        let (who, id, to) = parse(r, pb::MemberRequest::parse)?;
        reply(self.apis.groups.transfer(&who, &id, &to).await)
    }

    async fn update_group(&self, r: Request<pb::UpdateGroupRequest>) -> Answer<pb::GroupView> {
        let (who, id, change) = parse(r, pb::UpdateGroupRequest::parse)?;
        reply(self.apis.groups.update_group(&who, &id, change).await)
    }

    async fn dissolve(&self, r: Request<pb::GroupRequest>) -> Answer<pb::Empty> {
        let (who, id) = parse(r, pb::GroupRequest::parse)?;
        reply_with(self.apis.groups.dissolve(&who, &id).await, empty)
    }

    // --- friends, blocks, presence ---

    async fn request_friend(
        &self,
        r: Request<pb::RequestFriendRequest>,
    ) -> Answer<pb::FriendRequest> {
        let (who, to, message) = parse(r, pb::RequestFriendRequest::parse)?;
        reply(self.apis.social.request_friend(&who, &to, message).await)
    }

    async fn friend_requests(&self, r: Request<pb::CallerRequest>) -> Answer<pb::PendingRequests> {
        let who = parse(r, pb::CallerRequest::parse)?;
        reply(self.apis.social.friend_requests(&who).await)
    }

    async fn answer_request(
        &self,
        r: Request<pb::AnswerRequestRequest>,
    ) -> Answer<pb::FriendRequest> {
        let (who, id, accept) = parse(r, pb::AnswerRequestRequest::parse)?;
        reply(self.apis.social.answer_request(&who, &id, accept).await)
    }

    async fn friends(&self, r: Request<pb::CallerRequest>) -> Answer<pb::FriendsResponse> {
        let who = parse(r, pb::CallerRequest::parse)?;
        reply_with(self.apis.social.friends(&who).await, |v| {
            pb::FriendsResponse::from(v.as_slice())
        })
    }

    async fn remove_friend(&self, r: Request<pb::PeerRequest>) -> Answer<pb::Empty> {
        let (who, friend) = parse(r, pb::PeerRequest::parse)?;
        reply_with(self.apis.social.remove_friend(&who, &friend).await, empty)
    }

    async fn set_block(&self, r: Request<pb::SetBlockRequest>) -> Answer<pb::Empty> {
        let (who, other, on) = parse(r, pb::SetBlockRequest::parse)?;
        reply_with(self.apis.social.set_block(&who, &other, on).await, empty)
    }

    async fn came_online(&self, r: Request<pb::CallerRequest>) -> Answer<pb::Empty> {
        let who = parse(r, pb::CallerRequest::parse)?;
        self.apis.social.came_online(&who).await;
        Ok(Response::new(pb::Empty {}))
    }

    async fn went_offline(&self, r: Request<pb::CallerRequest>) -> Answer<pb::Empty> {
        let who = parse(r, pb::CallerRequest::parse)?;
        self.apis.social.went_offline(&who).await;
        Ok(Response::new(pb::Empty {}))
    }

    // --- reports and administrators ---

    async fn file_report(&self, r: Request<pb::FileReportRequest>) -> Answer<pb::Report> {
        let (who, target, reason) = parse(r, pb::FileReportRequest::parse)?;
        reply(self.apis.moderation.report(&who, target, reason).await)
    }

    async fn admin_list_users(
        &self,
        r: Request<pb::AdminListUsersRequest>,
    ) -> Answer<pb::UsersResponse> {
        let (who, list) = parse(r, pb::AdminListUsersRequest::parse)?;
        reply_with(self.apis.moderation.list_users(&who, list).await, |v| {
            pb::UsersResponse::from(v.as_slice())
        })
    }

    async fn admin_set_disabled(
        &self,
        r: Request<pb::AdminSetDisabledRequest>,
    ) -> Answer<pb::User> {
        let (who, user, disabled, duration) = parse(r, pb::AdminSetDisabledRequest::parse)?;
        reply(
            self.apis
                .moderation
                .set_disabled(&who, &user, disabled, duration)
                .await,
        )
    }

    async fn admin_password_reset(
        &self,
        r: Request<pb::AdminPasswordResetRequest>,
    ) -> Answer<pb::ResetTokenResponse> {
        let (who, user, valid_for) = parse(r, pb::AdminPasswordResetRequest::parse)?;
        reply(
            self.apis
                .moderation
                .issue_password_reset(&who, &user, valid_for)
                .await,
        )
    }

    async fn admin_mute_in_world(
        &self,
        r: Request<pb::AdminMuteInWorldRequest>,
    ) -> Answer<pb::MutedUntilResponse> {
        let (who, user, duration) = parse(r, pb::AdminMuteInWorldRequest::parse)?;
        reply(
            self.apis
                .moderation
                .mute_in_world(&who, &user, duration)
                .await,
        )
    }

    async fn admin_set_sanction(
        &self,
        r: Request<pb::AdminSetSanctionRequest>,
    ) -> Answer<pb::MutedUntilResponse> {
        let (who, user, sanction, duration) = parse(r, pb::AdminSetSanctionRequest::parse)?;
        reply(
            self.apis
                .moderation
                .set_sanction(&who, &user, sanction, duration)
                .await,
        )
    }

    async fn admin_remove_message(
        &self,
        r: Request<pb::AdminRemoveMessageRequest>,
    ) -> Answer<pb::Ack> {
        let (who, conversation, seq) = parse(r, pb::AdminRemoveMessageRequest::parse)?;
        reply(
            self.apis
                .moderation
                .remove_message(&who, &conversation, seq)
                .await,
        )
    }

    async fn admin_dissolve_group(&self, r: Request<pb::GroupRequest>) -> Answer<pb::Empty> {
        let (who, group) = parse(r, pb::GroupRequest::parse)?;
        reply_with(
            self.apis.moderation.dissolve_group(&who, &group).await,
            empty,
        )
    }

    async fn admin_audit_log(&self, r: Request<pb::AdminPageRequest>) -> Answer<pb::AuditEntries> {
        let (who, page) = parse(r, pb::AdminPageRequest::parse_audit)?;
        reply_with(self.apis.moderation.audit_log(&who, page).await, |v| {
            pb::AuditEntries::from(v.as_slice())
        })
    }

    async fn admin_reports(&self, r: Request<pb::AdminReportsRequest>) -> Answer<pb::Reports> {
        let (who, list) = parse(r, pb::AdminReportsRequest::parse)?;
        reply_with(self.apis.moderation.reports(&who, list).await, |v| {
            pb::Reports::from(v.as_slice())
        })
    }

    async fn admin_resolve_report(
        &self,
        r: Request<pb::AdminResolveReportRequest>,
    ) -> Answer<pb::Report> {
        let (who, id, note) = parse(r, pb::AdminResolveReportRequest::parse)?;
        reply(self.apis.moderation.resolve_report(&who, &id, note).await)
    }

    // --- attachments ---

    async fn attachment_usage(
        &self,
        r: Request<pb::CallerRequest>,
    ) -> Answer<pb::AttachmentUsageAnswer> {
        let who = parse(r, pb::CallerRequest::parse)?;
        reply(self.apis.attachments.attachment_usage(&who).await)
    }

    async fn add_attachment(&self, r: Request<pb::Attachment>) -> Answer<pb::Empty> {
        let attachment = parse(r, pb::Attachment::parse)?;
        reply_with(
            self.apis.attachments.add_attachment(attachment).await,
            empty,
        )
    }

    async fn get_attachment(&self, r: Request<pb::AttachmentRequest>) -> Answer<pb::Attachment> {
        let (who, id) = parse(r, pb::AttachmentRequest::parse)?;
        reply(self.apis.attachments.attachment(&who, &id).await)
    }

    async fn bind_attachment(
        &self,
        r: Request<pb::BindAttachmentRequest>,
    ) -> Answer<pb::Attachment> {
        let (who, id, conversation, kind) = parse(r, pb::BindAttachmentRequest::parse)?;
        reply(
            self.apis
                .attachments
                .bind_attachment(&who, &id, &conversation, kind)
                .await,
        )
    }

    async fn unsent_attachments(
        &self,
        r: Request<pb::UnsentAttachmentsRequest>,
    ) -> Answer<pb::AttachmentIds> {
        let (before, limit) = parse(r, |q| Ok(q.parse()))?;
        reply(
            self.apis
                .attachments
                .unsent_attachments(before, limit)
                .await,
        )
    }

    async fn forget_unsent_attachment(
        &self,
        r: Request<pb::AttachmentRequest>,
    ) -> Answer<pb::AttachmentForgotten> {
        let id = parse(r, pb::AttachmentRequest::parse_id)?;
        reply(self.apis.attachments.forget_unsent_attachment(&id).await)
    }

    async fn attachments_of(
        &self,
        r: Request<pb::AttachmentsOfRequest>,
    ) -> Answer<pb::AttachmentList> {
        let (who, after, limit) = parse(r, pb::AttachmentsOfRequest::parse)?;
        reply(
            self.apis
                .attachments
                .attachments_of(&who, after.as_ref(), limit)
                .await,
        )
    }

    async fn open_upload(&self, r: Request<pb::Upload>) -> Answer<pb::Empty> {
        let upload = parse(r, pb::Upload::parse)?;
        reply_with(self.apis.attachments.open_upload(upload).await, empty)
    }

    async fn get_upload(&self, r: Request<pb::AttachmentRequest>) -> Answer<pb::Upload> {
        let (who, id) = parse(r, pb::AttachmentRequest::parse)?;
        reply(self.apis.attachments.upload(&who, &id).await)
    }

    async fn advance_upload(&self, r: Request<pb::AdvanceUploadRequest>) -> Answer<pb::Upload> {
        let (who, id, from, to) = parse(r, pb::AdvanceUploadRequest::parse)?;
        reply(
            self.apis
                .attachments
                .advance_upload(&who, &id, from, to)
                .await,
        )
    }
}
