//! `RepoServer`: the store port as the tonic service `RepoService`.
//!
//! Each rpc parses its request into the port's types (a bad field is
//! refused with INVALID_ARGUMENT naming it), calls the store and turns the
//! answer or the `StoreError` into protobuf (`store_status.rs`). Nothing
//! else happens here: the rules are the store's.

use std::sync::Arc;

use ferrochat_domain::moderation::{AuditEntry, Report};
use ferrochat_domain::AuditId;
use ferrochat_ports::store::Bound;
use ferrochat_ports::{Store, StoreError};
use ferrochat_proto::pb;
use ferrochat_proto::pb::repo_service_server::{RepoService, RepoServiceServer};
use ferrochat_proto::DecodeError;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::store_status::{refused, store_to_status};

/// A commit batch holds up to a few hundred messages of up to logic's
/// `messaging.max_content_bytes` each: tonic's default of 4 MiB is too
/// small for it, as it is for a large group's member list.
pub(crate) const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// The store port as a tonic service.
#[derive(Clone)]
pub struct RepoServer {
    store: Arc<dyn Store>,
}

impl RepoServer {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    pub fn into_service(self) -> RepoServiceServer<Self> {
        RepoServiceServer::new(self)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }
}

/// Serves `server` on `listener` (already bound, so port 0 works; plain,
/// or behind internal TLS: `Listener::Tls`) until
/// `cancel`: then it stops accepting, finishes the calls in flight and
/// returns. The store stays open: its owner closes it after this returns.
pub async fn serve_repo(
    listener: impl Into<crate::Listener>,
    server: RepoServer,
    cancel: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    crate::listen::serve_service(listener.into(), server.into_service(), cancel).await
}

type Answer<T> = Result<Response<T>, Status>;

/// Parses a request into the port's types; a bad field is refused.
fn parse<R, T>(
    request: Request<R>,
    parse: impl FnOnce(R) -> Result<T, DecodeError>,
) -> Result<T, Status> {
    parse(request.into_inner()).map_err(|e| refused(&e))
}

/// The store's answer as protobuf, or its error as a status.
fn answer<T, P>(result: Result<T, StoreError>) -> Answer<P>
where
    P: for<'a> From<&'a T>,
{
    reply(result, |v| P::from(v))
}

/// As [`answer`], with the conversion given.
fn reply<T, P>(result: Result<T, StoreError>, to_pb: impl FnOnce(&T) -> P) -> Answer<P> {
    match result {
        Ok(v) => Ok(Response::new(to_pb(&v))),
        Err(e) => {
            if let StoreError::Other(_) = &e {
                // The repo's log is where its database's failures are read.
                tracing::error!(error = %e, "store failed");
            }
            Err(store_to_status(&e))
        }
    }
}

fn empty<T>(_: &T) -> pb::Empty {
    pb::Empty {}
}

fn boolean(v: &bool) -> pb::BoolAnswer {
    pb::BoolAnswer::from(*v)
}

#[tonic::async_trait]
impl RepoService for RepoServer {
    // --- accounts ---

    async fn insert_user(&self, r: Request<pb::InsertUserRequest>) -> Answer<pb::Empty> {
        let (user, hash) = parse(r, pb::InsertUserRequest::parse)?;
        reply(self.store.insert_user(&user, &hash).await, empty)
    }

    async fn user(&self, r: Request<pb::RepoUserRequest>) -> Answer<pb::UserAnswer> {
        let id = parse(r, pb::RepoUserRequest::parse)?;
        answer(self.store.user(&id).await)
    }

    async fn credentials(
        &self,
        r: Request<pb::CredentialsRequest>,
    ) -> Answer<pb::CredentialsAnswer> {
        let key = parse(r, pb::CredentialsRequest::parse)?;
        answer(self.store.credentials(&key).await)
    }

    async fn update_profile(&self, r: Request<pb::UpdateUserRequest>) -> Answer<pb::UserAnswer> {
        let (id, update) = parse(r, pb::UpdateUserRequest::parse)?;
        answer(self.store.update_profile(&id, &update).await)
    }

    async fn search_users(&self, r: Request<pb::SearchUsersRequest>) -> Answer<pb::UsersAnswer> {
        let (viewer, search) = parse(r, |m: pb::SearchUsersRequest| {
            m.parse().map_err(DecodeError::from)
        })?;
        reply(self.store.search_users(&viewer, &search).await, |us| {
            pb::UsersAnswer::from(us.as_slice())
        })
    }

    async fn insert_session(&self, r: Request<pb::NewSession>) -> Answer<pb::Empty> {
        let session = parse(r, pb::NewSession::parse)?;
        reply(self.store.insert_session(&session).await, empty)
    }

    async fn session(&self, r: Request<pb::SessionRequest>) -> Answer<pb::SessionAnswer> {
        let id = parse(r, pb::SessionRequest::parse)?;
        answer(self.store.session(&id).await)
    }

    async fn rotate_refresh(&self, r: Request<pb::Rotation>) -> Answer<pb::RotateOutcome> {
        let rotation = parse(r, pb::Rotation::parse)?;
        answer(self.store.rotate_refresh(&rotation).await)
    }

    async fn revoke_session(&self, r: Request<pb::RevokeSessionRequest>) -> Answer<pb::Empty> {
        let (id, at) = parse(r, pb::RevokeSessionRequest::parse)?;
        reply(self.store.revoke_session(&id, at).await, empty)
    }

    async fn live_sessions(
        &self,
        r: Request<pb::LiveSessionsRequest>,
    ) -> Answer<pb::SessionsResponse> {
        let (user, now, limit) = parse(r, pb::LiveSessionsRequest::parse)?;
        reply(self.store.live_sessions(&user, now, limit).await, |v| {
            pb::SessionsResponse::from(v.as_slice())
        })
    }

    async fn revoke_sessions(
        &self,
        r: Request<pb::RevokeSessionsRequest>,
    ) -> Answer<pb::SessionIdsAnswer> {
        let (user, keep, at) = parse(r, pb::RevokeSessionsRequest::parse)?;
        reply(
            self.store.revoke_sessions(&user, keep.as_ref(), at).await,
            |v| pb::SessionIdsAnswer::from(v.as_slice()),
        )
    }

    async fn erase_user(&self, r: Request<pb::EraseUserRequest>) -> Answer<pb::ErasedAnswer> {
        let (user, at) = parse(r, pb::EraseUserRequest::parse)?;
        reply(self.store.erase_user(&user, at).await, |e| {
            pb::ErasedAnswer::from(e)
        })
    }

    async fn set_password(
        &self,
        r: Request<pb::SetPasswordRequest>,
    ) -> Answer<pb::SessionIdsAnswer> {
        let (user, hash, keep, at) = parse(r, pb::SetPasswordRequest::parse)?;
        reply(
            self.store
                .set_password(&user, &hash, keep.as_ref(), at)
                .await,
            |v| pb::SessionIdsAnswer::from(v.as_slice()),
        )
    }

    // --- administrators ---

    async fn set_admin(&self, r: Request<pb::SetAdminRequest>) -> Answer<pb::BoolAnswer> {
        let (user, admin, audit) = parse(r, pb::SetAdminRequest::parse)?;
        reply(self.store.set_admin(&user, admin, &audit).await, boolean)
    }

    async fn set_disabled(&self, r: Request<pb::SetDisabledRequest>) -> Answer<pb::DisabledAnswer> {
        let (user, until, at, audit) = parse(r, pb::SetDisabledRequest::parse)?;
        answer(self.store.set_disabled(&user, until, at, &audit).await)
    }

    async fn mute_in_world(&self, r: Request<pb::MuteInWorldRequest>) -> Answer<pb::BoolAnswer> {
        let (user, until, audit) = parse(r, pb::MuteInWorldRequest::parse)?;
        reply(
            self.store.mute_in_world(&user, until, &audit).await,
            boolean,
        )
    }

    async fn set_sanction(&self, r: Request<pb::SetSanctionRequest>) -> Answer<pb::BoolAnswer> {
        let (user, sanction, until, audit) = parse(r, pb::SetSanctionRequest::parse)?;
        reply(
            self.store
                .set_sanction(&user, sanction, until, &audit)
                .await,
            boolean,
        )
    }

    async fn banned_from_world(
        &self,
        r: Request<pb::BannedFromWorldRequest>,
    ) -> Answer<pb::UserIdsAnswer> {
        let (now, limit) = r.into_inner().parse();
        reply(self.store.banned_from_world(now, limit).await, |ids| {
            pb::UserIdsAnswer::from(ids.as_slice())
        })
    }

    async fn list_users(&self, r: Request<pb::ListUsersRequest>) -> Answer<pb::UsersAnswer> {
        let list = parse(r, pb::ListUsersRequest::parse)?;
        reply(self.store.list_users(&list).await, |us| {
            pb::UsersAnswer::from(us.as_slice())
        })
    }

    async fn append_audit(&self, r: Request<pb::AuditEntry>) -> Answer<pb::Empty> {
        let entry = parse(r, AuditEntry::try_from)?;
        reply(self.store.append_audit(&entry).await, empty)
    }

    async fn audit_log(&self, r: Request<pb::NewestFirstRequest>) -> Answer<pb::AuditEntries> {
        let page = parse(r, |m: pb::NewestFirstRequest| m.parse(AuditId::parse))?;
        reply(self.store.audit_log(&page).await, |v| {
            pb::AuditEntries::from(v.as_slice())
        })
    }

    async fn insert_report(&self, r: Request<pb::Report>) -> Answer<pb::Empty> {
        let report = parse(r, Report::try_from)?;
        reply(self.store.insert_report(&report).await, empty)
    }

    async fn report(&self, r: Request<pb::ReportRequest>) -> Answer<pb::ReportAnswer> {
        let id = parse(r, pb::ReportRequest::parse)?;
        answer(self.store.report(&id).await)
    }

    async fn reports(&self, r: Request<pb::ListReportsRequest>) -> Answer<pb::Reports> {
        let list = parse(r, pb::ListReportsRequest::parse)?;
        reply(self.store.reports(&list).await, |v| {
            pb::Reports::from(v.as_slice())
        })
    }

    async fn resolve_report(
        &self,
        r: Request<pb::ResolveReportRequest>,
    ) -> Answer<pb::ReportAnswer> {
        let (id, resolution, audit) = parse(r, pb::ResolveReportRequest::parse)?;
        answer(self.store.resolve_report(&id, &resolution, &audit).await)
    }

    async fn reports_since(&self, r: Request<pb::ReportsSinceRequest>) -> Answer<pb::CountAnswer> {
        let (user, since) = parse(r, pb::ReportsSinceRequest::parse)?;
        answer(self.store.reports_since(&user, since).await)
    }

    // --- accounts an outside issuer vouches for ---

    async fn external_user(
        &self,
        r: Request<pb::ExternalSubject>,
    ) -> Answer<pb::ExternalUserAnswer> {
        let who = parse(r, pb::ExternalSubject::parse)?;
        answer(self.store.external_user(&who).await)
    }

    async fn insert_external_user(
        &self,
        r: Request<pb::InsertExternalUserRequest>,
    ) -> Answer<pb::Empty> {
        let (user, hash, who) = parse(r, pb::InsertExternalUserRequest::parse)?;
        reply(
            self.store.insert_external_user(&user, &hash, &who).await,
            empty,
        )
    }

    // --- push devices ---

    async fn put_device(&self, r: Request<pb::PushDevice>) -> Answer<pb::Empty> {
        let device = parse(r, pb::PushDevice::parse)?;
        reply(self.store.put_device(&device).await, empty)
    }

    async fn devices(&self, r: Request<pb::DevicesRequest>) -> Answer<pb::DevicesResponse> {
        let (user, now) = parse(r, pb::DevicesRequest::parse)?;
        reply(self.store.devices(&user, now).await, |v| {
            pb::DevicesResponse::from(v.as_slice())
        })
    }

    async fn delete_device(&self, r: Request<pb::DeleteDeviceRequest>) -> Answer<pb::BoolAnswer> {
        let (user, id) = parse(r, pb::DeleteDeviceRequest::parse)?;
        reply(self.store.delete_device(&user, &id).await, boolean)
    }

    async fn forget_token(&self, r: Request<pb::ForgetTokenRequest>) -> Answer<pb::BoolAnswer> {
        let (platform, token) = parse(r, pb::ForgetTokenRequest::parse)?;
        reply(self.store.forget_token(platform, &token).await, boolean)
    }

    async fn push_devices(
        &self,
        r: Request<pb::PushDevicesRequest>,
    ) -> Answer<pb::DevicesResponse> {
        let (users, now) = parse(r, pb::PushDevicesRequest::parse)?;
        reply(self.store.push_devices(&users, now).await, |v| {
            pb::DevicesResponse::from(v.as_slice())
        })
    }

    // --- conversations and messages ---

    async fn commit_messages(
        &self,
        r: Request<pb::CommitMessagesRequest>,
    ) -> Answer<pb::CommitMessagesAnswer> {
        let (batch, seq_only) = parse(r, pb::CommitMessagesRequest::parse)?;
        reply(self.store.commit_messages(&batch).await, |out| {
            pb::CommitMessagesAnswer::new(out, seq_only)
        })
    }

    async fn open_single(
        &self,
        r: Request<pb::OpenSingleConversationRequest>,
    ) -> Answer<pb::ConversationIdAnswer> {
        let (a, b, now) = parse(r, pb::OpenSingleConversationRequest::parse)?;
        answer(self.store.open_single(&a, &b, now).await)
    }

    async fn conversation(
        &self,
        r: Request<pb::ConversationRequest>,
    ) -> Answer<pb::ConversationAnswer> {
        let id = parse(r, pb::ConversationRequest::parse)?;
        answer(self.store.conversation(&id).await)
    }

    async fn member(&self, r: Request<pb::ConversationMemberRequest>) -> Answer<pb::MemberAnswer> {
        let (conversation, user) = parse(r, pb::ConversationMemberRequest::parse)?;
        answer(self.store.member(&conversation, &user).await)
    }

    async fn member_ids(&self, r: Request<pb::MemberIdsRequest>) -> Answer<pb::UserIdsAnswer> {
        let (conversation, after, limit) = parse(r, pb::MemberIdsRequest::parse)?;
        reply(
            self.store
                .member_ids(&conversation, after.as_ref(), limit)
                .await,
            |ids| pb::UserIdsAnswer::from(ids.as_slice()),
        )
    }

    async fn conversations_of(
        &self,
        r: Request<pb::RepoUserRequest>,
    ) -> Answer<pb::ConversationsResponse> {
        let user = parse(r, pb::RepoUserRequest::parse)?;
        reply(self.store.conversations_of(&user).await, |vs| {
            pb::ConversationsResponse::from(vs.as_slice())
        })
    }

    async fn conversation_view(
        &self,
        r: Request<pb::ConversationMemberRequest>,
    ) -> Answer<pb::ConversationViewAnswer> {
        let (conversation, user) = parse(r, pb::ConversationMemberRequest::parse)?;
        answer(self.store.conversation_view(&user, &conversation).await)
    }

    async fn update_cursor(&self, r: Request<pb::UpdateCursorRequest>) -> Answer<pb::BoolAnswer> {
        let (user, conversation, update) = parse(r, pb::UpdateCursorRequest::parse)?;
        reply(
            self.store.update_cursor(&user, &conversation, update).await,
            boolean,
        )
    }

    async fn history(&self, r: Request<pb::MessageHistoryRequest>) -> Answer<pb::HistoryResponse> {
        let (conversation, query) = parse(r, pb::MessageHistoryRequest::parse)?;
        answer(self.store.history(&conversation, query).await)
    }

    async fn search_messages(
        &self,
        r: Request<pb::SearchMessagesRequest>,
    ) -> Answer<pb::SearchMessagesResponse> {
        let (viewer, search) = parse(r, |m: pb::SearchMessagesRequest| {
            m.parse().map_err(DecodeError::from)
        })?;
        answer(self.store.search_messages(&viewer, &search).await)
    }

    // --- groups ---

    async fn create_group(&self, r: Request<pb::InsertGroupRequest>) -> Answer<pb::Group> {
        let (group, members) = parse(r, pb::InsertGroupRequest::parse)?;
        answer(self.store.create_group(&group, &members).await)
    }

    async fn group(&self, r: Request<pb::RepoGroupRequest>) -> Answer<pb::GroupAnswer> {
        let id = parse(r, pb::RepoGroupRequest::parse)?;
        answer(self.store.group(&id).await)
    }

    async fn add_member(&self, r: Request<pb::AddMemberRequest>) -> Answer<pb::Empty> {
        let (group, user, role, now) = parse(r, pb::AddMemberRequest::parse)?;
        reply(self.store.add_member(&group, &user, role, now).await, empty)
    }

    async fn remove_member(&self, r: Request<pb::GroupMemberRequest>) -> Answer<pb::BoolAnswer> {
        let (group, user) = parse(r, pb::GroupMemberRequest::parse)?;
        reply(self.store.remove_member(&group, &user).await, boolean)
    }

    async fn members(&self, r: Request<pb::MembersQuery>) -> Answer<pb::MemberRecords> {
        let (group, after, limit) = parse(r, pb::MembersQuery::parse)?;
        reply(
            self.store.members(&group, after.as_ref(), limit).await,
            |ms| pb::MemberRecords::from(ms.as_slice()),
        )
    }

    async fn add_members(
        &self,
        r: Request<pb::AddGroupMembersRequest>,
    ) -> Answer<pb::UserIdsAnswer> {
        let (group, users, now) = parse(r, pb::AddGroupMembersRequest::parse)?;
        reply(self.store.add_members(&group, &users, now).await, |ids| {
            pb::UserIdsAnswer::from(ids.as_slice())
        })
    }

    async fn set_role(&self, r: Request<pb::SetRoleRequest>) -> Answer<pb::BoolAnswer> {
        let (group, user, role) = parse(r, pb::SetRoleRequest::parse)?;
        reply(self.store.set_role(&group, &user, role).await, boolean)
    }

    async fn set_muted_until(
        &self,
        r: Request<pb::SetMutedUntilRequest>,
    ) -> Answer<pb::BoolAnswer> {
        let (group, user, until) = parse(r, pb::SetMutedUntilRequest::parse)?;
        reply(
            self.store.set_muted_until(&group, &user, until).await,
            boolean,
        )
    }

    async fn transfer(&self, r: Request<pb::GroupMemberRequest>) -> Answer<pb::BoolAnswer> {
        let (group, to) = parse(r, pb::GroupMemberRequest::parse)?;
        reply(self.store.transfer(&group, &to).await, boolean)
    }

    async fn update_group(&self, r: Request<pb::UpdateGroupInfoRequest>) -> Answer<pb::Empty> {
        let (group, change) = parse(r, pb::UpdateGroupInfoRequest::parse)?;
        reply(self.store.update_group(&group, &change).await, empty)
    }

    async fn dissolve(&self, r: Request<pb::DissolveGroupRequest>) -> Answer<pb::Empty> {
        let (group, now) = parse(r, pb::DissolveGroupRequest::parse)?;
        reply(self.store.dissolve(&group, now).await, empty)
    }

    // --- friends and blocks ---

    async fn friend_request(
        &self,
        r: Request<pb::FriendRequestIdRequest>,
    ) -> Answer<pb::FriendRequestAnswer> {
        let id = parse(r, pb::FriendRequestIdRequest::parse)?;
        answer(self.store.friend_request(&id).await)
    }

    async fn pending_request(
        &self,
        r: Request<pb::UserPairRequest>,
    ) -> Answer<pb::FriendRequestAnswer> {
        let (from, to) = parse(r, pb::UserPairRequest::parse)?;
        answer(self.store.pending_request(&from, &to).await)
    }

    async fn insert_friend_request(&self, r: Request<pb::FriendRequest>) -> Answer<pb::Empty> {
        let request = parse(r, pb::FriendRequest::parse_new)?;
        reply(self.store.insert_friend_request(&request).await, empty)
    }

    async fn answer_request(
        &self,
        r: Request<pb::AnswerFriendRequestRequest>,
    ) -> Answer<pb::FriendRequestAnswer> {
        let (id, accept, now) = parse(r, pb::AnswerFriendRequestRequest::parse)?;
        answer(self.store.answer_request(&id, accept, now).await)
    }

    async fn pending_requests(
        &self,
        r: Request<pb::RepoUserRequest>,
    ) -> Answer<pb::PendingRequests> {
        let user = parse(r, pb::RepoUserRequest::parse)?;
        answer(self.store.pending_requests(&user).await)
    }

    async fn are_friends(&self, r: Request<pb::UserPairRequest>) -> Answer<pb::BoolAnswer> {
        let (a, b) = parse(r, pb::UserPairRequest::parse)?;
        reply(self.store.are_friends(&a, &b).await, boolean)
    }

    async fn friends(&self, r: Request<pb::RepoUserRequest>) -> Answer<pb::UsersAnswer> {
        let user = parse(r, pb::RepoUserRequest::parse)?;
        reply(self.store.friends(&user).await, |us| {
            pb::UsersAnswer::from(us.as_slice())
        })
    }

    async fn remove_friend(&self, r: Request<pb::UserPairRequest>) -> Answer<pb::BoolAnswer> {
        let (a, b) = parse(r, pb::UserPairRequest::parse)?;
        reply(self.store.remove_friend(&a, &b).await, boolean)
    }

    async fn set_block(&self, r: Request<pb::SetBlockedRequest>) -> Answer<pb::Empty> {
        let (blocker, blocked, on, now) = parse(r, pb::SetBlockedRequest::parse)?;
        reply(
            self.store.set_block(&blocker, &blocked, on, now).await,
            empty,
        )
    }

    async fn is_blocked(&self, r: Request<pb::UserPairRequest>) -> Answer<pb::BoolAnswer> {
        let (blocker, blocked) = parse(r, pb::UserPairRequest::parse)?;
        reply(self.store.is_blocked(&blocker, &blocked).await, boolean)
    }

    // --- attachments ---

    async fn insert_attachment(&self, r: Request<pb::Attachment>) -> Answer<pb::Empty> {
        let attachment = parse(r, |a| Ok(a.parse()?))?;
        reply(self.store.insert_attachment(&attachment).await, empty)
    }

    async fn get_attachment(
        &self,
        r: Request<pb::AttachmentIdRequest>,
    ) -> Answer<pb::AttachmentAnswer> {
        let id = parse(r, pb::AttachmentIdRequest::parse)?;
        answer(self.store.attachment(&id).await)
    }

    async fn bind_attachment(
        &self,
        r: Request<pb::RepoBindAttachmentRequest>,
    ) -> Answer<pb::BoolAnswer> {
        let (id, owner, conversation) = parse(r, pb::RepoBindAttachmentRequest::parse)?;
        reply(
            self.store.bind_attachment(&id, &owner, &conversation).await,
            |b| pb::BoolAnswer::from(*b == Bound::Bound),
        )
    }

    async fn attachment_usage(
        &self,
        r: Request<pb::RepoUserRequest>,
    ) -> Answer<pb::AttachmentUsageAnswer> {
        let owner = parse(r, pb::RepoUserRequest::parse)?;
        answer(self.store.attachment_usage(&owner).await)
    }

    async fn unsent_attachments(
        &self,
        r: Request<pb::UnsentAttachmentsRequest>,
    ) -> Answer<pb::AttachmentIds> {
        let (before, limit) = parse(r, |q| Ok(q.parse()))?;
        answer(self.store.unsent_attachments(before, limit).await)
    }

    async fn delete_unsent_attachment(
        &self,
        r: Request<pb::AttachmentIdRequest>,
    ) -> Answer<pb::BoolAnswer> {
        let id = parse(r, pb::AttachmentIdRequest::parse)?;
        reply(self.store.delete_unsent_attachment(&id).await, boolean)
    }

    async fn attachments_of(
        &self,
        r: Request<pb::RepoAttachmentsOfRequest>,
    ) -> Answer<pb::AttachmentList> {
        let (owner, after, limit) = parse(r, pb::RepoAttachmentsOfRequest::parse)?;
        answer(
            self.store
                .attachments_of(&owner, after.as_ref(), limit)
                .await,
        )
    }

    // --- chunked uploads ---

    async fn insert_upload(&self, r: Request<pb::Upload>) -> Answer<pb::Empty> {
        let upload = parse(r, |u| Ok(u.parse()?))?;
        reply(self.store.insert_upload(&upload).await, empty)
    }

    async fn get_upload(&self, r: Request<pb::AttachmentIdRequest>) -> Answer<pb::UploadAnswer> {
        let id = parse(r, pb::AttachmentIdRequest::parse)?;
        answer(self.store.upload(&id).await)
    }

    async fn advance_upload(
        &self,
        r: Request<pb::RepoAdvanceUploadRequest>,
    ) -> Answer<pb::BoolAnswer> {
        let (id, from, to) = parse(r, pb::RepoAdvanceUploadRequest::parse)?;
        reply(self.store.advance_upload(&id, from, to).await, boolean)
    }

    // --- the store itself ---

    async fn ping(&self, _: Request<pb::Empty>) -> Answer<pb::Empty> {
        reply(self.store.ping().await, empty)
    }
}
