//! The second stage: group commit. Jobs are taken in arrival order, as
//! many as are waiting (up to `commit_batch_max`), committed in one store
//! call, and passed on in the same order with their outcome; refused jobs
//! pass through in their place.

use std::time::Instant;

use ferrochat_ports::store::{Committed, NewMessage};
use ferrochat_ports::{ApiError, StoreError};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{Finished, Job, Outcome, Pipeline, Work};
use crate::messaging::changes::refused;
use crate::messaging::measure;

impl Pipeline {
    pub(super) async fn commit(
        self,
        mut jobs: mpsc::Receiver<Job>,
        out: mpsc::Sender<Finished>,
        checked: CancellationToken,
    ) {
        let max = self.config.commit_batch_max.max(1);
        let mut batch: Vec<Job> = Vec::with_capacity(max);
        loop {
            let first = tokio::select! {
                biased;
                j = jobs.recv() => match j {
                    Some(j) => j,
                    None => break,
                },
                _ = checked.cancelled() => match jobs.try_recv() {
                    Ok(j) => j,
                    Err(_) => break,
                },
            };
            batch.push(first);
            while batch.len() < max {
                match jobs.try_recv() {
                    Ok(j) => batch.push(j),
                    Err(_) => break,
                }
            }
            for finished in self.commit_batch(&mut batch).await {
                if out.send(finished).await.is_err() {
                    return;
                }
            }
        }
        tracing::debug!("committer stopped");
    }

    /// Commits the batch's messages in one store call; every job comes
    /// back, in order, with its outcome.
    async fn commit_batch(&self, batch: &mut Vec<Job>) -> Vec<Finished> {
        let messages: Vec<NewMessage> = batch
            .iter()
            .filter_map(|j| match &j.work {
                Work::Commit(m) => Some(m.clone()),
                Work::Refused(_) => None,
            })
            .collect();
        let mut committed = if messages.is_empty() {
            Ok(Vec::new().into_iter())
        } else {
            let started = Instant::now();
            // One store call for the whole batch: the span of a batch
            // of several sends' traces (their repo call joins it).
            let traced = ferrochat_trace::shared(
                "logic.commit",
                batch.iter().filter_map(|j| j.trace.as_ref()),
            );
            let result = self
                .store
                .commit_messages(&messages)
                .instrument(traced)
                .await;
            measure::committed(started.elapsed(), messages.len());
            match result {
                Ok(c) if c.len() == messages.len() => Ok(c.into_iter()),
                Ok(_) => {
                    tracing::error!("store answered a commit with the wrong number of results");
                    Err(ApiError::internal())
                }
                Err(e) => {
                    tracing::error!(error = %e, batch.len = messages.len(), "commit failed");
                    Err(answer_for(&e))
                }
            }
        };
        batch
            .drain(..)
            .map(|j| {
                let outcome = match j.work {
                    Work::Refused(e) => Outcome::Refused(e),
                    Work::Commit(_) => match &mut committed {
                        Ok(c) => match c.next() {
                            Some(Committed::Stored(message)) => Outcome::Committed {
                                message: Box::new(message),
                                fresh: true,
                            },
                            Some(Committed::Duplicate(message)) => Outcome::Committed {
                                message: Box::new(message),
                                fresh: false,
                            },
                            Some(Committed::Refused(r)) => Outcome::Refused(refused(r)),
                            None => Outcome::Failed(ApiError::internal()),
                        },
                        Err(e) => Outcome::Failed(e.clone()),
                    },
                };
                Finished {
                    outcome,
                    origin: j.origin,
                    position: j.position,
                    entered: j.entered,
                    trace: j.trace,
                }
            })
            .collect()
    }
}

/// What a sender is told when its batch could not be committed: a store
/// that is out of reach is a reason to retry (1009, same client_msg_id);
/// anything else is an internal error.
fn answer_for(e: &StoreError) -> ApiError {
    match e {
        StoreError::Unavailable(_) => {
            ApiError::unavailable("server busy, retry the send with the same client_msg_id")
        }
        _ => ApiError::internal(),
    }
}
