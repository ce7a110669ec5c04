//! Whether a store's database keeps what it acknowledged through a crash.
//!
//! Each store reads its database's settings when it opens (it knows its
//! dialect) and reports those under which an acknowledged write can be
//! lost: a commit answered before it is on disk, or a page torn by a crash
//! of the machine. With `require_durable` it refuses to open instead
//! ([`NotDurable`]); otherwise it logs a warning naming each.

use std::fmt;

/// A database setting under which an acknowledged write can be lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// The setting, as the database's documentation names it.
    pub setting: String,
    /// Its value now.
    pub value: String,
    /// What the guarantee needs.
    pub needed: String,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {} (needs {})",
            self.setting, self.value, self.needed
        )
    }
}

/// What a store found of its database's settings when it opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durability {
    /// The settings that can lose acknowledged writes; none if durable.
    pub risks: Vec<Risk>,
}

impl Durability {
    pub fn is_durable(&self) -> bool {
        self.risks.is_empty()
    }

    /// Adds a risk when `durable` is false.
    pub fn check(&mut self, durable: bool, setting: &str, value: &str, needed: &str) {
        if !durable {
            self.risks.push(Risk {
                setting: setting.to_owned(),
                value: value.to_owned(),
                needed: needed.to_owned(),
            });
        }
    }

    /// Whether `setting` is among the risks.
    pub fn names(&self, setting: &str) -> bool {
        self.risks.iter().any(|r| r.setting == setting)
    }
}

impl fmt::Display for Durability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.risks.is_empty() {
            return f.write_str("durable");
        }
        for (i, r) in self.risks.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            r.fmt(f)?;
        }
        Ok(())
    }
}

/// A store refused to open: its database can lose acknowledged writes and
/// `store.require_durable` is set.
#[derive(Debug, thiserror::Error)]
#[error(
    "the database can lose acknowledged messages: {0}; change these settings \
     (docs/deploy.md, \"Durability\") or set store.require_durable = false"
)]
pub struct NotDurable(pub Durability);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risks_are_named_with_their_value_and_what_is_needed() {
        let mut d = Durability::default();
        assert!(d.is_durable());
        d.check(true, "fsync", "on", "on");
        assert!(d.is_durable());
        d.check(false, "fsync", "off", "on");
        d.check(false, "synchronous_commit", "off", "on");
        assert!(!d.is_durable());
        assert!(d.names("fsync") && !d.names("full_page_writes"));
        assert_eq!(
            d.to_string(),
            "fsync = off (needs on); synchronous_commit = off (needs on)"
        );
        let refused = NotDurable(d).to_string();
        assert!(refused.contains("fsync = off (needs on)"), "{refused}");
        assert!(refused.contains("store.require_durable"), "{refused}");
    }
}
