//! Accounts an outside issuer vouches for (`ExternalIdentityStore`).

use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{User, UserId};

use super::accounts::{bounded, new_user};
use super::user_id;
use crate::convert::{required, DecodeError};
use crate::pb;

impl From<&ExternalSubject> for pb::ExternalSubject {
    fn from(who: &ExternalSubject) -> Self {
        Self {
            issuer: who.issuer().to_owned(),
            subject: who.subject().to_owned(),
        }
    }
}

impl pb::ExternalSubject {
    pub fn parse(self) -> Result<ExternalSubject, DecodeError> {
        Ok(ExternalSubject::parse(self.issuer, self.subject)?)
    }
}

impl From<&Option<UserId>> for pb::ExternalUserAnswer {
    fn from(user: &Option<UserId>) -> Self {
        Self {
            user_id: user.as_ref().map(|u| u.as_str().to_owned()),
        }
    }
}

impl TryFrom<pb::ExternalUserAnswer> for Option<UserId> {
    type Error = DecodeError;
    fn try_from(a: pb::ExternalUserAnswer) -> Result<Self, DecodeError> {
        a.user_id
            .map(|u: String| user_id(&u, "user_id"))
            .transpose()
    }
}

impl pb::InsertExternalUserRequest {
    pub fn new(user: &User, password_hash: &str, who: &ExternalSubject) -> Self {
        Self {
            user: Some(user.into()),
            password_hash: password_hash.to_owned(),
            subject: Some(who.into()),
        }
    }

    pub fn parse(self) -> Result<(User, String, ExternalSubject), DecodeError> {
        Ok((
            new_user(required(self.user, "user")?)?,
            bounded(self.password_hash, "password_hash")?,
            required(self.subject, "subject")?.parse()?,
        ))
    }
}
