//! The pure core of ferrochat: identifiers, validated value types, the rules
//! of the chat domain and the error kinds of the contract.
//!
//! Nothing here does I/O or reads the clock: time comes in as an argument
//! (`Timestamp`), so every rule is a plain function that tests can pin down.
//! Serialization formats live in `ferrochat-wire`, not here.

pub mod attachments;
pub mod commands;
pub mod error;
pub mod external;
pub mod groups;
pub mod ids;
pub mod messaging;
pub mod model;
pub mod moderation;
pub mod oidc;
pub mod page;
pub mod push;
pub mod reactions;
pub mod routing;
pub mod search;
pub mod social;
pub mod time;
pub mod validated;

pub use error::{ErrorKind, InvalidField};
pub use ids::{
    AttachmentId, AuditId, ConversationId, GroupId, MessageId, PushDeviceId, ReportId, RequestId,
    SessionId, UserId,
};
pub use messaging::{
    Ack, Changes, ConversationKind, Marks, Message, MessageContent, MessageType, PageLimit,
    Reference, SendTarget, Seq,
};
pub use model::{
    Authenticated, LoginOutcome, Principal, Sanction, Sanctions, SessionInfo, TokenPair, User,
};
pub use time::Timestamp;
pub use validated::{
    Avatar, ClientMsgId, DeviceId, Email, Nickname, Password, StatusText, Username,
};
