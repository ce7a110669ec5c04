//! Asks that arrive together, answered by one Redis call.
//!
//! The send limiter is asked once per send and the shared cache a few
//! times per send, from many tasks at once. Each ask queues here with
//! where its answer goes; one task takes the first ask and whatever has
//! arrived meanwhile, makes one call for all of them and answers each in
//! order. Nothing waits on a timer: a lone ask is one call as before, and
//! under load one call serves the asks that arrived while the previous
//! one was on its way, instead of a script run and a round trip each.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

/// Where one ask's answer goes.
pub(crate) type Reply<T, E> = oneshot::Sender<Result<T, E>>;

/// The queue of asks a task answers with `serve`.
pub(crate) type Asks<Q, T, E> = mpsc::Sender<(Q, Reply<T, E>)>;

/// Asks most waiting at once; an ask past it waits for room.
pub(crate) const QUEUE: usize = 4096;

/// Queues `question` and waits for its answer; `unavailable` makes the
/// error of a task that stopped.
pub(crate) async fn ask<Q, T, E>(
    asks: &Asks<Q, T, E>,
    question: Q,
    unavailable: fn(String) -> E,
) -> Result<T, E> {
    let (reply, answer) = oneshot::channel();
    let stopped = || unavailable("the task answering it stopped".to_owned());
    asks.send((question, reply)).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

/// Answers what arrives on `rx` until every sender is gone, at most `most`
/// asks per `call`. `call` answers its asks in order, one result each; an
/// error of the whole call, or a wrong count of answers, fails every ask
/// of that call.
pub(crate) async fn serve<Q, T, E, F, Fut>(
    mut rx: mpsc::Receiver<(Q, Reply<T, E>)>,
    most: usize,
    unavailable: fn(String) -> E,
    mut call: F,
) where
    E: Clone,
    F: FnMut(Vec<Q>) -> Fut,
    Fut: Future<Output = Result<Vec<Result<T, E>>, E>>,
{
    while let Some(first) = rx.recv().await {
        let mut asks = vec![first];
        while asks.len() < most {
            match rx.try_recv() {
                Ok(ask) => asks.push(ask),
                Err(_) => break,
            }
        }
        let (questions, replies): (Vec<Q>, Vec<Reply<T, E>>) = asks.into_iter().unzip();
        let count = replies.len();
        let answers = match call(questions).await {
            Ok(answers) if answers.len() == count => answers,
            Ok(answers) => {
                let e = unavailable(format!("redis: {} answers for {count} asks", answers.len()));
                (0..count).map(|_| Err(e.clone())).collect()
            }
            Err(e) => (0..count).map(|_| Err(e.clone())).collect(),
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            // An asker that stopped waiting is no one to tell.
            let _ = reply.send(answer);
        }
    }
}
