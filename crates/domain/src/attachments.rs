//! Attachments: an uploaded file's metadata and the rules on it (its
//! name, which message types refer to one, which media types each takes,
//! who may read it). The bytes live in object storage (the `Attachments`
//! port); nothing here touches them.

use crate::error::InvalidField;
use crate::{AttachmentId, ConversationId, Timestamp, UserId};

/// The longest file name kept, in bytes (most file systems' limit).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// A file's name as its uploader gave it: a name, never a path. It is only
/// shown and offered back in `Content-Disposition`; objects are stored under
/// their id, so a name never reaches a file system path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// 1-255 bytes; no `/`, `\`, control characters, or a name that is
    /// only dots (`.`, `..`): what could be read as a path is refused,
    /// rather than cleaned, so the client learns its input was wrong.
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        const FIELD: &str = "file_name";
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > MAX_FILE_NAME_BYTES {
            return Err(InvalidField::new(FIELD, "must be 1 to 255 bytes"));
        }
        if trimmed.contains(['/', '\\']) {
            return Err(InvalidField::new(FIELD, "must be a name, not a path"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(InvalidField::new(FIELD, "must not hold control characters"));
        }
        if trimmed.chars().all(|c| c == '.') {
            return Err(InvalidField::new(FIELD, "must not be only dots"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name with only printable ASCII but `"` and `%` (each other
    /// character `_`), for the plain `filename=` of `Content-Disposition`;
    /// `filename*` carries the full name.
    pub fn ascii_fallback(&self) -> String {
        self.0
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '%' || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

/// The message types that refer to an attachment, each with the media
/// types (the sniffed ones, `type/subtype`) it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Image,
    File,
    Voice,
    Video,
}

impl AttachmentKind {
    /// The kind a message type names, if it is one of these.
    pub fn of_message_type(message_type: &str) -> Option<Self> {
        match message_type {
            "image" => Some(Self::Image),
            "file" => Some(Self::File),
            "voice" => Some(Self::Voice),
            "video" => Some(Self::Video),
            _ => None,
        }
    }

    /// Whether an attachment of `media_type` may be sent as this kind: a
    /// file takes anything, the others only their own top-level type.
    pub fn accepts(self, media_type: &str) -> bool {
        match self {
            Self::File => true,
            Self::Image => media_type.starts_with("image/"),
            Self::Voice => media_type.starts_with("audio/"),
            Self::Video => media_type.starts_with("video/"),
        }
    }
}

/// Pixel size of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

/// An attachment's metadata, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub owner: UserId,
    pub size: u64,
    /// Sniffed from the bytes (`application/octet-stream` when unknown).
    pub media_type: String,
    pub name: FileName,
    /// Images only.
    pub dimensions: Option<Dimensions>,
    /// Whether a thumbnail is stored beside the file.
    pub has_thumbnail: bool,
    pub created_at: Timestamp,
    /// The conversation it was sent in; `None` until then.
    pub conversation: Option<ConversationId>,
}

impl Attachment {
    /// Not sent yet: only its owner may read it.
    pub fn is_unsent(&self) -> bool {
        self.conversation.is_none()
    }
}

/// A chunked upload under way (docs/protocol.md, "Resumable uploads"):
/// the file it will be, and how much of it the server holds. Its id is
/// the attachment's once the last byte arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: AttachmentId,
    pub owner: UserId,
    pub name: FileName,
    /// The whole file, as declared when the upload was opened.
    pub size: u64,
    /// Bytes acknowledged so far: the offset the next chunk must start at.
    pub received: u64,
    pub created_at: Timestamp,
}

/// Why `who` may not bind `attachment` to `conversation` as `kind`, or
/// `None` when they may (as the store checks it again atomically).
pub fn bind_refusal(
    attachment: &Attachment,
    who: &UserId,
    conversation: &ConversationId,
    kind: AttachmentKind,
) -> Option<BindRefusal> {
    if &attachment.owner != who {
        return Some(BindRefusal::NotOwner);
    }
    if attachment
        .conversation
        .as_ref()
        .is_some_and(|c| c != conversation)
    {
        return Some(BindRefusal::SentElsewhere);
    }
    if !kind.accepts(&attachment.media_type) {
        return Some(BindRefusal::WrongType);
    }
    None
}

/// What `bind_refusal` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindRefusal {
    NotOwner,
    SentElsewhere,
    WrongType,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_refuse_paths() {
        for bad in [
            "",
            "  ",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "..",
            ".",
            "a\u{0}b",
            "x\ny",
        ] {
            assert!(FileName::parse(bad.to_owned()).is_err(), "{bad:?}");
        }
        assert!(FileName::parse("x".repeat(256)).is_err());
        assert_eq!(
            FileName::parse(" report 2024.pdf ".to_owned())
                .unwrap()
                .as_str(),
            "report 2024.pdf"
        );
        assert!(FileName::parse("..hidden".to_owned()).is_ok());
    }

    #[test]
    fn ascii_fallback_keeps_headers_safe() {
        let name = FileName::parse("naïve \"quote\" 100%.txt".to_owned()).unwrap();
        assert_eq!(name.ascii_fallback(), "na_ve _quote_ 100_.txt");
    }

    #[test]
    fn kinds_take_their_media_types() {
        assert!(AttachmentKind::Image.accepts("image/png"));
        assert!(!AttachmentKind::Image.accepts("application/pdf"));
        assert!(AttachmentKind::File.accepts("application/octet-stream"));
        assert!(AttachmentKind::Voice.accepts("audio/ogg"));
        assert!(AttachmentKind::Video.accepts("video/mp4"));
        assert_eq!(AttachmentKind::of_message_type("text"), None);
    }
}
