//! Message search: how text becomes index terms, what a search asks, and
//! where its terms are found again in a result.
//!
//! The same terms go into every store's full-text index (SQLite FTS5,
//! MariaDB FULLTEXT, PostgreSQL tsvector), so a query finds the same
//! messages whatever the store. Words of scripts written with spaces are
//! terms, case-folded; Chinese, Japanese and Korean are written without
//! spaces, so each of their characters and each pair of neighbours is a
//! term (a query of two or more such characters asks for its pairs). Each
//! term is stored as `x` and the hex of its UTF-8 bytes: every store's
//! tokenizer then keeps it whole (MariaDB would drop terms under three
//! characters and English stop words, PostgreSQL splits on punctuation).
//! Every query term matches a whole term ("meet" finds "Meet!", not
//! "meeting"): a prefix query makes every store merge the postings of
//! every term it could be, which on a million messages took SQLite 20 to
//! 70 ms a query against about 1 ms for whole words (docs/benchmarks.md).

use crate::{ConversationId, InvalidField, UserId};

/// Terms longer than this many bytes are cut (on a character boundary):
/// MariaDB indexes at most 84 characters of a word, the hex doubles it.
const MAX_TERM_BYTES: usize = 32;

/// The most terms a query may hold.
pub const MAX_QUERY_TERMS: usize = 8;

/// The most characters of a query.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most bytes of a message's terms: a message of Chinese text makes
/// a term of each character and of each pair, about five times its own
/// size, and a store's index has a limit per row (PostgreSQL's tsvector,
/// 1 MB). Terms past it, in the order the text has them, are not indexed.
pub const MAX_TERMS_BYTES: usize = 256 * 1024;

/// The most ranges `highlights` gives one message.
pub const MAX_HIGHLIGHTS: usize = 64;

/// Whether `c` belongs to a script written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x1100..=0x11FF // Hangul jamo
        | 0x3130..=0x318F // Hangul compatibility jamo
        | 0x20000..=0x2FFFF) // CJK extensions B and later
}

/// A run of text that makes terms: a word, or characters of an unspaced
/// script; `start`/`end` in UTF-16 code units (what JavaScript indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    text: String,
    unspaced: bool,
    start: usize,
    end: usize,
}

/// Splits `text` into words and unspaced runs, case-folded.
fn runs(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut at = 0usize;
    for c in text.chars() {
        let width = c.len_utf16();
        let kind = if is_unspaced(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (kind, out.last_mut()) {
            (Some(unspaced), Some(last)) if last.unspaced == unspaced && last.end == at => {
                last.text.extend(c.to_lowercase());
                last.end = at + width;
            }
            (Some(unspaced), _) => out.push(Run {
                text: c.to_lowercase().collect(),
                unspaced,
                start: at,
                end: at + width,
            }),
            (None, _) => {}
        }
        at += width;
    }
    out
}

/// `term` cut to `MAX_TERM_BYTES`, on a character boundary: what the
/// index keeps of it.
fn cut(term: &str) -> &str {
    let mut end = term.len().min(MAX_TERM_BYTES);
    while !term.is_char_boundary(end) {
        end -= 1;
    }
    term.get(..end).unwrap_or(term)
}

/// Appends `term` (already cut) encoded for the servers' indexes to
/// `out`: `x` and the hex of its bytes.
fn encode_into(term: &str, out: &mut String) {
    out.push('x');
    for b in term.as_bytes() {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}

/// `term` (already cut) encoded.
fn encode(term: &str) -> String {
    let mut out = String::with_capacity(encoded_len(term));
    encode_into(term, &mut out);
    out
}

/// The length of `term`'s encoded form.
fn encoded_len(term: &str) -> usize {
    1 + 2 * term.len()
}

/// A text's terms, written one after another into one buffer (this runs
/// once per message stored: no allocation per term).
#[derive(Default)]
struct Terms {
    buf: String,
    /// Each term's `[start, end)` in `buf`.
    spans: Vec<(usize, usize)>,
    /// Where the word being read starts in `buf`.
    word: Option<usize>,
}

impl Terms {
    fn get(&self, (start, end): (usize, usize)) -> &str {
        self.buf.get(start..end).unwrap_or_default()
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|span| self.get(*span))
    }

    /// Starts a word if none is being read.
    fn in_word(&mut self) -> &mut String {
        self.word.get_or_insert(self.buf.len());
        &mut self.buf
    }

    /// Ends the word being read, if any: cut, it becomes a term.
    fn end_word(&mut self) {
        if let Some(start) = self.word.take() {
            let kept = cut(self.buf.get(start..).unwrap_or_default()).len();
            self.buf.truncate(start + kept);
            self.spans.push((start, self.buf.len()));
        }
    }

    /// The terms of an unspaced run: each character (all of them when
    /// `with_single`, else only a run of one), and each pair.
    fn unspaced(&mut self, chars: &[char], with_single: bool) {
        if with_single || chars.len() == 1 {
            for c in chars {
                self.push_chars(&[*c]);
            }
        }
        for pair in chars.windows(2) {
            self.push_chars(pair);
        }
    }

    fn push_chars(&mut self, chars: &[char]) {
        let start = self.buf.len();
        self.buf.extend(chars);
        self.spans.push((start, self.buf.len()));
    }

    /// Keeps the terms, in the text's order, whose encoded forms fit in
    /// `MAX_TERMS_BYTES` (counted encoded, so both forms hold the same
    /// terms); then sorts them, each once.
    fn finish(mut self) -> Self {
        let mut bytes = 0usize;
        let within = self
            .spans
            .iter()
            .take_while(|span| {
                bytes += encoded_len(self.get(**span)) + 1;
                bytes <= MAX_TERMS_BYTES
            })
            .count();
        self.spans.truncate(within);
        let mut spans = std::mem::take(&mut self.spans);
        spans.sort_unstable_by(|a, b| self.get(*a).cmp(self.get(*b)));
        spans.dedup_by(|a, b| self.get(*a) == self.get(*b));
        self.spans = spans;
        self
    }

    /// The terms, space-separated, each written by `write`, which writes
    /// at most `per_byte` bytes for each of a term's bytes.
    fn joined(&self, per_byte: usize, write: impl Fn(&str, &mut String)) -> String {
        let mut out = String::with_capacity(per_byte * self.buf.len() + 2 * self.spans.len());
        for (i, term) in self.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write(term, &mut out);
        }
        out
    }
}

/// The terms of `text` (as in `runs`, without the offsets it tracks for
/// highlights), cut, sorted, each once, not yet encoded.
fn terms_of(text: &str, with_single: bool) -> Terms {
    let mut terms = Terms {
        buf: String::with_capacity(2 * text.len()),
        spans: Vec::with_capacity(text.len() / 4),
        ..Terms::default()
    };
    let mut unspaced: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_unspaced(c) {
            terms.end_word();
            unspaced.extend(c.to_lowercase());
            continue;
        }
        // An unspaced run ends before this character's word begins.
        if !unspaced.is_empty() {
            terms.unspaced(&unspaced, with_single);
            unspaced.clear();
        }
        // ASCII first: most text is, and only past it does a character
        // need Unicode's tables.
        if c.is_ascii_alphanumeric() {
            terms.in_word().push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && c.is_alphanumeric() {
            terms.in_word().extend(c.to_lowercase());
        } else {
            terms.end_word();
        }
    }
    terms.end_word();
    if !unspaced.is_empty() {
        terms.unspaced(&unspaced, with_single);
    }
    terms.finish()
}

/// The index terms of a message's text, encoded (`x` and hex: what the
/// servers' indexes keep whole), space-separated, each once.
pub fn index_terms(text: &str) -> String {
    terms_of(text, true).joined(2, encode_into)
}

/// The same terms as `index_terms`, as the text has them (case-folded,
/// cut), space-separated: for SQLite's FTS5 `ascii` tokenizer, which
/// keeps them whole as they are (a term holds only ASCII letters and
/// digits and characters past ASCII, which it never splits on), and
/// reads half the bytes of the encoded form.
pub fn index_words(text: &str) -> String {
    terms_of(text, true).joined(1, |term, out| out.push_str(term))
}

/// A search of the caller's messages: every term must match (as a whole
/// word), newest first, within one conversation or all the caller's,
/// optionally only what one user sent, before a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchMessages {
    /// The query's terms as `index_words` has them.
    words: Vec<String>,
    /// The query as typed (for highlights).
    pub text: String,
    pub conversation_id: Option<ConversationId>,
    pub from: Option<UserId>,
    /// The `next` of the previous page.
    pub before: Option<SearchCursor>,
    pub limit: u32,
}

/// Where a page of results ends: a position in the index's order
/// (newest first), opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SearchCursor(i64);

impl SearchCursor {
    pub fn new(position: i64) -> Self {
        Self(position)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// From its text form; `field` names the parameter it came in.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, InvalidField> {
        raw.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Self)
            .ok_or_else(|| InvalidField::new(field, "is not a search cursor"))
    }
}

impl std::fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl SearchMessages {
    /// The most results a page holds.
    pub const MAX_LIMIT: u32 = 50;

    /// `q`: 1-200 characters, 1-8 terms (words, or pairs of Chinese,
    /// Japanese or Korean characters); `limit`: 1-50, 20 by default.
    pub fn parse(
        q: String,
        conversation_id: Option<ConversationId>,
        from: Option<UserId>,
        before: Option<SearchCursor>,
        limit: Option<i64>,
    ) -> Result<Self, InvalidField> {
        let text = q.trim().to_owned();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(InvalidField::new("q", "must be at most 200 characters"));
        }
        let words: Vec<String> = terms_of(&text, false).iter().map(str::to_owned).collect();
        if words.is_empty() {
            return Err(InvalidField::new("q", "must hold a word"));
        }
        if words.len() > MAX_QUERY_TERMS {
            return Err(InvalidField::new("q", "must hold at most 8 words"));
        }
        let limit = crate::messaging::page_limit(limit, 20, Self::MAX_LIMIT)?;
        Ok(Self {
            words,
            text,
            conversation_id,
            from,
            before,
            limit,
        })
    }

    /// The encoded terms (as `index_terms` has them), each to match a
    /// whole term; encoded on each call, so a caller keeps them.
    pub fn terms(&self) -> Vec<String> {
        self.words.iter().map(|w| encode(w)).collect()
    }

    /// The terms as `index_words` has them, each to match a whole term.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// A page of results, newest first; `next`: the `before` of the next
/// page, when more may match.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    pub messages: Vec<crate::Message>,
    /// Each message's place in the index's order (as many as `messages`).
    pub positions: Vec<SearchCursor>,
    pub next: Option<SearchCursor>,
}

impl SearchPage {
    /// Keeps the first `n` results: if that drops any, the next page
    /// starts after the last one kept, so paging still reaches them.
    pub fn keep(&mut self, n: usize) {
        if n < self.positions.len() {
            self.messages.truncate(n);
            self.positions.truncate(n);
            self.next = self.positions.last().copied();
        }
    }

    /// Leaves out the results from `conversation`; `next` stays, so paging
    /// goes on past them.
    pub fn without(&mut self, conversation: &crate::ConversationId) {
        let results = std::mem::take(&mut self.messages)
            .into_iter()
            .zip(std::mem::take(&mut self.positions))
            .filter(|(m, _)| m.conversation_id != *conversation);
        (self.messages, self.positions) = results.unzip();
    }
}

/// Where the terms of `query` (as typed) occur in `text`: sorted,
/// disjoint `[start, end)` ranges in UTF-16 code units. A word matches
/// when it is a query word (case-folded); an unspaced run where it holds a
/// query run.
pub fn highlights(text: &str, query: &str) -> Vec<(usize, usize)> {
    let mut wanted = runs(query);
    wanted.sort_unstable_by(|a, b| (a.unspaced, &a.text).cmp(&(b.unspaced, &b.text)));
    wanted.dedup_by(|a, b| a.unspaced == b.unspaced && a.text == b.text);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for run in runs(text) {
        if run.unspaced {
            let chars: Vec<char> = run.text.chars().collect();
            let mut offsets = Vec::with_capacity(chars.len() + 1);
            let mut at = run.start;
            offsets.push(at);
            // Case folding leaves these scripts' widths as they are.
            for c in &chars {
                at += c.len_utf16();
                offsets.push(at);
            }
            for w in wanted.iter().filter(|w| w.unspaced) {
                let needle: Vec<char> = w.text.chars().collect();
                if needle.is_empty() {
                    continue;
                }
                for (i, window) in chars.windows(needle.len()).enumerate() {
                    if window != needle.as_slice() {
                        continue;
                    }
                    if let (Some(&s), Some(&e)) = (offsets.get(i), offsets.get(i + needle.len())) {
                        out.push((s, e));
                    }
                }
            }
        } else if wanted
            .iter()
            .any(|w| !w.unspaced && cut(&w.text) == cut(&run.text))
        {
            out.push((run.start, run.end));
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged.truncate(MAX_HIGHLIGHTS);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(terms: &str) -> Vec<String> {
        terms
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(|t| {
                let bytes: Vec<u8> = (1..t.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&t[i..i + 2], 16).unwrap())
                    .collect();
                String::from_utf8(bytes).unwrap()
            })
            .collect()
    }

    #[test]
    fn words_are_case_folded_and_unspaced_scripts_make_pairs() {
        let mut t = decoded(&index_terms("Hello, WORLD! 会议室 hello"));
        t.sort();
        assert_eq!(
            t,
            ["hello", "world", "会", "会议", "室", "议", "议室"].map(String::from)
        );
        assert_eq!(index_terms("!!! 👍"), "");
    }

    #[test]
    fn words_are_the_terms_before_their_encoding() {
        for text in [
            "Hello, WORLD! 会议室 hello",
            "ÉCOLE naïve x²",
            &"é".repeat(40),
        ] {
            assert_eq!(decoded(&index_terms(text)).join(" "), index_words(text));
        }
        let q = SearchMessages::parse("会议室 Meet".into(), None, None, None, None).unwrap();
        assert_eq!(q.words(), ["meet", "会议", "议室"]);
    }

    #[test]
    fn a_messages_terms_are_bounded_in_bytes() {
        let text: String = ('\u{4e00}'..='\u{9fa5}').take(20_000).collect();
        let terms = index_terms(&text);
        assert!(terms.len() <= MAX_TERMS_BYTES, "{}", terms.len());
        assert!(terms.len() > MAX_TERMS_BYTES / 2);
        let many = "a ".repeat(5_000);
        assert_eq!(highlights(&many, "a a a a").len(), MAX_HIGHLIGHTS);
    }

    #[test]
    fn long_words_are_cut_on_a_character_boundary() {
        let t = decoded(&index_terms(&"é".repeat(40)));
        assert_eq!(t, vec!["é".repeat(16)]);
    }

    #[test]
    fn queries_ask_for_pairs_and_refuse_what_has_no_word() {
        let q = SearchMessages::parse("会议室 Meet".into(), None, None, None, None).unwrap();
        assert_eq!(decoded(&q.terms().join(" ")), ["meet", "会议", "议室"]);
        let one = SearchMessages::parse("会".into(), None, None, None, None).unwrap();
        assert_eq!(decoded(&one.terms().join(" ")), ["会"]);
        assert!(SearchMessages::parse("  ?! ".into(), None, None, None, None).is_err());
        assert!(SearchMessages::parse("a b c d e f g h i".into(), None, None, None, None).is_err());
        assert!(SearchMessages::parse("a".repeat(201), None, None, None, None).is_err());
        assert!(SearchMessages::parse("a".into(), None, None, None, Some(51)).is_err());
        assert!(SearchCursor::parse("0", "before").is_err());
        assert!(SearchCursor::parse("x", "before").is_err());
        assert_eq!(SearchCursor::parse("42", "before").unwrap().get(), 42);
    }

    #[test]
    fn highlights_cover_matching_words_in_utf16_units() {
        assert_eq!(highlights("Meet at noon, meeting me", "meet"), [(0, 4)]);
        assert_eq!(highlights("MEET meet", "meet"), [(0, 4), (5, 9)]);
        // "😀" is two UTF-16 units.
        assert_eq!(highlights("😀 开会议了", "会议"), [(4, 6)]);
        assert_eq!(highlights("nothing here", "meet"), []);
    }
}
