//! LocalBus passes the bus conformance suite.

use std::sync::Arc;

use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_ports::Bus;

async fn fresh_bus() -> Arc<dyn Bus> {
    LocalBus::new(LocalBusConfig::default())
}

ferrochat_test_support::bus_conformance_tests!(fresh_bus);
