//! Discovery adapters: `StaticDiscovery` (instances listed in config) and
//! `EtcdDiscovery` (each instance under an etcd lease it keeps alive).

mod etcd;
mod etcd_api;
mod fixed;

pub use etcd::{EtcdConfig, EtcdDiscovery};
pub use etcd_api::{Credentials, EtcdTls};
pub use fixed::StaticDiscovery;
