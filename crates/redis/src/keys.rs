//! Key names and set members. `lua/prelude.lua` builds the same names; the
//! conformance suite, which mixes Rust reads with script writes, holds
//! the two together.

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;

pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// Passed to every script as ARGV[1].
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Sorted set of online users, all with score 0, so ZRANGEBYLEX pages
    /// them in id order.
    pub(crate) fn online(&self) -> String {
        format!("{}online", self.prefix)
    }

    /// Sorted set (all score 0) of users whose friends were last told
    /// "online".
    pub(crate) fn announced(&self) -> String {
        format!("{}announced", self.prefix)
    }

    /// Set of a user's routes, as `route_member`.
    pub(crate) fn user(&self, user: &UserId) -> String {
        format!("{}user:{}", self.prefix, user.as_str())
    }

    /// Set of the gateways that heartbeated at least once.
    pub(crate) fn gateways(&self) -> String {
        format!("{}gateways", self.prefix)
    }

    /// The gateway's liveness key: present while it heartbeats in time.
    pub(crate) fn alive(&self, gateway: &GatewayId) -> String {
        format!("{}gw:{}:alive", self.prefix, gateway.as_str())
    }
}

/// Reads a member of a user's set: `gateway/conn`, as the scripts write
/// it (conn is decimal, so the last `/` splits it even if a gateway id
/// holds one).
pub(crate) fn parse_route_member(member: &str) -> Option<Route> {
    let (gateway, conn) = member.rsplit_once('/')?;
    Some(Route {
        gateway: GatewayId::new(gateway),
        conn: ConnId(conn.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the scripts write, in Rust.
    fn route_member(route: &Route) -> String {
        format!("{}/{}", route.gateway.as_str(), route.conn.0)
    }

    #[test]
    fn route_members_round_trip() {
        for gateway in ["g1", "gw/with/slashes", ""] {
            let r = Route {
                gateway: GatewayId::new(gateway),
                conn: ConnId(u64::MAX),
            };
            assert_eq!(parse_route_member(&route_member(&r)), Some(r));
        }
        assert_eq!(parse_route_member("g1"), None);
        assert_eq!(parse_route_member("g1/x"), None);
    }
}
