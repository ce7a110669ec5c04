//! Creates the topics a role needs when they are missing.

use std::time::Duration;

use ferrochat_ports::bus::BusError;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

use crate::config::KafkaConfig;

pub(crate) struct Admin(AdminClient<DefaultClientContext>);

impl Admin {
    pub(crate) fn new(config: &KafkaConfig) -> Result<Self, BusError> {
        let mut client = ClientConfig::new();
        client.set("bootstrap.servers", &config.brokers);
        crate::security::apply(&config.security, &mut client)?;
        client
            .create()
            .map(Self)
            .map_err(|e| BusError::Unavailable(format!("kafka admin client: {e}")))
    }

    /// Creates each `(name, partitions)` that does not exist yet.
    pub(crate) async fn ensure(
        &self,
        topics: &[(&str, i32)],
        replication: i32,
    ) -> Result<(), BusError> {
        let new: Vec<NewTopic<'_>> = topics
            .iter()
            .map(|(name, partitions)| {
                NewTopic::new(name, *partitions, TopicReplication::Fixed(replication))
            })
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let results = self
            .0
            .create_topics(new.iter(), &opts)
            .await
            .map_err(|e| BusError::Unavailable(format!("creating topics: {e}")))?;
        for result in results {
            match result {
                Ok(name) => tracing::info!(topic = %name, "created topic"),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => {
                    return Err(BusError::Unavailable(format!(
                        "creating topic {name}: {code}"
                    )))
                }
            }
        }
        Ok(())
    }
}
