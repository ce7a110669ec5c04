//! How cached facts are written as text in the shared cache. Private
//! mirror types, so the domain stays free of a storage format; a value
//! that does not decode (written by another version) is a miss.

use ferrochat_domain::{
    Avatar, ConversationKind, Email, Nickname, Sanctions, StatusText, Timestamp, User, UserId,
    Username,
};
use serde::{Deserialize, Serialize};

use crate::messaging::{Audience, ConvMeta, MemberState};

pub(crate) trait Codec: Sized {
    fn encode(&self) -> String;
    fn decode(raw: &str) -> Option<Self>;

    /// What keeping it in memory costs, in ids: a member list holds one
    /// per member, any other fact counts one.
    fn weight(&self) -> usize {
        1
    }
}

fn to_json(v: &impl Serialize) -> String {
    // Plain strings, numbers and options: serialising cannot fail.
    serde_json::to_string(v).unwrap_or_default()
}

#[derive(Serialize, Deserialize)]
struct MetaText {
    kind: String,
    pair: Option<(String, String)>,
    closed: bool,
}

fn kind_from(s: &str) -> Option<ConversationKind> {
    [
        ConversationKind::Single,
        ConversationKind::Group,
        ConversationKind::World,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

impl Codec for ConvMeta {
    fn encode(&self) -> String {
        to_json(&MetaText {
            kind: self.kind.as_str().to_owned(),
            pair: self
                .pair
                .as_ref()
                .map(|(a, b)| (a.as_str().to_owned(), b.as_str().to_owned())),
            closed: self.closed,
        })
    }

    fn decode(raw: &str) -> Option<Self> {
        let t: MetaText = serde_json::from_str(raw).ok()?;
        Some(Self {
            kind: kind_from(&t.kind)?,
            pair: t
                .pair
                .map(|(a, b)| (UserId::from_stored(a), UserId::from_stored(b))),
            closed: t.closed,
        })
    }
}

/// A member's mute: `-` for none, else the end in milliseconds.
impl Codec for MemberState {
    fn encode(&self) -> String {
        self.map_or_else(|| "-".to_owned(), |t| t.millis().to_string())
    }

    fn decode(raw: &str) -> Option<Self> {
        if raw == "-" {
            return Some(None);
        }
        raw.parse().ok().map(|ms| Some(Timestamp::from_millis(ms)))
    }
}

/// A user's sanctions: each end in milliseconds or `-`, as `mute,ban`.
impl Codec for Sanctions {
    fn encode(&self) -> String {
        let end =
            |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), |t| t.millis().to_string());
        format!("{},{}", end(self.muted_until), end(self.world_banned_until))
    }

    fn decode(raw: &str) -> Option<Self> {
        let (mute, ban) = raw.split_once(',')?;
        Some(Self {
            muted_until: MemberState::decode(mute)?,
            world_banned_until: MemberState::decode(ban)?,
        })
    }
}

impl Codec for bool {
    fn encode(&self) -> String {
        (if *self { "1" } else { "0" }).to_owned()
    }

    fn decode(raw: &str) -> Option<Self> {
        match raw {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }
}

/// `*` for a large conversation, else the member ids as a JSON array.
impl Codec for Audience {
    fn encode(&self) -> String {
        match self {
            Self::Large => "*".to_owned(),
            Self::Members(ids) => to_json(&ids.iter().map(UserId::as_str).collect::<Vec<_>>()),
        }
    }

    fn weight(&self) -> usize {
        match self {
            Self::Large => 1,
            Self::Members(ids) => ids.len().max(1),
        }
    }

    fn decode(raw: &str) -> Option<Self> {
        if raw == "*" {
            return Some(Self::Large);
        }
        let ids: Vec<String> = serde_json::from_str(raw).ok()?;
        Some(Self::Members(
            ids.into_iter().map(UserId::from_stored).collect(),
        ))
    }
}

#[derive(Serialize, Deserialize)]
struct UserText {
    id: String,
    username: String,
    nickname: String,
    avatar: String,
    created_at: i64,
    /// Absent in entries written before the directory: true.
    #[serde(default = "yes")]
    discoverable: bool,
    /// Absent in entries written before account deletion: false.
    #[serde(default)]
    deleted: bool,
    /// Absent in entries written before profile fields: none.
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    status_text: String,
    /// Absent in entries written before administrators: false.
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    disabled_until: Option<i64>,
    /// Absent in entries written before sanctions: none.
    #[serde(default)]
    muted_until: Option<i64>,
    #[serde(default)]
    world_banned_until: Option<i64>,
}

fn yes() -> bool {
    true
}

impl Codec for User {
    fn encode(&self) -> String {
        to_json(&UserText {
            id: self.id.as_str().to_owned(),
            username: self.username.as_str().to_owned(),
            nickname: self.nickname.as_str().to_owned(),
            avatar: self.avatar.as_str().to_owned(),
            created_at: self.created_at.millis(),
            discoverable: self.discoverable,
            deleted: self.deleted,
            email: self.email.as_ref().map(|e| e.as_str().to_owned()),
            status_text: self.status.as_str().to_owned(),
            admin: self.admin,
            disabled_until: self.disabled_until.map(Timestamp::millis),
            muted_until: self.sanctions.muted_until.map(Timestamp::millis),
            world_banned_until: self.sanctions.world_banned_until.map(Timestamp::millis),
        })
    }

    fn decode(raw: &str) -> Option<Self> {
        let t: UserText = serde_json::from_str(raw).ok()?;
        Some(Self {
            id: UserId::from_stored(t.id),
            username: Username::from_stored(t.username),
            nickname: Nickname::from_stored(t.nickname),
            avatar: Avatar::from_stored(t.avatar),
            created_at: Timestamp::from_millis(t.created_at),
            discoverable: t.discoverable,
            deleted: t.deleted,
            email: t.email.map(Email::from_stored),
            status: StatusText::from_stored(t.status_text),
            admin: t.admin,
            disabled_until: t.disabled_until.map(Timestamp::from_millis),
            sanctions: Sanctions {
                muted_until: t.muted_until.map(Timestamp::from_millis),
                world_banned_until: t.world_banned_until.map(Timestamp::from_millis),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Codec + std::fmt::Debug + PartialEq>(v: T) {
        assert_eq!(T::decode(&v.encode()), Some(v));
    }

    #[test]
    fn every_fact_survives_its_text() {
        round_trip(Some(Timestamp::from_millis(1_700_000_000_123)));
        round_trip(None::<Timestamp>);
        round_trip(true);
        round_trip(false);
        round_trip(Sanctions::default());
        round_trip(Sanctions {
            muted_until: Some(Timestamp::from_millis(42)),
            world_banned_until: Some(Timestamp::FOREVER),
        });
        assert_eq!(Sanctions::decode("12"), None);
        let user = User {
            discoverable: true,
            deleted: false,
            email: Some(Email::from_stored("al@example.com".into())),
            status: StatusText::from_stored("in \"quotes\"".into()),
            admin: true,
            disabled_until: Some(Timestamp::FOREVER),
            sanctions: Sanctions {
                muted_until: Some(Timestamp::from_millis(7)),
                world_banned_until: Some(Timestamp::FOREVER),
            },
            id: UserId::from_stored("u1".into()),
            username: Username::from_stored("alice".into()),
            nickname: Nickname::from_stored("Al \"quoted\" ice".into()),
            avatar: Avatar::from_stored(String::new()),
            created_at: Timestamp::from_millis(5),
        };
        round_trip(user);
        let meta = ConvMeta {
            kind: ConversationKind::Single,
            pair: Some((
                UserId::from_stored("a".into()),
                UserId::from_stored("b".into()),
            )),
            closed: false,
        };
        let back = ConvMeta::decode(&meta.encode()).unwrap();
        assert_eq!(
            (back.kind, back.pair, back.closed),
            (meta.kind, meta.pair, meta.closed)
        );
        let members = Audience::Members(vec![UserId::from_stored("x".into())].into());
        match Audience::decode(&members.encode()) {
            Some(Audience::Members(ids)) => assert_eq!(ids.len(), 1),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Audience::decode("*"), Some(Audience::Large)));
    }

    #[test]
    fn text_from_elsewhere_is_a_miss() {
        assert_eq!(bool::decode("yes"), None);
        assert_eq!(MemberState::decode("soon"), None);
        assert!(
            ConvMeta::decode("{\"kind\":\"channel\",\"pair\":null,\"closed\":false}").is_none()
        );
        assert!(User::decode("[]").is_none());
    }
}
