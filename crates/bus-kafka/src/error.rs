//! librdkafka's errors as the bus port's, in one place.

use ferrochat_ports::bus::BusError;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

pub(crate) fn map(topic: &str, e: &KafkaError) -> BusError {
    match e.rdkafka_error_code() {
        Some(RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic) => {
            BusError::Unroutable(topic.to_owned())
        }
        _ => BusError::Unavailable(format!("{topic}: {e}")),
    }
}
