//! The Lua scripts, each prefixed by `lua/prelude.lua`. `redis::Script`
//! sends EVALSHA and loads the script on NOSCRIPT, so a restarted Redis
//! (empty script cache) needs nothing from us.

use redis::Script;

pub(crate) struct Scripts {
    pub(crate) connect: Script,
    pub(crate) disconnect: Script,
    pub(crate) heartbeat: Script,
    pub(crate) forget: Script,
    pub(crate) forget_silent: Script,
    pub(crate) purge: Script,
    pub(crate) restore: Script,
    pub(crate) ready: Script,
    pub(crate) settled: Script,
    pub(crate) bucket: Script,
}

macro_rules! script {
    ($file:literal) => {
        Script::new(concat!(
            include_str!("lua/prelude.lua"),
            include_str!(concat!("lua/", $file))
        ))
    };
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            connect: script!("connect.lua"),
            disconnect: script!("disconnect.lua"),
            heartbeat: script!("heartbeat.lua"),
            forget: script!("forget.lua"),
            forget_silent: script!("forget_silent.lua"),
            purge: script!("purge.lua"),
            restore: script!("restore.lua"),
            ready: script!("ready.lua"),
            settled: script!("settled.lua"),
            bucket: script!("bucket.lua"),
        }
    }
}
