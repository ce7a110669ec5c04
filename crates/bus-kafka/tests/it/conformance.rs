//! KafkaBus passes the bus conformance suite.

use std::sync::Arc;

use ferrochat_ports::Bus;

use crate::support::{bus, isolated_config};

async fn fresh_bus() -> Arc<dyn Bus> {
    bus(&isolated_config()).await
}

ferrochat_test_support::bus_conformance_tests!(fresh_bus);
