//! Where connections live: a gateway instance and a connection on it. The
//! route table maps each online user to their routes.

use std::sync::Arc;

/// A gateway instance ("local" when embedded).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GatewayId(Arc<str>);

impl GatewayId {
    pub fn new(s: &str) -> Self {
        Self(Arc::from(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A WebSocket connection, unique within its gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub gateway: GatewayId,
    pub conn: ConnId,
}
