//! `Pusher` against the receiver: what is retried, what is not, and
//! what a call carries.

use std::time::Duration;

use ferrochat_domain::UserId;
use ferrochat_task::push::receiver::{Answer, Receiver};
use ferrochat_task::push::{PushOutcome, Pusher};

use crate::{config, message, WAIT};

async fn push(pusher: &Pusher, recipients: &[UserId]) -> (PushOutcome, ferrochat_domain::Message) {
    let m = message(1);
    let outcome = tokio::time::timeout(WAIT, pusher.push(&m, recipients))
        .await
        .expect("the push ends");
    (outcome, m)
}

#[tokio::test]
async fn a_2xx_delivers_at_once_with_body_and_key() {
    let receiver = Receiver::start().await;
    let pusher = Pusher::build(&config(receiver.url())).unwrap().unwrap();
    let to = vec![UserId::generate(), UserId::generate()];
    let (outcome, m) = push(&pusher, &to).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].message_id(), m.id.as_str());
    assert_eq!(calls[0].body["message"]["content"], "message 1");
    assert_eq!(calls[0].body["message"]["from_user_id"], m.from.as_str());
    assert_eq!(
        calls[0].recipients(),
        vec![to[0].to_string(), to[1].to_string()]
    );
    let key = calls[0].idempotency_key.as_deref().expect("a key");
    assert!(key.starts_with(m.id.as_str()), "{key}");
}

#[tokio::test]
async fn two_503s_then_the_third_attempt_lands_with_the_same_key() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(503), Answer::Status(503)]);
    let pusher = Pusher::build(&config(receiver.url())).unwrap().unwrap();
    let (outcome, m) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        vec![Some(503), Some(503), Some(200)]
    );
    for c in &calls {
        assert_eq!(c.message_id(), m.id.as_str());
        assert_eq!(c.idempotency_key, calls[0].idempotency_key);
        assert_eq!(c.body, calls[0].body);
    }
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(400)]);
    let pusher = Pusher::build(&config(receiver.url())).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Refused);
    assert_eq!(receiver.calls().len(), 1);
}

#[tokio::test]
async fn timeouts_and_rate_limits_are_retried() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(408), Answer::Status(429)]);
    let pusher = Pusher::build(&config(receiver.url())).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    assert_eq!(receiver.calls().len(), 3);
}

#[tokio::test]
async fn it_gives_up_after_max_attempts() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Status(500); 10]);
    let mut c = config(receiver.url());
    c.max_attempts = 3;
    let pusher = Pusher::build(&c).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::GaveUp);
    assert_eq!(receiver.calls().len(), 3);
}

#[tokio::test]
async fn a_hung_call_times_out_and_is_retried() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::Hang]);
    let mut c = config(receiver.url());
    c.timeout = Duration::from_millis(200);
    let pusher = Pusher::build(&c).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].status, None);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_given_up() {
    // A port that was just free: nothing listens there.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut c = config(format!("http://{addr}/push"));
    c.max_attempts = 2;
    let pusher = Pusher::build(&c).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::GaveUp);
}

/// With a backoff far beyond the hang guard, only `Retry-After: 0` lets
/// the retry come in time: the receiver's wait wins over the backoff.
#[tokio::test]
async fn retry_after_replaces_the_backoff() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::RetryAfter(503, 0)]);
    let mut c = config(receiver.url());
    c.backoff_initial = Duration::from_secs(3600);
    c.backoff_max = Duration::from_secs(3600);
    let pusher = Pusher::build(&c).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    assert_eq!(receiver.calls().len(), 2);
}

/// A `Retry-After` of an hour is cut to `backoff_max`.
#[tokio::test]
async fn retry_after_is_capped_by_backoff_max() {
    let receiver = Receiver::start().await;
    receiver.answer([Answer::RetryAfter(429, 3600)]);
    let pusher = Pusher::build(&config(receiver.url())).unwrap().unwrap();
    let (outcome, _) = push(&pusher, &[UserId::generate()]).await;
    assert_eq!(outcome, PushOutcome::Delivered);
    assert_eq!(receiver.calls().len(), 2);
}

#[tokio::test]
async fn no_url_means_no_pusher() {
    let c = ferrochat_task::push::PushConfig::default();
    assert!(Pusher::build(&c).unwrap().is_none());
}
