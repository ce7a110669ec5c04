//! A request with a bad field is refused before logic sees it, with
//! INVALID_PARAMS naming the field, as HTTP refuses it.

use ferrochat_domain::ErrorKind;
use ferrochat_ports::ApiError;
use ferrochat_proto::pb;
use ferrochat_proto::pb::logic_service_client::LogicServiceClient;
use ferrochat_rpc::from_status;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::fake::{serve, Fake};

const GOOD: &str = "0190b5d2-7c3a-7000-8000-000000000001";

fn refused(status: Status, field: &str) -> ApiError {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let e = from_status(&status, "test");
    assert_eq!(e.kind, ErrorKind::InvalidParams, "{e:?}");
    assert!(
        e.message.starts_with(&format!("{field}: ")),
        "{field} not named in {:?}",
        e.message
    );
    e
}

async fn client() -> (
    LogicServiceClient<Channel>,
    std::sync::Arc<Fake>,
    crate::fake::Served,
) {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let raw = LogicServiceClient::connect(format!("http://{}", served.addr))
        .await
        .unwrap();
    (raw, fake, served)
}

#[tokio::test]
async fn bad_ids_are_refused_with_the_field_named() {
    let (mut raw, fake, _served) = client().await;
    let s = raw
        .get_user(pb::GetUserRequest {
            user_id: "not-an-id".into(),
        })
        .await
        .unwrap_err();
    refused(s, "user_id");

    let s = raw
        .conversations(pb::CallerRequest {
            caller_id: GOOD.to_uppercase(),
        })
        .await
        .unwrap_err();
    refused(s, "caller_id");

    let s = raw
        .open_single(pb::OpenSingleRequest {
            caller_id: GOOD.into(),
            peer_user_id: String::new(),
        })
        .await
        .unwrap_err();
    refused(s, "peer_user_id");

    let s = raw
        .history(pb::HistoryRequest {
            caller_id: GOOD.into(),
            conversation_id: "World".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(s, "conversation_id");

    let s = raw
        .kick(pb::MemberRequest {
            caller_id: GOOD.into(),
            group_id: "42".into(),
            user_id: GOOD.into(),
        })
        .await
        .unwrap_err();
    refused(s, "group_id");

    let s = raw
        .add_members(pb::AddMembersRequest {
            caller_id: GOOD.into(),
            group_id: GOOD.into(),
            user_ids: vec![GOOD.into(), "bob".into()],
        })
        .await
        .unwrap_err();
    let e = refused(s, "user_ids");
    assert!(e.message.contains("\"bob\""), "{e:?}");

    let s = raw
        .answer_request(pb::AnswerRequestRequest {
            caller_id: GOOD.into(),
            request_id: "x".into(),
            accept: true,
        })
        .await
        .unwrap_err();
    refused(s, "request_id");

    let s = raw
        .sync(pb::SyncRequest {
            caller_id: GOOD.into(),
            cursors: vec![pb::Cursor {
                conversation_id: "nope".into(),
                seq: 1,
            }],
            limit: None,
        })
        .await
        .unwrap_err();
    refused(s, "cursors");

    let s = raw
        .resolve_target(pb::ResolveTargetRequest {
            caller_id: GOOD.into(),
            target: None,
        })
        .await
        .unwrap_err();
    refused(s, "target");

    let s = raw
        .logout(pb::Principal {
            user_id: GOOD.into(),
            session_id: "s".into(),
            token_expires_at_ms: 0,
        })
        .await
        .unwrap_err();
    refused(s, "session_id");

    assert_eq!(fake.calls(), 0, "logic saw a request it should not have");
}

#[tokio::test]
async fn bad_values_are_refused_as_over_http() {
    let (mut raw, fake, _served) = client().await;
    let s = raw
        .register(pb::RegisterRequest {
            username: "a b".into(),
            password: "long enough".into(),
            nickname: None,
        })
        .await
        .unwrap_err();
    refused(s, "username");

    let s = raw
        .login(pb::LoginRequest {
            username: "alice".into(),
            password: "short".into(),
            device_id: None,
        })
        .await
        .unwrap_err();
    refused(s, "password");

    let s = raw
        .create_group(pb::CreateGroupRequest {
            caller_id: GOOD.into(),
            name: "  ".into(),
            join_policy: pb::JoinPolicy::Open.into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(s, "name");

    let s = raw
        .create_group(pb::CreateGroupRequest {
            caller_id: GOOD.into(),
            name: "book club".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(s, "join_policy");

    let s = raw
        .history(pb::HistoryRequest {
            caller_id: GOOD.into(),
            conversation_id: "world".into(),
            limit: Some(201),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(s, "limit");

    let s = raw
        .request_friend(pb::RequestFriendRequest {
            caller_id: GOOD.into(),
            to_user_id: GOOD.into(),
            message: "x".repeat(257),
        })
        .await
        .unwrap_err();
    refused(s, "message");

    let s = raw
        .refresh(pb::RefreshRequest {
            refresh_token: String::new(),
        })
        .await
        .unwrap_err();
    refused(s, "refresh_token");

    assert_eq!(fake.calls(), 0, "logic saw a request it should not have");
}

#[tokio::test]
async fn bad_devices_are_refused_before_logic() {
    let (mut raw, fake, _served) = client().await;
    let caller = || {
        Some(pb::Principal {
            user_id: GOOD.into(),
            session_id: GOOD.into(),
            token_expires_at_ms: 0,
        })
    };
    let s = raw
        .register_device(pb::RegisterDeviceRequest {
            caller: caller(),
            platform: "apns".into(),
            token: "00ff".into(),
            app_id: None,
        })
        .await
        .unwrap_err();
    refused(s, "app_id");
    let s = raw
        .register_device(pb::RegisterDeviceRequest {
            caller: caller(),
            platform: "sms".into(),
            token: "t".into(),
            app_id: None,
        })
        .await
        .unwrap_err();
    refused(s, "platform");
    let s = raw
        .remove_device(pb::RemoveDeviceRequest {
            caller: caller(),
            device_id: "d".into(),
        })
        .await
        .unwrap_err();
    refused(s, "device_id");
    assert_eq!(fake.calls(), 0, "logic saw a request it should not have");
}
