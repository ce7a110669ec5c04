//! Every error kind, and its message, comes back from logic as it left.

use std::time::Duration;

use ferrochat_domain::commands::History;
use ferrochat_domain::groups::MembersPage;
use ferrochat_domain::{
    ConversationId, ErrorKind, GroupId, PageLimit, Principal, SessionId, UserId,
};
use ferrochat_ports::{AccountsApi, ApiError, GroupsApi, MessagingApi, SocialApi};
use ferrochat_proto::pb;
use ferrochat_proto::pb::logic_service_client::LogicServiceClient;
use ferrochat_rpc::LogicClient;
use tonic::Code;

use crate::fake::{serve, Fake};

const KINDS: [(ErrorKind, Code); 9] = [
    (ErrorKind::InvalidParams, Code::InvalidArgument),
    (ErrorKind::Unauthorized, Code::Unauthenticated),
    (ErrorKind::NotFound, Code::NotFound),
    (ErrorKind::Internal, Code::Internal),
    (ErrorKind::Forbidden, Code::PermissionDenied),
    (ErrorKind::Conflict, Code::AlreadyExists),
    (ErrorKind::RateLimited, Code::ResourceExhausted),
    (ErrorKind::TooLarge, Code::OutOfRange),
    (ErrorKind::Unavailable, Code::Unavailable),
];

#[tokio::test]
async fn every_error_kind_survives_the_trip() {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let client = LogicClient::connect_lazy(served.addr, Duration::from_secs(5)).unwrap();
    let me = UserId::generate();
    let group = GroupId::generate();
    for (kind, _) in KINDS {
        let sent = ApiError::new(kind, format!("{kind:?}: ünïcode and \"quotes\""));
        fake.answer(sent.clone());
        // One call of each area, with and without an answer body.
        assert_eq!(client.user(&me).await.unwrap_err(), sent);
        let principal = Principal {
            user_id: me.clone(),
            session_id: SessionId::generate(),
        };
        assert_eq!(client.logout(&principal).await.unwrap_err(), sent);
        let history = History {
            pinned: false,
            conversation_id: ConversationId::world(),
            after: None,
            before: None,
            limit: PageLimit::DEFAULT,
        };
        assert_eq!(client.history(&me, history).await.unwrap_err(), sent);
        assert_eq!(
            client
                .members(&me, &group, MembersPage::first())
                .await
                .unwrap_err(),
            sent
        );
        assert_eq!(client.friends(&me).await.unwrap_err(), sent);
    }
    assert_eq!(fake.calls(), KINDS.len() * 5);
}

#[tokio::test]
async fn each_kind_has_a_grpc_code_that_says_the_same() {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let mut raw = LogicServiceClient::connect(format!("http://{}", served.addr))
        .await
        .unwrap();
    for (kind, code) in KINDS {
        fake.answer(ApiError::new(kind, "why"));
        let status = raw
            .get_user(pb::GetUserRequest::new(&UserId::generate()))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code, "{kind:?}");
        assert_eq!(status.message(), "why");
        assert_eq!(
            ferrochat_rpc::from_status(&status, "get_user"),
            ApiError::new(kind, "why")
        );
    }
}
