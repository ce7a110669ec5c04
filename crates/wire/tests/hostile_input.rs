//! Fuzzing the decoders of what clients send, on stable Rust: every
//! request body, query and WebSocket frame decoder gets arbitrary JSON
//! (random shapes, plus the real field names with values of every type,
//! huge and negative numbers, control characters, long strings) and
//! arbitrary text, and must answer `Ok` or a field error, never panic.
//! What it accepts stays within the contract's bounds. A case proptest
//! finds is kept in `hostile_input.proptest-regressions` and replayed on
//! every run.

// Test code: a panic is the failure report.
#![allow(clippy::indexing_slicing)]

use ferrochat_domain::commands::{
    ChangePassword, CreateGroup, History, Login, Register, SearchUsers, SyncRequest,
    UpdateConversation, UpdateGroup, UpdateMember, UpdateProfile,
};
use ferrochat_domain::groups::MembersPage;
use ferrochat_domain::push::RegisterDevice;
use ferrochat_domain::search::{SearchMessages, MAX_QUERY_TERMS};
use ferrochat_wire::accounts::{
    LoginBody, RefreshBody, RegisterBody, SearchUsersParams, UpdateProfileBody,
};
use ferrochat_wire::devices::RegisterDeviceBody;
use ferrochat_wire::frame::ClientFrame;
use ferrochat_wire::lifecycle::{ChangePasswordBody, DeleteAccountBody, ResetPasswordBody};
use ferrochat_wire::messaging::{
    CreateConversationBody, CreateGroupBody, DeleteMessagesBody, EditMessageBody, ForwardBody,
    HistoryParams, PinBody, ReactBody, ReadBody, RecallMessageBody, SendBody, SendMessageBody,
    SyncBody, TypingBody, UnpinBody, UnreactBody, UpdateConversationBody, UpdateGroupBody,
    MAX_FORWARD,
};
use ferrochat_wire::search::SearchMessagesParams;
use ferrochat_wire::social::{
    FriendRequestBody, MembersParams, TransferBody, UpdateMemberBody, UserIdsBody,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

const MAX_CONTENT: usize = 16 * 1024;

/// The names fields have in the API, so random objects hit real fields.
const FIELDS: &[&str] = &[
    "conversation_id",
    "to_user_id",
    "group_id",
    "client_msg_id",
    "content",
    "message_type",
    "reply_to",
    "mentions",
    "mention_all",
    "seq",
    "seqs",
    "emoji",
    "to_conversation_id",
    "to_group_id",
    "peer_user_id",
    "read_seq",
    "muted",
    "pinned",
    "after_seq",
    "before_seq",
    "limit",
    "cursors",
    "name",
    "description",
    "member_ids",
    "join_policy",
    "max_members",
    "avatar",
    "announcement",
    "username",
    "password",
    "nickname",
    "device_id",
    "refresh_token",
    "message",
    "user_ids",
    "user_id",
    "role",
    "muted_until",
    "after",
    "token",
    "type",
    "id",
    "data",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        (0i64..100).prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        "[0-9a-f-]{36}".prop_map(Value::String),
        Just(Value::String(ID.into())),
        (1usize..70_000).prop_map(|n| Value::String("x".repeat(n))),
        "[\\x00-\\x1f\"\\\\]{0,20}".prop_map(Value::String),
    ]
}

/// Arbitrary JSON, objects keyed by real field names or random ones.
fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELDS).prop_map(str::to_owned),
                        ".{0,12}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const ID: &str = "01a2b3c4-0000-7000-8000-000000000001";

/// A valid request of each kind, so that mutations reach past the first
/// field a decoder reads.
fn templates() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"conversation_id": "world", "client_msg_id": "c1", "content": "hi", "message_type": "text", "reply_to": 1, "mentions": [ID], "mention_all": false}),
        json!({"to_user_id": ID, "client_msg_id": "c1", "content": "hi"}),
        json!({"group_id": ID, "client_msg_id": "c1", "content": "hi"}),
        json!({"conversation_id": ID, "seq": 3, "client_msg_id": "c2", "content": "edited", "emoji": "👍"}),
        json!({"conversation_id": ID, "seqs": [1, 2, 3], "to_group_id": ID, "client_msg_id": "f"}),
        json!({"conversation_id": ID, "seqs": [1, 2], "to_user_id": ID, "to_conversation_id": null, "client_msg_id": "f"}),
        json!({"peer_user_id": ID, "read_seq": 4, "muted": true, "pinned": false}),
        json!({"conversation_id": ID, "after_seq": "1", "before_seq": "9", "limit": "20"}),
        json!({"cursors": {"world": 3, ID: 0}, "limit": 10}),
        json!({"name": "g", "description": "d", "member_ids": [ID], "join_policy": "invite", "max_members": 10, "avatar": "https://a/b.png", "announcement": "a"}),
        json!({"username": "alice", "password": "correct horse", "nickname": "Alice", "device_id": "d", "avatar": "https://a/b.png"}),
        json!({"current_password": "correct horse", "new_password": "battery staple"}),
        json!({"refresh_token": "abc", "to_user_id": ID, "message": "hi", "user_ids": [ID, ID], "user_id": ID}),
        json!({"role": "admin", "muted_until": "2030-01-01T00:00:00Z", "after": ID, "limit": "5"}),
        json!({"q": "mar", "after": "martin", "limit": "20"}),
    ]
}

/// A valid request with a few fields removed or replaced by anything:
/// mostly its own fields (which the decoder reads), sometimes others.
fn mutated() -> impl Strategy<Value = Value> {
    // Mostly a scalar in place of a field, sometimes a whole structure.
    let value = prop_oneof![scalar(), scalar(), scalar(), json()];
    let edit = (any::<usize>(), any::<bool>(), prop::option::of(value));
    (
        prop::sample::select(templates()),
        prop::collection::vec(edit, 0..4),
    )
        .prop_map(|(mut v, edits)| {
            if let Value::Object(fields) = &mut v {
                for (pick, own, value) in edits {
                    let keys: Vec<String> = fields.keys().cloned().collect();
                    let key = match keys.get(pick % keys.len().max(1)) {
                        Some(k) if own => k.clone(),
                        _ => FIELDS[pick % FIELDS.len()].to_owned(),
                    };
                    match value {
                        Some(x) => fields.insert(key, x),
                        None => fields.remove(&key),
                    };
                }
            }
            v
        })
}

/// Decodes `v` as `B` and runs `check` on it: errors are fine, panics not.
fn try_body<B: serde::de::DeserializeOwned>(v: &Value, check: impl FnOnce(B)) {
    if let Ok(b) = serde_json::from_value::<B>(v.clone()) {
        check(b);
    }
}

fn send_body<B: SendBody + serde::de::DeserializeOwned>(v: &Value) {
    try_body::<B>(v, |b| {
        if let Ok(cmd) = b.decode(MAX_CONTENT) {
            assert!(cmd.content.as_str().len() <= MAX_CONTENT);
            assert!(cmd.client_msg_id.as_str().len() <= 64);
            assert!(cmd.marks.mentions.len() <= ferrochat_domain::messaging::MAX_MENTIONS);
        }
    });
}

/// Every decoder of the API, fed `v`.
fn decode_everything(v: &Value) {
    send_body::<SendMessageBody>(v);
    send_body::<EditMessageBody>(v);
    send_body::<RecallMessageBody>(v);
    send_body::<ReactBody>(v);
    send_body::<UnreactBody>(v);
    send_body::<PinBody>(v);
    send_body::<UnpinBody>(v);
    try_body::<ForwardBody>(v, |b| {
        if let Ok(f) = b.decode() {
            assert!((1..=MAX_FORWARD).contains(&f.seqs.len()));
            assert_eq!(f.seqs.len(), f.client_msg_ids.len());
        }
    });
    try_body::<DeleteMessagesBody>(v, |b| {
        if let Ok((_, u)) = b.decode() {
            assert!((1..=ferrochat_domain::commands::MAX_HIDE).contains(&u.hide.len()));
        }
    });
    try_body::<CreateConversationBody>(v, |b| drop(b.decode()));
    try_body::<UpdateConversationBody>(v, |b| drop(UpdateConversation::try_from(b)));
    try_body::<HistoryParams>(v, |b| drop(History::try_from(b)));
    try_body::<SyncBody>(v, |b| drop(SyncRequest::try_from(b)));
    try_body::<ReadBody>(v, |b| drop(b.decode()));
    try_body::<TypingBody>(v, |b| drop(b.decode()));
    try_body::<CreateGroupBody>(v, |b| drop(CreateGroup::try_from(b)));
    try_body::<UpdateGroupBody>(v, |b| drop(UpdateGroup::try_from(b)));
    try_body::<RegisterBody>(v, |b| drop(Register::try_from(b)));
    try_body::<LoginBody>(v, |b| drop(Login::try_from(b)));
    try_body::<RefreshBody>(v, |b| drop(b.decode()));
    try_body::<ChangePasswordBody>(v, |b| drop(ChangePassword::try_from(b)));
    try_body::<DeleteAccountBody>(v, |b| drop(b.decode()));
    try_body::<ResetPasswordBody>(v, |b| drop(b.decode()));
    try_body::<RegisterDeviceBody>(v, |b| {
        if let Ok(d) = RegisterDevice::try_from(b) {
            assert!(d.token.as_str().len() <= ferrochat_domain::push::MAX_TOKEN_LEN);
        }
    });
    try_body::<UpdateProfileBody>(v, |b| drop(UpdateProfile::try_from(b)));
    try_body::<FriendRequestBody>(v, |b| drop(b.decode()));
    try_body::<UserIdsBody>(v, |b| drop(b.decode()));
    try_body::<TransferBody>(v, |b| drop(b.decode()));
    try_body::<UpdateMemberBody>(v, |b| drop(UpdateMember::try_from(b)));
    try_body::<MembersParams>(v, |b| drop(MembersPage::try_from(b)));
    try_body::<SearchMessagesParams>(v, |b| {
        if let Ok(s) = SearchMessages::try_from(b) {
            assert!((1..=MAX_QUERY_TERMS).contains(&s.terms().len()));
            assert!((1..=SearchMessages::MAX_LIMIT).contains(&s.limit));
        }
    });
    try_body::<SearchUsersParams>(v, |b| {
        if let Ok(s) = SearchUsers::try_from(b) {
            assert!((1..=32).contains(&s.prefix().chars().count()));
            assert!((1..=SearchUsers::MAX_LIMIT).contains(&s.limit));
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn no_body_decoder_panics_on_any_json(v in json()) {
        decode_everything(&v);
    }

    #[test]
    fn no_body_decoder_panics_on_a_valid_request_made_wrong(
        v in prop::collection::vec(mutated(), 4)
    ) {
        for one in &v {
            decode_everything(one);
        }
    }

    #[test]
    fn a_frame_of_any_text_is_decoded_or_refused(text in ".{0,200}") {
        if let Ok(f) = serde_json::from_str::<ClientFrame>(&text) {
            decode_everything(&f.data);
        }
    }

    #[test]
    fn a_frame_of_any_shape_is_decoded_or_refused(v in json()) {
        if let Ok(f) = serde_json::from_value::<ClientFrame>(v) {
            decode_everything(&f.data);
        }
    }
}
