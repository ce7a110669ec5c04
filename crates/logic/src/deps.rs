//! The ports the logic role is given.

use std::sync::Arc;

use ferrochat_ports::{Bus, Presence, Store};

#[derive(Clone)]
pub struct LogicDeps {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
}
