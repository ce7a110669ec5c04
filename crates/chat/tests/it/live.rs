//! The live stream: what was sent while it was away comes by `sync`, once
//! and in order, and a server restart costs nothing (it reconnects by
//! itself and resyncs).

use std::collections::HashMap;
use std::time::Duration;

use ferrochat_chat::{Live, LiveEvent, Session, Target};

use crate::server::{next_message, Server, WAIT};

/// The next messages are `want` (seq, content), in that order.
async fn expect(live: &mut Live, want: &[(u64, &str)]) {
    let mut got = Vec::new();
    for _ in want {
        let m = next_message(live).await;
        got.push((m.seq, m.content));
    }
    let want: Vec<(u64, String)> = want.iter().map(|&(s, c)| (s, c.to_owned())).collect();
    assert_eq!(got, want);
}

/// Sends one more: the next message is it (`seq`), nothing before it.
async fn nothing_repeated(from: &Session, to: &Target, live: &mut Live, seq: u64) {
    from.send(to, "marker").await.unwrap();
    expect(live, &[(seq, "marker")]).await;
}

#[tokio::test]
async fn a_restart_loses_and_repeats_nothing() {
    let server = Server::start().await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    let to_alice = Target::User(alice.user_id());

    let mut live = Live::start(alice.clone(), HashMap::new());
    bob.send(&to_alice, "one").await.unwrap();
    expect(&mut live, &[(1, "one")]).await;

    let server = server.restart().await;
    // Sent while the stream reconnects, or just after: live or by `sync`,
    // each once.
    bob.send(&to_alice, "two").await.unwrap();
    bob.send(&to_alice, "three").await.unwrap();
    expect(&mut live, &[(2, "two"), (3, "three")]).await;
    nothing_repeated(&bob, &to_alice, &mut live, 4).await;
    drop(server);
}

#[tokio::test]
async fn what_was_missed_comes_by_sync_from_the_cursor_once() {
    let server = Server::start().await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    let to_alice = Target::User(alice.user_id());
    for text in ["one", "two", "three"] {
        bob.send(&to_alice, text).await.unwrap();
    }
    let list = alice.conversations().await.unwrap();
    let with_bob = list.iter().find(|c| c.kind == "single").unwrap();
    let world = list.iter().find(|c| c.kind == "world").unwrap();
    // As a client that had seen up to "one".
    let cursors = HashMap::from([
        (with_bob.conversation_id.clone(), 1),
        (world.conversation_id.clone(), world.last_seq),
    ]);
    let mut live = Live::start(alice.clone(), cursors);
    expect(&mut live, &[(2, "two"), (3, "three")]).await;
    nothing_repeated(&bob, &to_alice, &mut live, 4).await;
}

#[tokio::test]
async fn a_logged_out_session_ends_the_stream() {
    let server = Server::start().await;
    let alice = server.user("alice").await;
    let mut live = Live::start(alice.clone(), HashMap::new());
    let wait = async {
        while let Some(ev) = live.next().await {
            match ev {
                LiveEvent::Synced => alice.clone().logout().await.unwrap(),
                LiveEvent::Ended(why) => return why,
                _ => {}
            }
        }
        panic!("the stream stopped without saying why");
    };
    let why = tokio::time::timeout(WAIT, wait).await.expect("never ended");
    assert!(why.contains("1002"), "{why}");
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_on_the_open_connection() {
    let ttl = Duration::from_secs(6);
    let server = Server::start_with(|c| c.auth.access_ttl = ttl).await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    let first = alice.access_token();
    let mut live = Live::start(alice.clone(), HashMap::new());
    // Past the first token's life, on purpose: the server closes a socket
    // whose token expired (4001) unless an `auth` frame renewed it.
    let past_expiry = tokio::time::sleep(ttl + ttl / 2);
    tokio::pin!(past_expiry);
    loop {
        tokio::select! {
            () = &mut past_expiry => break,
            ev = live.next() => match ev {
                Some(LiveEvent::Disconnected(why)) => panic!("the connection dropped: {why}"),
                Some(LiveEvent::Ended(why)) => panic!("the session ended: {why}"),
                None => panic!("the live stream stopped"),
                Some(_) => {}
            },
        }
    }
    assert_ne!(alice.access_token(), first, "renewed");
    bob.send(&Target::User(alice.user_id()), "still here")
        .await
        .unwrap();
    expect(&mut live, &[(1, "still here")]).await;
}
