//! How the spawned apps' gateway reaches logic: direct calls (the
//! default), or, with `FERROCHAT_TEST_LOGIC=grpc`, gRPC to a `LogicServer`
//! the app serves on a port of its own, so every test also proves the
//! gRPC boundary carries what the gateway asks. `scripts/test` runs the
//! whole suite once over gRPC.

use ferrochat::config::{Config, LogicTransport};

const LOGIC_ENV: &str = "FERROCHAT_TEST_LOGIC";

/// Puts logic behind gRPC when `FERROCHAT_TEST_LOGIC` asks for it.
pub fn apply(config: &mut Config) {
    match std::env::var(LOGIC_ENV).unwrap_or_default().as_str() {
        "" | "direct" => {}
        "grpc" => {
            config.logic.transport = LogicTransport::Grpc;
            config.logic.grpc_listen = "127.0.0.1:0".parse().unwrap();
        }
        other => panic!("{LOGIC_ENV}={other:?}: expected direct or grpc"),
    }
}
