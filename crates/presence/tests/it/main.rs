//! The presence conformance suite on `MemoryPresence`.

use std::sync::Arc;

use ferrochat_ports::Presence;
use ferrochat_presence::MemoryPresence;

async fn fresh_presence() -> Arc<dyn Presence> {
    Arc::new(MemoryPresence::new())
}

ferrochat_test_support::presence_conformance_tests!(crate::fresh_presence);
