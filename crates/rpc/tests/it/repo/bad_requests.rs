//! A request with a bad field is refused before the store sees it, with
//! INVALID_ARGUMENT naming the field; a `RepoClient` turns that into
//! `StoreError::Other`.

use ferrochat_domain::UserId;
use ferrochat_ports::{AccountStore, SocialStore, StoreError};
use ferrochat_proto::pb;
use ferrochat_proto::pb::repo_service_client::RepoServiceClient;
use ferrochat_rpc::store_from_status;
use tonic::transport::Channel;
use tonic::{Code, Status};

use super::Repo;

const GOOD: &str = "0190b5d2-7c3a-7000-8000-000000000001";

fn refused(status: &Status, field: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().starts_with(&format!("{field}: ")),
        "{field} not named in {:?}",
        status.message()
    );
    let e = store_from_status(status, "test");
    assert!(matches!(e, StoreError::Other(_)), "{e:?}");
}

pub(super) async fn raw(repo: &Repo) -> RepoServiceClient<Channel> {
    RepoServiceClient::connect(format!("http://{}", repo.addr))
        .await
        .unwrap()
}

fn user(id: &str, username: &str) -> pb::User {
    pb::User {
        discoverable: Some(true),
        deleted: false,
        email: None,
        status_text: String::new(),
        admin: false,
        disabled_until_ms: None,
        muted_until_ms: None,
        world_banned_until_ms: None,
        id: id.into(),
        username: username.into(),
        nickname: "Nick".into(),
        avatar: String::new(),
        created_at_ms: 1,
    }
}

#[tokio::test]
async fn bad_fields_are_refused_with_their_name() {
    let repo = Repo::start().await;
    let mut raw = raw(&repo).await;

    let s = raw
        .user(pb::RepoUserRequest {
            user_id: "not-an-id".into(),
        })
        .await
        .unwrap_err();
    refused(&s, "user_id");

    let s = raw
        .insert_user(pb::InsertUserRequest {
            user: Some(user(GOOD, "a b")),
            password_hash: "hash".into(),
        })
        .await
        .unwrap_err();
    refused(&s, "username");

    let s = raw
        .insert_user(pb::InsertUserRequest {
            user: None,
            password_hash: "hash".into(),
        })
        .await
        .unwrap_err();
    refused(&s, "user");

    let s = raw
        .insert_user(pb::InsertUserRequest {
            user: Some(user(GOOD, "alice")),
            password_hash: String::new(),
        })
        .await
        .unwrap_err();
    refused(&s, "password_hash");

    let s = raw
        .commit_messages(pb::CommitMessagesRequest {
            messages: vec![pb::NewMessage {
                marks: Default::default(),
                id: GOOD.into(),
                conversation_id: "World".into(),
                conversation_kind: pb::ConversationKind::World.into(),
                from: GOOD.into(),
                client_msg_id: "c-1".into(),
                message_type: "text".into(),
                content: "hi".into(),
                created_at_ms: 1,
                ref_seq: None,
            }],
            seq_only: true,
        })
        .await
        .unwrap_err();
    refused(&s, "messages.conversation_id");

    let s = raw
        .add_members(pb::AddGroupMembersRequest {
            group_id: GOOD.into(),
            user_ids: vec![GOOD.into(), "bob".into()],
            now_ms: 1,
        })
        .await
        .unwrap_err();
    refused(&s, "user_ids");
    assert!(s.message().contains("\"bob\""), "{s:?}");

    let s = raw
        .add_member(pb::AddMemberRequest {
            group_id: GOOD.into(),
            user_id: GOOD.into(),
            role: pb::GroupRole::Unspecified.into(),
            now_ms: 1,
        })
        .await
        .unwrap_err();
    refused(&s, "role");

    let s = raw
        .set_block(pb::SetBlockedRequest {
            blocker_id: GOOD.into(),
            blocked_id: String::new(),
            on: true,
            now_ms: 1,
        })
        .await
        .unwrap_err();
    refused(&s, "blocked_id");

    // Nothing reached the store.
    let id = UserId::parse(GOOD).unwrap();
    assert_eq!(repo.store.user(&id).await.unwrap(), None);
    assert!(!repo.store.is_blocked(&id, &id).await.unwrap());
    repo.stop().await;
}

#[tokio::test]
async fn bad_devices_are_refused_before_the_store() {
    let repo = Repo::start().await;
    let mut raw = raw(&repo).await;
    let device = pb::PushDevice {
        id: GOOD.into(),
        user_id: GOOD.into(),
        session_id: GOOD.into(),
        platform: "apns".into(),
        token: "00ff".into(),
        app_id: Some("com.example".into()),
        created_at_ms: 1,
    };
    let s = raw
        .put_device(pb::PushDevice {
            platform: "gcm".into(),
            ..device.clone()
        })
        .await
        .unwrap_err();
    refused(&s, "platform");
    let s = raw
        .put_device(pb::PushDevice {
            token: "not hex".into(),
            ..device.clone()
        })
        .await
        .unwrap_err();
    refused(&s, "token");
    let s = raw
        .put_device(pb::PushDevice {
            session_id: "x".into(),
            ..device
        })
        .await
        .unwrap_err();
    refused(&s, "device.session_id");
    // A list longer than any answer could be is refused whole.
    let s = raw
        .push_devices(pb::PushDevicesRequest {
            user_ids: vec![GOOD.into(); 1001],
            now_ms: 1,
        })
        .await
        .unwrap_err();
    refused(&s, "user_ids");
    let s = raw
        .delete_device(pb::DeleteDeviceRequest {
            user_id: GOOD.into(),
            device_id: GOOD.to_uppercase(),
        })
        .await
        .unwrap_err();
    refused(&s, "device_id");
}
