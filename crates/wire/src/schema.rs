//! Schemas for the DTOs' fields whose text is one of a few names, each
//! list made from the domain's own `as_str`.

use ferrochat_domain::groups::{JoinPolicy, Role};
use ferrochat_domain::messaging::ConversationKind;
use ferrochat_domain::social::RequestStatus;
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::Object;

fn names<const N: usize>(values: [&'static str; N]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

pub(crate) fn role() -> Object {
    names([Role::Owner, Role::Admin, Role::Member].map(Role::as_str))
}

/// A role, or null (not a member).
pub(crate) fn role_or_null() -> Object {
    let roles = [Role::Owner, Role::Admin, Role::Member].map(|r| Value::from(r.as_str()));
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(roles.into_iter().chain([Value::Null])))
        .build()
}

pub(crate) fn join_policy() -> Object {
    names([JoinPolicy::Open, JoinPolicy::Invite].map(JoinPolicy::as_str))
}

pub(crate) fn request_status() -> Object {
    let all = [
        RequestStatus::Pending,
        RequestStatus::Accepted,
        RequestStatus::Rejected,
    ];
    names(all.map(RequestStatus::as_str))
}

pub(crate) fn conversation_kind() -> Object {
    let all = [
        ConversationKind::Single,
        ConversationKind::Group,
        ConversationKind::World,
    ];
    names(all.map(ConversationKind::as_str))
}
