//! Validated requests. The edges (HTTP, WebSocket, gRPC) decode raw input
//! into these; the roles accept nothing else (design invariant 7).

use crate::{Avatar, DeviceId, Nickname, Password, Username};

#[derive(Debug, Clone)]
pub struct Register {
    pub username: Username,
    pub password: Password,
    pub nickname: Option<Nickname>,
}

#[derive(Debug, Clone)]
pub struct Login {
    pub username: Username,
    pub password: Password,
    pub device_id: Option<DeviceId>,
}

/// Fields left `None` keep their value.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfile {
    pub nickname: Option<Nickname>,
    pub avatar: Option<Avatar>,
}
