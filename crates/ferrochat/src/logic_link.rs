//! How the gateway reaches logic (`[logic] transport`): the logic role's
//! own API ports (`direct`), or gRPC clients of a `LogicServer` this
//! process serves on `logic.grpc_listen` (`grpc`), which is how a cluster
//! gateway reaches a logic elsewhere.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use ferrochat_logic::Logic;
use ferrochat_rpc::{LogicApis, LogicClient, LogicServer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{LogicLinkConfig, LogicTransport};

/// Logic served over gRPC, bound but not yet serving.
pub struct GrpcLogic {
    listener: TcpListener,
    server: LogicServer,
}

impl GrpcLogic {
    /// Serves until `cancel`, then finishes the calls in flight.
    pub async fn serve(self, cancel: CancellationToken) -> anyhow::Result<()> {
        ferrochat_rpc::serve(self.listener, self.server, cancel)
            .await
            .context("serving logic over gRPC")
    }
}

/// The ports the gateway calls, and the gRPC server behind them if any.
pub async fn build(
    config: &LogicLinkConfig,
    logic: &Logic,
) -> anyhow::Result<(LogicApis, Option<GrpcLogic>)> {
    let direct = apis(logic);
    if config.transport == LogicTransport::Direct {
        return Ok((direct, None));
    }
    let listener = TcpListener::bind(config.grpc_listen)
        .await
        .with_context(|| format!("binding logic.grpc_listen {}", config.grpc_listen))?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, "logic serves gRPC");
    let client = Arc::new(
        LogicClient::connect_lazy(addr, config.grpc_timeout).context("logic gRPC client")?,
    );
    let apis = LogicApis {
        accounts: client.clone(),
        messaging: client.clone(),
        groups: client.clone(),
        social: client.clone(),
        moderation: client.clone(),
        attachments: client,
    };
    let server = LogicServer::new(direct);
    Ok((apis, Some(GrpcLogic { listener, server })))
}

/// The logic role's own API ports, called in process.
pub fn apis(logic: &Logic) -> LogicApis {
    LogicApis {
        accounts: logic.accounts.clone(),
        messaging: logic.messaging.clone(),
        groups: logic.groups.clone(),
        social: logic.social.clone(),
        moderation: logic.accounts.clone(),
        attachments: logic.attachments.clone(),
    }
}
