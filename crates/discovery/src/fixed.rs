//! `StaticDiscovery`: the instances a config file lists. Registering is
//! accepted and changes nothing: peers read the same file.

use async_trait::async_trait;
use ferrochat_ports::discovery::{Discovery, DiscoveryError, Instance};

pub struct StaticDiscovery {
    instances: Vec<Instance>,
}

impl StaticDiscovery {
    pub fn new(mut instances: Vec<Instance>) -> Self {
        instances.sort();
        Self { instances }
    }
}

#[async_trait]
impl Discovery for StaticDiscovery {
    async fn register(
        &self,
        _instance: Instance,
        _ttl: std::time::Duration,
    ) -> Result<(), DiscoveryError> {
        Ok(())
    }

    async fn deregister(&self) -> Result<(), DiscoveryError> {
        Ok(())
    }

    async fn instances(&self, role: &str) -> Result<Vec<Instance>, DiscoveryError> {
        Ok(self
            .instances
            .iter()
            .filter(|i| i.role == role)
            .cloned()
            .collect())
    }
}
