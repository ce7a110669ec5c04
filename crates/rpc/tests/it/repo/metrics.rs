//! A repo call is timed where it is served
//! (`ferrochat_rpc_server_seconds{service, rpc}`) and where it is made
//! (`ferrochat_repo_client_call_seconds{rpc}`); a path the repo does not
//! serve is counted as `unknown`, never under its own name.

use ferrochat_domain::UserId;
use ferrochat_ports::AccountStore;

use super::{Repo, TIMEOUT};
use crate::scrape::{recorder, value};

const SERVICE: &str = "ferrochat.v1.RepoService";

fn served(rpc: &str) -> f64 {
    value(
        "ferrochat_rpc_server_seconds_count",
        &[("service", SERVICE), ("rpc", rpc)],
    )
    .unwrap_or(0.0)
}

fn called(rpc: &str) -> f64 {
    value("ferrochat_repo_client_call_seconds_count", &[("rpc", rpc)]).unwrap_or(0.0)
}

#[tokio::test]
async fn calls_are_timed_by_the_repo_and_by_its_client() {
    recorder();
    let repo = Repo::start().await;
    let client = repo.client(TIMEOUT);
    let before = (served("User"), called("user"));
    for _ in 0..3 {
        assert!(client.user(&UserId::generate()).await.unwrap().is_none());
    }
    assert!(served("User") >= before.0 + 3.0);
    assert!(called("user") >= before.1 + 3.0);
    repo.stop().await;
}

#[tokio::test]
async fn an_unknown_rpc_is_counted_as_unknown() {
    recorder();
    let repo = Repo::start().await;
    let before = served("unknown");
    let channel = ferrochat_rpc::endpoint(&repo.addr.to_string(), TIMEOUT, None)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let path = http::uri::PathAndQuery::from_static("/ferrochat.v1.RepoService/NoSuchRpc");
    let status = grpc
        .unary::<(), (), _>(
            tonic::Request::new(()),
            path,
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    assert!(served("unknown") >= before + 1.0);
    assert_eq!(served("NoSuchRpc"), 0.0, "no series named by the caller");
    repo.stop().await;
}
