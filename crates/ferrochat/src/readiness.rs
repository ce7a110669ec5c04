//! Readiness checks shared by `serve` and the cluster roles.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_ports::{Readiness, Store};

/// Ready while the store answers.
pub(crate) struct StoreReachable(pub(crate) Arc<dyn Store>);

#[async_trait]
impl Readiness for StoreReachable {
    async fn check(&self) -> Result<(), String> {
        self.0
            .ping()
            .await
            .map_err(|_| "store unreachable".to_owned())
    }
}
