//! Presence: friends hear when your first connection opens and (after a
//! debounce) when your last one closes; strangers hear nothing.

use std::time::Duration;

use serde_json::Value;

use crate::support::{spawn_app_with, TestApp};
use crate::ws::WsClient;
use ferrochat_test_support::PrivateRedis;

/// Presence frames about `user_id` among `frames`.
fn about<'a>(frames: &'a [Value], user_id: &str) -> Vec<&'a Value> {
    frames
        .iter()
        .filter(|f| f["type"] == "presence" && f["data"]["user_id"] == user_id)
        .collect()
}

/// The next presence frame about `user_id`; returns its `online`.
async fn next_presence(ws: &mut WsClient, user_id: &str) -> bool {
    let f = ws
        .recv_until(|f| f["type"] == "presence" && f["data"]["user_id"] == user_id)
        .await;
    f["data"]["online"]
        .as_bool()
        .unwrap_or_else(|| panic!("online is a bool: {f}"))
}

/// `online` of `friend_id` in `token`'s GET /friends.
async fn listed_online(app: &TestApp, token: &str, friend_id: &str) -> bool {
    let list = app.friends(token).await;
    let f = list
        .iter()
        .find(|f| f["user_id"] == friend_id)
        .unwrap_or_else(|| panic!("{friend_id} is not listed: {list:?}"));
    f["online"].as_bool().unwrap()
}

#[tokio::test]
async fn friends_hear_the_first_open_and_the_last_close_and_strangers_nothing() {
    let delay = Duration::from_millis(200);
    let app = spawn_app_with(|c| c.messaging.presence_offline_delay = delay).await;
    let a = app.new_user("pa").await;
    let b = app.new_user("pb").await;
    let s = app.new_user("ps").await;
    let ex = app.new_user("pex").await;
    app.make_friends(&a, &b).await;
    app.make_friends(&ex, &a).await;
    app.unfriend(&a.access, &ex.user_id).await.ok();
    let mut bw = app.ws_connect(&b.access).await;
    let mut sw = app.ws_connect(&s.access).await;
    let mut exw = app.ws_connect(&ex.access).await;
    assert!(!listed_online(&app, &b.access, &a.user_id).await);

    // Alice's first connection: Bob hears she is online.
    let mut a1 = app.ws_connect(&a.access).await;
    assert!(next_presence(&mut bw, &a.user_id).await, "online first");
    assert!(listed_online(&app, &b.access, &a.user_id).await);
    assert!(listed_online(&app, &a.access, &b.user_id).await);

    // A second device, and closing the first: nothing to tell.
    let phone = app.second_session(&a).await;
    let a2 = app.ws_connect(&phone).await;
    a1.ping().await;
    a1.close().await;
    let frames = bw.settle(delay * 5).await;
    assert!(about(&frames, &a.user_id).is_empty(), "{frames:?}");
    assert!(listed_online(&app, &b.access, &a.user_id).await);

    // Closing the last one: Bob hears she is offline.
    a2.close().await;
    assert!(!next_presence(&mut bw, &a.user_id).await, "then offline");
    assert!(!listed_online(&app, &b.access, &a.user_id).await);
    let frames = bw.settle(delay * 2).await;
    assert!(about(&frames, &a.user_id).is_empty(), "once: {frames:?}");

    // A stranger and an ex-friend heard nothing of Alice (or Bob).
    for (ws, who) in [(&mut sw, "stranger"), (&mut exw, "ex-friend")] {
        let frames = ws.settle(delay * 2).await;
        let presence: Vec<&Value> = frames.iter().filter(|f| f["type"] == "presence").collect();
        assert!(presence.is_empty(), "the {who} got {presence:?}");
    }
}

#[tokio::test]
async fn bob_going_online_reaches_his_online_friend() {
    let delay = Duration::from_millis(200);
    let app = spawn_app_with(|c| c.messaging.presence_offline_delay = delay).await;
    let a = app.new_user("oa").await;
    let b = app.new_user("ob").await;
    app.make_friends(&b, &a).await;
    let mut aw = app.ws_connect(&a.access).await;
    let bw = app.ws_connect(&b.access).await;
    assert!(next_presence(&mut aw, &b.user_id).await);
    assert!(listed_online(&app, &a.access, &b.user_id).await);
    bw.close().await;
    assert!(!next_presence(&mut aw, &b.user_id).await);
    assert!(!listed_online(&app, &a.access, &b.user_id).await);
    // And online again on a new connection.
    let _bw = app.ws_connect(&b.access).await;
    assert!(next_presence(&mut aw, &b.user_id).await);
}

#[tokio::test]
async fn a_reconnect_within_the_debounce_tells_friends_nothing() {
    let delay = Duration::from_secs(3);
    let app = spawn_app_with(|c| c.messaging.presence_offline_delay = delay).await;
    let a = app.new_user("da").await;
    let b = app.new_user("db").await;
    app.make_friends(&a, &b).await;
    let mut bw = app.ws_connect(&b.access).await;
    let aw = app.ws_connect(&a.access).await;
    assert!(next_presence(&mut bw, &a.user_id).await);

    // Drop and reconnect at once.
    aw.close().await;
    let aw = app.ws_connect(&a.access).await;
    let frames = bw.settle(delay + Duration::from_secs(2)).await;
    assert!(about(&frames, &a.user_id).is_empty(), "{frames:?}");
    assert!(listed_online(&app, &b.access, &a.user_id).await);

    // Gone for good: offline, after the delay.
    aw.close().await;
    assert!(!next_presence(&mut bw, &a.user_id).await);
    assert!(!listed_online(&app, &b.access, &a.user_id).await);
}

// A client that has its 101 is in the route table already, so whatever is
// committed from then on is pushed to it: were it recorded only once the
// socket was up, a message sent right after the connect (or after the
// sync a client makes once connected) would reach nobody. With the route
// table's Redis frozen, the upgrade is not answered (the route cannot be
// recorded); once Redis answers, it is, and the route is there.
#[tokio::test]
async fn a_connection_is_routed_before_its_upgrade_is_answered() {
    let redis = PrivateRedis::start().await;
    let url = redis.url();
    let app = spawn_app_with(move |c| {
        c.presence.redis_url = Some(url);
        c.presence.redis_prefix = "routed:".to_owned();
    })
    .await;
    let watcher = app.new_user("rw").await;
    let user = app.new_user("ru").await;
    app.make_friends(&watcher, &user).await;

    redis.pause();
    // The upgrade alone, nothing after it (`ws_connect` also waits for a
    // pong, which the server sends only once it serves the socket).
    let connecting = {
        let url = format!("{}?token={}", app.ws_url(), user.access);
        tokio::spawn(async move { tokio_tungstenite::connect_async(url.as_str()).await })
    };
    // Time for an upgrade answered without the route to arrive; the
    // answer must not come while the route cannot be recorded.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let answered_while_frozen = connecting.is_finished();
    redis.resume();
    assert!(
        !answered_while_frozen,
        "the upgrade was answered before the route was recorded"
    );
    let (_ws, answer) = connecting
        .await
        .expect("the upgrade task")
        .expect("the upgrade is answered once Redis is");
    assert_eq!(answer.status().as_u16(), 101);
    assert!(listed_online(&app, &watcher.access, &user.user_id).await);
}
