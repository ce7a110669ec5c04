//! An HTTP request body, through the decoder the gateway's `JsonBody`
//! uses (`ferrochat_wire::json::body`) into the route's request DTO, and
//! the DTO into its domain command as the route's handler does. The input
//! is the route (`POST /api/v1/users/register`), a newline, and the body.
//! A body that does not decode is refused in the contract's words; one
//! that does is a command whose fields pass their types' checks again
//! unchanged.

#![no_main]

use std::time::Duration;

use ferrochat_domain::commands::{
    ChangePassword, CreateGroup, Login, Register, UpdateConversation, UpdateGroup, UpdateMember,
    UpdateProfile,
};
use ferrochat_domain::groups::{GroupAnnouncement, GroupDescription, GroupName};
use ferrochat_domain::moderation::{Note, ReportTarget};
use ferrochat_domain::push::RegisterDevice;
use ferrochat_domain::social::RequestMessage;
use ferrochat_domain::{
    Avatar, ConversationId, DeviceId, Email, InvalidField, Nickname, Password, StatusText, UserId,
    Username,
};
use ferrochat_fuzz::revalidate::fixed_point;
use ferrochat_fuzz::{messaging, refusal, revalidates, revalidates_id};
use ferrochat_wire::accounts::{LoginBody, RefreshBody, RegisterBody, UpdateProfileBody};
use ferrochat_wire::devices::RegisterDeviceBody;
use ferrochat_wire::frame::ClientKind as K;
use ferrochat_wire::json;
use ferrochat_wire::lifecycle::{ChangePasswordBody, DeleteAccountBody, ResetPasswordBody};
use ferrochat_wire::messaging::{
    CreateConversationBody, CreateGroupBody, DeleteMessagesBody, EditMessageBody, ForwardBody,
    PinBody, ReactBody, RecallMessageBody, SendBody, SendMessageBody, UnpinBody, UnreactBody,
    UpdateConversationBody, UpdateGroupBody,
};
use ferrochat_wire::moderation::{
    DisableBody, RemoveMessageBody, ReportBody, ResetTokenBody, ResolveBody, WorldMuteBody,
};
use ferrochat_wire::social::{FriendRequestBody, TransferBody, UpdateMemberBody, UserIdsBody};
use ferrochat_wire::time::{parse_rfc3339, rfc3339};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fuzz_target!(|bytes: &[u8]| {
    let Some(newline) = bytes.iter().position(|b| *b == b'\n') else {
        return;
    };
    let (route, body) = bytes.split_at(newline);
    let body = body.get(1..).unwrap_or_default();
    if let Ok(route) = std::str::from_utf8(route) {
        route_body(route, body);
    }
});

/// `body` decoded as the gateway's `JsonBody<T>`, then `then` on the DTO.
fn decode<T: DeserializeOwned>(body: &[u8], then: impl FnOnce(T)) {
    match json::body::<T>(body) {
        Ok(dto) => {
            let blank = body.iter().all(u8::is_ascii_whitespace);
            let object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
                && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
            assert!(blank || object, "a body that is no JSON object was taken");
            then(dto);
        }
        Err(e) => refusal::malformed(&e),
    }
}

/// A DTO's decoding into its command: checked if it passed, its refusal
/// checked if not.
fn command<C>(result: Result<C, InvalidField>, check: impl FnOnce(C)) {
    match result {
        Ok(c) => check(c),
        Err(e) => refusal::field(&e),
    }
}

/// A send over HTTP: the same command and checks as its frame.
fn send<B: SendBody + DeserializeOwned>(kind: K, body: &[u8]) {
    decode(body, |b: B| {
        command(b.decode(messaging::MAX_CONTENT_BYTES), |c| {
            messaging::send(kind, &c)
        })
    });
}

fn password(p: &Password) {
    fixed_point(p, Password::parse(p.expose().to_owned()));
}

/// A token the server could have issued: 1 to 512 bytes.
fn token(t: &str) {
    assert!((1..=512).contains(&t.len()), "a token of {} bytes", t.len());
}

/// `m` minutes, 1 to `max`.
fn minutes(d: Duration, max: u64) {
    assert_eq!(d.as_secs() % 60, 0);
    assert!((1..=max).contains(&(d.as_secs() / 60)), "{d:?}");
}

fn route_body(route: &str, body: &[u8]) {
    match route {
        "POST /api/v1/users/register" => decode(body, |b: RegisterBody| {
            command(Register::try_from(b), |c| {
                revalidates!(c.username, Username);
                password(&c.password);
                if let Some(n) = &c.nickname {
                    revalidates!(n, Nickname);
                }
            })
        }),
        "POST /api/v1/auth/login" => decode(body, |b: LoginBody| {
            command(Login::try_from(b), |c| {
                revalidates!(c.username, Username);
                password(&c.password);
                if let Some(d) = &c.device_id {
                    revalidates!(d, DeviceId);
                }
            })
        }),
        "POST /api/v1/auth/password/reset" => decode(body, |b: ResetPasswordBody| {
            command(b.decode(), |(t, p)| {
                token(&t);
                password(&p);
            })
        }),
        "POST /api/v1/auth/refresh" => {
            decode(body, |b: RefreshBody| command(b.decode(), |t| token(&t)))
        }
        "POST /api/v1/auth/password" => decode(body, |b: ChangePasswordBody| {
            command(ChangePassword::try_from(b), |c| {
                password(&c.current);
                password(&c.new);
            })
        }),
        "POST /api/v1/users/delete" => decode(body, |b: DeleteAccountBody| {
            command(b.decode(), |p| password(&p))
        }),
        "PUT /api/v1/users/profile" => decode(body, |b: UpdateProfileBody| {
            command(UpdateProfile::try_from(b), |c| {
                if let Some(n) = &c.nickname {
                    revalidates!(n, Nickname);
                }
                if let Some(a) = &c.avatar {
                    revalidates!(a, Avatar);
                }
                if let Some(Some(e)) = &c.email {
                    revalidates!(e, Email);
                }
                if let Some(s) = &c.status {
                    revalidates!(s, StatusText);
                }
            })
        }),
        "POST /api/v1/devices" => decode(body, |b: RegisterDeviceBody| {
            command(RegisterDevice::try_from(b), |d| {
                let app_id = d.app_id.as_ref().map(|a| a.as_str().to_owned());
                let again =
                    RegisterDevice::parse(d.platform.as_str(), d.token.as_str().to_owned(), app_id);
                fixed_point(&d, again);
            })
        }),
        "POST /api/v1/conversations/create" => decode(body, |b: CreateConversationBody| {
            command(b.decode(), |u| revalidates_id!(u, UserId))
        }),
        "PUT /api/v1/conversations/{id}" => decode(body, |b: UpdateConversationBody| {
            command(UpdateConversation::try_from(b), |u| {
                assert!(u.hide.is_empty(), "a conversation's settings hid messages");
            })
        }),
        "POST /api/v1/friends/requests" => decode(body, |b: FriendRequestBody| {
            command(b.decode(), |(to, message)| {
                revalidates_id!(to, UserId);
                revalidates!(message, RequestMessage);
            })
        }),
        "POST /api/v1/groups/create" => decode(body, |b: CreateGroupBody| {
            command(CreateGroup::try_from(b), |c| {
                revalidates!(c.name, GroupName);
                revalidates!(c.description, GroupDescription);
                for id in &c.member_ids {
                    revalidates_id!(id, UserId);
                }
            })
        }),
        "PUT /api/v1/groups/{id}" => decode(body, |b: UpdateGroupBody| {
            command(UpdateGroup::try_from(b), |c| {
                let text = |t: Option<&str>| t.map(str::to_owned);
                let again = UpdateGroup::parse(
                    text(c.name.as_ref().map(GroupName::as_str)),
                    text(c.description.as_ref().map(GroupDescription::as_str)),
                    c.join_policy,
                    text(c.avatar.as_ref().map(Avatar::as_str)),
                    text(c.announcement.as_ref().map(GroupAnnouncement::as_str)),
                );
                fixed_point(&c, again);
            })
        }),
        "POST /api/v1/groups/{id}/members" => decode(body, |b: UserIdsBody| {
            command(b.decode(), |ids| {
                assert!(!ids.is_empty(), "added nobody");
                for id in &ids {
                    revalidates_id!(id, UserId);
                }
            })
        }),
        "PUT /api/v1/groups/{id}/members/{user_id}" => decode(body, |b: UpdateMemberBody| {
            command(UpdateMember::try_from(b), |c| {
                assert!(
                    c.role.is_some() || c.muted_until.is_some(),
                    "changes nothing"
                );
                // The time the member is muted until is the time the
                // API shows back.
                if let Some(Some(until)) = c.muted_until {
                    let shown = rfc3339(until);
                    assert_eq!(
                        parse_rfc3339(&shown),
                        Some(until),
                        "{until:?} shown as {shown}"
                    );
                }
            })
        }),
        "POST /api/v1/groups/{id}/transfer" => decode(body, |b: TransferBody| {
            command(b.decode(), |u| revalidates_id!(u, UserId))
        }),
        "POST /api/v1/messages/send" => send::<SendMessageBody>(K::SendMessage, body),
        "POST /api/v1/messages/edit" => send::<EditMessageBody>(K::EditMessage, body),
        "POST /api/v1/messages/recall" => send::<RecallMessageBody>(K::RecallMessage, body),
        "POST /api/v1/messages/react" => send::<ReactBody>(K::ReactMessage, body),
        "POST /api/v1/messages/unreact" => send::<UnreactBody>(K::UnreactMessage, body),
        "POST /api/v1/messages/pin" => send::<PinBody>(K::PinMessage, body),
        "POST /api/v1/messages/unpin" => send::<UnpinBody>(K::UnpinMessage, body),
        "POST /api/v1/messages/forward" => decode(body, |b: ForwardBody| {
            command(b.decode(), |f| messaging::forward(&f))
        }),
        "POST /api/v1/messages/delete" => decode(body, |b: DeleteMessagesBody| {
            command(b.decode(), |(id, u)| messaging::hide(&id, &u))
        }),
        "POST /api/v1/reports" => decode(body, |b: ReportBody| {
            command(b.decode(), |(target, reason)| {
                match &target {
                    ReportTarget::User(u) => revalidates_id!(u, UserId),
                    ReportTarget::Message {
                        conversation_id, ..
                    } => {
                        revalidates_id!(conversation_id, ConversationId)
                    }
                }
                fixed_point(
                    &reason,
                    Note::parse(reason.as_str().to_owned(), "reason", true),
                );
            })
        }),
        "POST /api/v1/admin/users/{id}/disable" => decode(body, |b: DisableBody| {
            command(b.decode(), |d| {
                if let Some(d) = d {
                    minutes(d, 365 * 24 * 60);
                }
            })
        }),
        "POST /api/v1/admin/users/{id}/password-reset" => decode(body, |b: ResetTokenBody| {
            command(b.decode(), |d| minutes(d, 7 * 24 * 60))
        }),
        "POST /api/v1/admin/messages/remove" => decode(body, |b: RemoveMessageBody| {
            command(b.decode(), |(c, _)| revalidates_id!(c, ConversationId))
        }),
        "PUT /api/v1/admin/world/mutes/{id}" => decode(body, |b: WorldMuteBody| {
            command(b.decode(), |d| minutes(d, 365 * 24 * 60))
        }),
        "POST /api/v1/admin/reports/{id}/resolve" => decode(body, |b: ResolveBody| {
            command(b.decode(), |note| {
                fixed_point(&note, Note::parse(note.as_str().to_owned(), "note", false));
            })
        }),
        _ => {}
    }
}
