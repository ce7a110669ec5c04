//! The TUI through its library API, drawn on ratatui's `TestBackend`:
//! what a person at the terminal would see after each step.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ferrochat_chat::tui::{ChatApp, Flow};
use ferrochat_chat::Target;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use reqwest::Method;

use crate::server::{Server, WAIT};

/// The screen as text, one line per row.
fn screen(app: &ChatApp) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn key(app: &mut ChatApp, code: KeyCode) -> Flow {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE)).await
}

async fn type_text(app: &mut ChatApp, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c)).await;
    }
}

/// Moves down the list (Tab, wrapping) to the conversation labelled `label`.
async fn select(app: &mut ChatApp, label: &str) {
    for _ in 0..=app.state.convs.len() {
        if app.state.current().is_some_and(|v| v.conv.label() == label) {
            return;
        }
        assert_eq!(key(app, KeyCode::Tab).await, Flow::Continue);
    }
    panic!("no conversation {label}:\n{}", screen(app));
}

/// Hands live events to the app until `done` holds for its screen.
async fn until_screen(app: &mut ChatApp, done: impl Fn(&str) -> bool) {
    let wait = async {
        while !done(&screen(app)) {
            let ev = app.next_event().await.expect("the live stream stopped");
            app.on_event(ev).await;
        }
    };
    if tokio::time::timeout(WAIT, wait).await.is_err() {
        panic!("the screen never showed it:\n{}", screen(app));
    }
}

#[tokio::test]
async fn log_in_read_send_and_see_a_reply_arrive_live() {
    let server = Server::start().await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    bob.send(&Target::User(alice.user_id()), "hello from bob")
        .await
        .unwrap();

    let mut app = ChatApp::open(alice.clone()).await.unwrap();
    // The list is most recent first; the conversation with bob may sit
    // after the world room.
    for _ in 0..app.state.convs.len() {
        if app
            .state
            .current()
            .is_some_and(|v| v.conv.label() == "@bob")
        {
            break;
        }
        key(&mut app, KeyCode::Tab).await;
    }
    let s = screen(&app);
    assert!(s.contains("@bob"), "the conversation is listed:\n{s}");
    assert!(s.contains("world"), "the world room too:\n{s}");
    assert!(
        s.contains("bob: hello from bob"),
        "the newest is open:\n{s}"
    );

    // Opening it marked it read, on the server too.
    let listed = alice.conversations().await.unwrap();
    let with_bob = listed.iter().find(|c| c.name == "bob").unwrap();
    assert_eq!(with_bob.unread, 0, "{with_bob:?}");

    type_text(&mut app, "hi bob").await;
    assert!(
        screen(&app).contains("hi bob"),
        "typed text is in the input"
    );
    assert_eq!(key(&mut app, KeyCode::Enter).await, Flow::Continue);
    let s = screen(&app);
    assert!(s.contains("alice: hi bob (sending)"), "shown at once:\n{s}");
    until_screen(&mut app, |s| {
        s.contains("alice: hi bob") && !s.contains("(sending)")
    })
    .await;
    let history = bob
        .last_messages(&with_bob.conversation_id, 10)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["hello from bob", "hi bob"],
        "stored once"
    );

    bob.send(&Target::User(alice.user_id()), "live reply")
        .await
        .unwrap();
    until_screen(&mut app, |s| s.contains("bob: live reply")).await;
    let unread = |list: Vec<ferrochat_chat::Conversation>, label: &str| {
        list.iter().find(|c| c.label() == label).unwrap().unread
    };
    assert_eq!(
        unread(alice.conversations().await.unwrap(), "@bob"),
        0,
        "what arrives in the open conversation is read"
    );

    // A message elsewhere: a badge on that conversation, not the open one.
    bob.send(&Target::Conversation("world".into()), "to everyone")
        .await
        .unwrap();
    until_screen(&mut app, |s| s.contains("world (1)")).await;
    let s = screen(&app);
    assert!(
        !s.contains("to everyone"),
        "not shown in the open one:\n{s}"
    );
    assert_eq!(
        s.matches("hi bob").count(),
        1,
        "our own message, echoed live, is shown once:\n{s}"
    );

    // Moving to the world room opens it and reads it.
    select(&mut app, "world").await;
    let s = screen(&app);
    assert!(s.contains("bob: to everyone"), "{s}");
    assert!(!s.contains("world (1)"), "read once open:\n{s}");
    assert_eq!(unread(alice.conversations().await.unwrap(), "world"), 0);

    // A first message from someone new: the conversation joins the list.
    let carol = server.user("carol").await;
    carol
        .send(&Target::User(alice.user_id()), "hi, I'm carol")
        .await
        .unwrap();
    until_screen(&mut app, |s| s.contains("@carol (1)")).await;

    // A refused send says why and gives the text back.
    let path = format!("/api/v1/blocks/{}", alice.user_id());
    let _: serde_json::Value = bob.call(Method::POST, &path, &[], None).await.unwrap();
    select(&mut app, "@bob").await;
    type_text(&mut app, "still there?").await;
    key(&mut app, KeyCode::Enter).await;
    until_screen(&mut app, |s| {
        s.contains("not sent: error 1005: this user does not accept your messages")
    })
    .await;
    assert_eq!(app.state.input, "still there?");

    assert_eq!(key(&mut app, KeyCode::Esc).await, Flow::Quit);
    assert_eq!(app.ended(), None);

    // Logged out elsewhere: the app stops and says why.
    alice.clone().logout().await.unwrap();
    let ended = async {
        loop {
            let ev = app.next_event().await.expect("the live stream stopped");
            if app.on_event(ev).await == Flow::Quit {
                return;
            }
        }
    };
    tokio::time::timeout(WAIT, ended)
        .await
        .expect("never ended");
    assert!(
        app.ended().is_some_and(|why| why.contains("1002")),
        "{:?}",
        app.ended()
    );
}
