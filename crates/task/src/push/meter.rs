//! The push metrics, named in one place.

use std::time::Duration;

use super::PushOutcome;

/// One call to the webhook.
pub(super) fn attempt() {
    metrics::counter!("ferrochat_push_attempts_total").increment(1);
}

/// A push ended, after `took` (its retries included).
pub(super) fn finished(outcome: PushOutcome, took: Duration) {
    let name = match outcome {
        PushOutcome::Delivered => "ferrochat_push_delivered_total",
        PushOutcome::Refused => "ferrochat_push_failed_permanently_total",
        PushOutcome::GaveUp => "ferrochat_push_gave_up_total",
    };
    metrics::counter!(name).increment(1);
    metrics::histogram!("ferrochat_push_seconds").record(took.as_secs_f64());
}

/// A push dropped because the queue was full.
pub(super) fn dropped() {
    metrics::counter!("ferrochat_push_dropped_total").increment(1);
}

/// A send to a phone provider ended (its retries included); `provider`
/// is `fcm` or `apns`.
pub(super) fn sent(provider: &'static str, outcome: super::SendOutcome) {
    metrics::counter!("ferrochat_push_sends_total", "provider" => provider, "outcome" => outcome.label())
        .increment(1);
}

/// A recipient not told because they muted the conversation.
pub(super) fn muted() {
    metrics::counter!("ferrochat_push_muted_total").increment(1);
}

/// Devices or conversations not read: those phones were not told.
pub(crate) fn store_error() {
    metrics::counter!("ferrochat_push_store_errors_total").increment(1);
}
