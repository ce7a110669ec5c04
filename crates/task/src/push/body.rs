//! What the webhook receives (documented in docs/protocol.md, "Offline
//! push"): the message as in the WebSocket `message` frame, and who to
//! tell. Encoded once per push, sent unchanged by every attempt.

use bytes::Bytes;
use ferrochat_domain::push::Device;
use ferrochat_domain::{Message, UserId};
use ferrochat_wire::messaging::MessageDto;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Serialize)]
struct PushBody<'a> {
    message: MessageDto,
    recipients: Vec<&'a str>,
    /// Those of `recipients` the message mentions (by name, or all), so
    /// the notification can say so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentioned: Vec<&'a str>,
    /// The devices of `recipients` registered with platform `webhook`
    /// (`POST /api/v1/devices`), for the receiver to wake.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    devices: Vec<DeviceBody<'a>>,
}

#[derive(Serialize)]
struct DeviceBody<'a> {
    user_id: &'a str,
    token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
}

/// The JSON body of one push; `devices` are the recipients' webhook
/// devices.
pub(crate) fn encode(
    message: &Message,
    recipients: &[UserId],
    devices: &[Device],
) -> Result<Bytes, serde_json::Error> {
    let body = PushBody {
        message: MessageDto::from(message),
        recipients: recipients.iter().map(UserId::as_str).collect(),
        mentioned: recipients
            .iter()
            .filter(|r| message.marks.mentions(r))
            .map(UserId::as_str)
            .collect(),
        devices: devices
            .iter()
            .map(|d| DeviceBody {
                user_id: d.user_id.as_str(),
                token: d.token.as_str(),
                app_id: d.app_id.as_ref().map(|a| a.as_str()),
            })
            .collect(),
    };
    serde_json::to_vec(&body).map(Bytes::from)
}

/// The `Idempotency-Key` header: the message id and a hash of the
/// recipients, so a push redelivered after a crash carries the same key
/// and two batches of one message carry different ones.
pub(crate) fn idempotency_key(message: &Message, recipients: &[UserId]) -> String {
    let mut hash = Sha256::new();
    for r in recipients {
        hash.update(r.as_str().as_bytes());
        hash.update(b"\n");
    }
    let digest = hash.finalize();
    let short = digest.get(..8).unwrap_or_default();
    format!("{}.{}", message.id.as_str(), hex::encode(short))
}

#[cfg(test)]
mod tests {
    use ferrochat_domain::{
        ClientMsgId, ConversationId, ConversationKind, MessageContent, MessageId, MessageType, Seq,
        Timestamp,
    };

    use super::*;

    fn message() -> Message {
        Message {
            marks: Default::default(),
            id: MessageId::generate(),
            conversation_id: ConversationId::generate(),
            conversation_kind: ConversationKind::Single,
            seq: Seq::new(3),
            from: UserId::generate(),
            message_type: MessageType::text(),
            content: MessageContent::from_stored("hi \"there\"".into()),
            client_msg_id: ClientMsgId::parse("c-1".into()).expect("valid"),
            created_at: Timestamp::from_millis(1_700_000_000_000),
            reference: None,
            changes: Default::default(),
            reactions: Vec::new(),
            reaction_count: None,
        }
    }

    #[test]
    fn the_body_names_the_message_and_recipients() {
        let m = message();
        let to = vec![UserId::generate(), UserId::generate()];
        let body: serde_json::Value =
            serde_json::from_slice(&encode(&m, &to, &[]).expect("encodes")).expect("json");
        assert_eq!(body["message"]["message_id"], m.id.as_str());
        assert_eq!(
            body["message"]["conversation_id"],
            m.conversation_id.as_str()
        );
        assert_eq!(body["message"]["conversation_type"], "single");
        assert_eq!(body["message"]["seq"], 3);
        assert_eq!(body["message"]["from_user_id"], m.from.as_str());
        assert_eq!(body["message"]["message_type"], "text");
        assert_eq!(body["message"]["content"], "hi \"there\"");
        let at = body["message"]["created_at"].as_str().expect("a string");
        assert_eq!(ferrochat_wire::time::parse_rfc3339(at), Some(m.created_at));
        assert_eq!(
            body["recipients"],
            serde_json::json!([to[0].as_str(), to[1].as_str()])
        );
        assert!(body.get("mentioned").is_none(), "nobody is mentioned");
    }

    #[test]
    fn the_body_names_whom_the_message_mentions() {
        let mut m = message();
        let to = vec![UserId::generate(), UserId::generate()];
        m.marks.mentions = vec![to[1].clone(), UserId::generate()];
        let body: serde_json::Value =
            serde_json::from_slice(&encode(&m, &to, &[]).expect("encodes")).expect("json");
        assert_eq!(body["mentioned"], serde_json::json!([to[1].as_str()]));
        m.marks.mention_all = true;
        let body: serde_json::Value =
            serde_json::from_slice(&encode(&m, &to, &[]).expect("encodes")).expect("json");
        assert_eq!(
            body["mentioned"],
            serde_json::json!([to[0].as_str(), to[1].as_str()])
        );
    }

    #[test]
    fn webhook_devices_are_named_when_there_are_some() {
        use ferrochat_domain::push::{AppId, Platform, PushToken};
        let m = message();
        let to = vec![UserId::generate()];
        let device = Device {
            id: ferrochat_domain::PushDeviceId::generate(),
            user_id: to[0].clone(),
            session_id: ferrochat_domain::SessionId::generate(),
            platform: Platform::Webhook,
            token: PushToken::from_stored("t-1".into()),
            app_id: Some(AppId::from_stored("app".into())),
            created_at: m.created_at,
        };
        let body: serde_json::Value =
            serde_json::from_slice(&encode(&m, &to, &[device]).expect("encodes")).expect("json");
        assert_eq!(
            body["devices"],
            serde_json::json!([{"user_id": to[0].as_str(), "token": "t-1", "app_id": "app"}])
        );
        let body: serde_json::Value =
            serde_json::from_slice(&encode(&m, &to, &[]).expect("encodes")).expect("json");
        assert!(body.get("devices").is_none());
    }

    #[test]
    fn keys_differ_by_batch_and_repeat_for_the_same_one() {
        let m = message();
        let a = vec![UserId::generate()];
        let b = vec![UserId::generate()];
        assert_eq!(idempotency_key(&m, &a), idempotency_key(&m, &a));
        assert_ne!(idempotency_key(&m, &a), idempotency_key(&m, &b));
        assert!(idempotency_key(&m, &a).starts_with(m.id.as_str()));
    }
}
