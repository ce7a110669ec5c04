//! Conformance suites, for adapters' tests: the store suite below and the
//! presence suite in `presence/` (`presence_conformance_tests!`).
//!
//! The store suite: one set of cases that every `Store` adapter must pass,
//! case for case (SQLite, MariaDB/MySQL, PostgreSQL).
//!
//! Each case is an `async fn(Arc<dyn Store>)` that gets a fresh, empty
//! store and panics on a failed check. An adapter's `tests/it` runs them
//! all with one line:
//!
//! ```ignore
//! ferrochat_test_support::store_conformance_tests!(crate::fresh_store);
//! ```
//!
//! where `fresh_store()` is an `async fn() -> Fresh`. The macro makes one
//! `#[tokio::test]` per case, so a new case runs on every backend at once
//! (the adapter's test crate needs `tokio` as a dev-dependency).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod accounts;
pub mod attachments;
pub mod bus;
pub mod changes;
pub mod devices;
pub mod directory;
pub mod external;
pub mod fixtures;
pub mod groups;
pub mod marks;
pub mod messages;
pub mod moderation;
pub mod pins;
pub mod presence;
pub mod search;
pub mod social;
pub mod uploads;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ferrochat_ports::Store;

/// A fresh, empty store for one case, and how to clean up after it.
pub struct Fresh {
    pub store: Arc<dyn Store>,
    cleanup: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Fresh {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cleanup: None,
        }
    }

    /// `cleanup` runs after a case passed, once the store is closed (a
    /// server-backed adapter drops the case's database there).
    pub fn with_cleanup(
        store: Arc<dyn Store>,
        cleanup: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        Self {
            store,
            cleanup: Some(Box::pin(cleanup)),
        }
    }

    /// Closes the store, then cleans up.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some(c) = self.cleanup {
            c.await;
        }
    }
}

/// One `#[tokio::test]` per conformance case, each on a store from
/// `$fresh` (an `async fn() -> Fresh`).
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:path) => {
        $crate::store_conformance_tests!(@cases $fresh;
            accounts::accounts_roundtrip,
            accounts::username_conflict_ignores_case,
            accounts::new_users_join_world_with_nothing_unread,
            directory::the_directory_finds_by_prefix_and_hides_who_it_must,
            accounts::sessions_and_revocation,
            accounts::refresh_rotation_and_reuse,
            accounts::concurrent_refreshes_rotate_once,
            accounts::a_users_sessions_are_listed_and_ended_together,
            accounts::an_email_is_one_accounts_and_a_status_anyones,
            devices::a_session_has_one_device_and_a_token_one_session,
            devices::devices_live_and_die_with_their_sessions,
            devices::dead_tokens_are_forgotten_and_pushes_find_every_users,
            external::a_subject_is_linked_to_one_account_made_once,
            external::a_taken_username_stores_neither_user_nor_link,
            external::concurrent_first_sights_make_one_account,
            external::an_erased_account_keeps_its_link,
            social::an_erased_account_keeps_its_row_and_loses_every_tie,
            moderation::admins_and_disabled_accounts_are_kept_with_their_log,
            moderation::the_user_list_pages_every_account_by_name,
            moderation::reports_are_kept_listed_and_resolved_once,
            moderation::world_mutes_are_set_with_their_log,
            moderation::sanctions_are_set_lifted_and_the_world_bans_listed,
            messages::commit_assigns_gap_free_seq,
            messages::commit_dedups_by_client_msg_id,
            messages::content_and_keys_are_kept_byte_for_byte,
            messages::commit_run_again_answers_as_the_first_time,
            messages::a_resend_to_another_conversation_is_a_duplicate,
            messages::failed_commit_stores_nothing,
            messages::concurrent_writers_to_one_conversation,
            messages::concurrent_writers_across_conversations,
            messages::history_pages,
            messages::cursors_move_forward_only_and_cap,
            messages::concurrent_cursor_updates_never_move_back,
            messages::open_single_is_idempotent,
            messages::concurrent_open_single_gives_one_conversation,
            messages::conversation_views,
            messages::member_ids_page_in_id_order,
            changes::replies_edits_and_recalls_take_their_own_seq,
            changes::a_resent_change_is_a_duplicate,
            changes::reactions_are_kept_once_counted_and_seen_per_reader,
            pins::pins_are_kept_once_limited_and_undone_by_recall,
            marks::mentions_flag_members_until_they_read,
            marks::hidden_messages_leave_only_their_members_history,
            search::search_finds_what_is_committed_now_for_members_only,
            search::search_finds_syntax_words_and_letters_past_ascii,
            search::search_pages_newest_first_across_chunks,
            groups::groups_membership_and_limits,
            groups::concurrent_joins_respect_max_members,
            groups::add_members_is_all_or_none,
            groups::roles_mutes_transfer_and_dissolve,
            groups::update_group_sets_only_what_it_names,
            social::friend_requests_and_friendships,
            social::one_pending_request_per_direction,
            social::blocks_are_idempotent,
            attachments::attachments_are_kept_bound_once_and_counted,
            attachments::unsent_attachments_are_found_and_deleted,
            uploads::uploads_advance_once_per_offset_and_finish_into_attachments,
            uploads::unfinished_uploads_are_swept_with_unsent_attachments,
            uploads::an_owners_attachments_are_listed_in_pages,
            uploads::an_erased_accounts_unsent_files_are_swept_at_once,
            store::ping_answers,
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fresh = $fresh().await;
                $crate::conformance::$module::$case(fresh.store.clone()).await;
                fresh.finish().await;
            }
        )*
    };
}

/// The store's own lifecycle.
pub mod store {
    use std::sync::Arc;

    use ferrochat_ports::Store;

    pub async fn ping_answers(store: Arc<dyn Store>) {
        store.ping().await.expect("a fresh store answers ping");
    }
}
