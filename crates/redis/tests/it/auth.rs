//! Redis with an ACL user (Redis 6+), as a secured deployment runs it:
//! on the shared test server, a user of this test's own that may touch
//! only its key prefix. The route table works as that user, given in the
//! options or in the URL; a wrong password or an unknown user is refused
//! at open, and so is no user at all once the default user is off (which
//! this test cannot do to the shared server: `requirepass` is the same
//! AUTH path with the default user).

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::{Presence, PresenceError};
use ferrochat_redis::{RedisOptions, RedisPresence};

use crate::support::{server_url, unique_options, REDIS_ENV};

/// An ACL user limited to `prefix`, removed when dropped.
struct AclUser {
    url: String,
    name: String,
    password: String,
}

impl AclUser {
    async fn create(prefix: &str) -> Self {
        let url = server_url(REDIS_ENV);
        let id = uuid::Uuid::new_v4().simple().to_string();
        let user = Self {
            url,
            name: format!("ft-{id}"),
            password: format!("pw-{id}"),
        };
        let mut admin = user.admin().await;
        let _: () = redis::cmd("ACL")
            .arg("SETUSER")
            .arg(&user.name)
            .arg("reset")
            .arg("on")
            .arg(format!(">{}", user.password))
            .arg(format!("~{prefix}*"))
            .arg("+@all")
            .query_async(&mut admin)
            .await
            .unwrap();
        user
    }

    async fn admin(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    async fn delete(self) {
        let mut admin = self.admin().await;
        let _: i64 = redis::cmd("ACL")
            .arg("DELUSER")
            .arg(&self.name)
            .query_async(&mut admin)
            .await
            .unwrap();
    }
}

async fn works(presence: &RedisPresence) {
    let user = UserId::generate();
    let route = Route {
        gateway: GatewayId::new("g1"),
        conn: ConnId(1),
    };
    assert!(presence.connect(&user, &route).await.unwrap());
    assert_eq!(presence.routes(&[user]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_acl_user_opens_the_route_table_and_a_wrong_password_does_not() {
    let options = unique_options();
    let acl = AclUser::create(&options.prefix).await;

    let as_user = RedisOptions {
        username: Some(acl.name.clone()),
        password: Some(acl.password.clone()),
        ..options.clone()
    };
    works(&RedisPresence::open(&acl.url, &as_user).await.unwrap()).await;

    // The same user named in the URL instead.
    let (scheme, rest) = acl.url.split_once("://").unwrap();
    let in_url = format!("{scheme}://{}:{}@{rest}", acl.name, acl.password);
    works(&RedisPresence::open(&in_url, &options).await.unwrap()).await;

    let wrong = RedisOptions {
        password: Some("not-the-password".into()),
        ..as_user.clone()
    };
    let refused = RedisPresence::open(&acl.url, &wrong).await;
    assert!(
        matches!(refused, Err(PresenceError::Unavailable(_))),
        "{:?}",
        refused.err()
    );
    let unknown = RedisOptions {
        username: Some(format!("{}-nobody", acl.name)),
        ..as_user.clone()
    };
    assert!(RedisPresence::open(&acl.url, &unknown).await.is_err());

    // The user may not leave its prefix: what another deployment keeps
    // under another prefix is out of its reach.
    let elsewhere = RedisOptions {
        prefix: format!("{}other:", options.prefix.trim_end_matches(':')),
        ..as_user
    };
    let other = RedisPresence::open(&acl.url, &elsewhere).await.unwrap();
    let route = Route {
        gateway: GatewayId::new("g1"),
        conn: ConnId(1),
    };
    assert!(other.connect(&UserId::generate(), &route).await.is_err());

    acl.delete().await;
}
