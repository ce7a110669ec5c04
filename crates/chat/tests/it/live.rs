//! The live stream: what was sent while it was away comes by `sync`, once
//! and in order, and a server restart costs nothing (it reconnects by
//! itself and resyncs).

use std::collections::HashMap;

use ferrochat_chat::{Live, LiveEvent, Target};

use crate::server::{next_message, Server, WAIT};

#[tokio::test]
async fn a_restart_loses_and_repeats_nothing() {
    let server = Server::start().await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    let to_alice = Target::User(alice.user_id());

    let mut live = Live::start(alice.clone(), HashMap::new());
    bob.send(&to_alice, "one").await.unwrap();
    let m = next_message(&mut live).await;
    assert_eq!((m.seq, m.content.as_str()), (1, "one"));

    let server = server.restart().await;
    // Sent while the stream reconnects, or just after: live or by `sync`,
    // each once.
    bob.send(&to_alice, "two").await.unwrap();
    bob.send(&to_alice, "three").await.unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        let m = next_message(&mut live).await;
        got.push((m.seq, m.content));
    }
    assert_eq!(got, [(2, "two".to_owned()), (3, "three".to_owned())]);
    // Nothing repeated before what comes next.
    bob.send(&to_alice, "four").await.unwrap();
    let m = next_message(&mut live).await;
    assert_eq!((m.seq, m.content.as_str()), (4, "four"));
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
    let mut got = Vec::new();
    for _ in 0..2 {
        let m = next_message(&mut live).await;
        got.push((m.seq, m.content));
    }
    assert_eq!(got, [(2, "two".to_owned()), (3, "three".to_owned())]);
    bob.send(&to_alice, "four").await.unwrap();
    let m = next_message(&mut live).await;
    assert_eq!(
        (m.seq, m.content.as_str()),
        (4, "four"),
        "nothing repeated before it"
    );
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
