//! Statements as the store code writes them, whatever the dialect.
//!
//! A `Query` is SQL text with `?` placeholders and the values bound to
//! them, in order; each `?` becomes the dialect's own placeholder as it is
//! pushed (`$1, $2, ...` on PostgreSQL), so no statement here may hold a
//! `?` inside a string literal. A `Rec` is a row read back, its columns
//! decoded by the dialect (`Dialect::text`, ...).
//!
//! `Run` is the one place that names sqlx's bounds: it binds the values,
//! runs the statement on the dialect's driver and reads the columns.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use ferrochat_domain::{ConversationKind, Seq};
use std::future::Future;

use futures::TryStreamExt;
use sqlx::{ColumnIndex, Database, Decode, Either, Encode, Executor, IntoArguments, Row, Type};

use crate::chain::Chain;
use crate::dialect::{ConnOf, Dialect, Driver, Ex, RowOf};

/// A value bound to a placeholder. Each NULL keeps its type, which
/// PostgreSQL checks.
#[derive(Debug, Clone)]
pub enum Val<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    OptBool(Option<bool>),
    /// A value made for the statement (a key derived from its input).
    Owned(String),
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<Option<&'a str>> for Val<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Val::OptText(v)
    }
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl From<Option<i64>> for Val<'_> {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}

impl From<String> for Val<'_> {
    fn from(v: String) -> Self {
        Val::Owned(v)
    }
}

impl From<Option<bool>> for Val<'_> {
    fn from(v: Option<bool>) -> Self {
        Val::OptBool(v)
    }
}

impl From<bool> for Val<'_> {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}

/// A statement and its bound values.
pub(crate) struct Query<'a, D> {
    sql: String,
    args: Vec<Val<'a>>,
    placeholders: usize,
    dialect: PhantomData<D>,
}

impl<'a, D: Dialect> Query<'a, D> {
    /// A statement, or the start of one, written with `?` placeholders.
    pub(crate) fn new(sql: &str) -> Self {
        let mut q = Self {
            sql: String::with_capacity(sql.len() + 16),
            args: Vec::new(),
            placeholders: 0,
            dialect: PhantomData,
        };
        q.push(sql);
        q
    }

    /// Appends SQL text; each `?` in it is the next placeholder.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        let mut rest = sql;
        while let Some(at) = rest.find('?') {
            self.sql.push_str(&rest[..at]);
            self.placeholders += 1;
            D::placeholder(&mut self.sql, self.placeholders);
            rest = &rest[at + 1..];
        }
        self.sql.push_str(rest);
        self
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, v: impl Into<Val<'a>>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Binds the next placeholder (for statements built piece by piece).
    pub(crate) fn arg(&mut self, v: impl Into<Val<'a>>) -> &mut Self {
        self.args.push(v.into());
        self
    }

    /// Appends a placeholder and binds it.
    pub(crate) fn push_bind(&mut self, v: impl Into<Val<'a>>) -> &mut Self {
        self.push("?").arg(v)
    }

    /// Appends `items`, separated by `sep`, each written by `each`.
    pub(crate) fn push_list<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        sep: &str,
        mut each: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(sep);
            }
            each(self, item);
        }
        self
    }

    /// What the statement begins with (up to its first parenthesis), as
    /// written here: never a value.
    pub(crate) fn head(&self) -> &str {
        self.sql.split('(').next().unwrap_or_default().trim()
    }

    /// Appends the statement to `out` as text, each value written in as
    /// the dialect's literal (`Dialect::LITERAL`, whose dialects number
    /// no placeholder: each `?` is the next value). `false`, and nothing
    /// appended, on a dialect without literals or when the values do not
    /// pair up with the placeholders.
    pub(crate) fn inline_into(&self, out: &mut String) -> bool {
        let Some(literal) = D::LITERAL else {
            return false;
        };
        // Bound values and placeholders that do not pair up are left to
        // the prepared statement, which reports them.
        if self.args.len() != self.placeholders {
            return false;
        }
        let start = out.len();
        let mut values = self.args.iter();
        let mut rest = self.sql.as_str();
        while let Some(at) = rest.find('?') {
            out.push_str(&rest[..at]);
            match values.next() {
                Some(v) => literal(out, v),
                None => {
                    out.truncate(start);
                    return false;
                }
            }
            rest = &rest[at + 1..];
        }
        out.push_str(rest);
        true
    }

    /// Runs the statement in `chain`'s transaction (`Chain::execute`).
    pub(crate) async fn execute_in(self, chain: &mut Chain<D>) -> Result<(), sqlx::Error> {
        chain.execute(self).await
    }

    /// Its rows, read in `chain`'s transaction.
    pub(crate) async fn fetch_all_in(
        self,
        chain: &mut Chain<D>,
    ) -> Result<Vec<Rec<D>>, sqlx::Error> {
        chain.fetch_all(self).await
    }

    /// Its first row, if any, read in `chain`'s transaction.
    pub(crate) async fn fetch_optional_in(
        self,
        chain: &mut Chain<D>,
    ) -> Result<Option<Rec<D>>, sqlx::Error> {
        chain.fetch_optional(self).await
    }

    /// Its one row, read in `chain`'s transaction.
    pub(crate) async fn fetch_one_in(self, chain: &mut Chain<D>) -> Result<Rec<D>, sqlx::Error> {
        chain.fetch_one(self).await
    }

    pub(crate) async fn fetch_all<'e>(
        self,
        ex: impl Into<Ex<'e, D>>,
    ) -> Result<Vec<Rec<D>>, sqlx::Error> {
        let started = Instant::now();
        let rows = D::fetch_all(ex.into(), &self.sql, self.args).await;
        note_slow::<D>(&self.sql, started);
        Ok(rows?.into_iter().map(Rec).collect())
    }

    pub(crate) async fn fetch_optional<'e>(
        self,
        ex: impl Into<Ex<'e, D>>,
    ) -> Result<Option<Rec<D>>, sqlx::Error> {
        let started = Instant::now();
        let row = D::fetch_optional(ex.into(), &self.sql, self.args).await;
        note_slow::<D>(&self.sql, started);
        Ok(row?.map(Rec))
    }

    /// The one row the statement returns (`RowNotFound` if none).
    pub(crate) async fn fetch_one<'e>(
        self,
        ex: impl Into<Ex<'e, D>>,
    ) -> Result<Rec<D>, sqlx::Error> {
        self.fetch_optional(ex)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs the statement; the rows it changed.
    pub(crate) async fn execute<'e>(self, ex: impl Into<Ex<'e, D>>) -> Result<u64, sqlx::Error> {
        let started = Instant::now();
        let done = D::execute(ex.into(), &self.sql, self.args).await;
        note_slow::<D>(&self.sql, started);
        done
    }
}

/// A statement that takes longer is logged by the store.
const SLOW: Duration = Duration::from_secs(1);

/// Logs a slow statement of `D` begun at `started`, as its text was
/// written here: placeholders, never a value. Only on a dialect with
/// literals (`Dialect::LITERAL`), whose connections turn sqlx's own
/// statement logs off, since a joined request (`chain.rs`) carries its
/// values (what users wrote) in its text; elsewhere sqlx logs it.
pub(crate) fn note_slow<D: Dialect>(sql: &str, started: Instant) {
    let took = started.elapsed();
    if D::LITERAL.is_some() && took >= SLOW {
        tracing::warn!(
            statement = sql.trim(),
            took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "slow statement"
        );
    }
}

/// A row read back.
pub(crate) struct Rec<D: Dialect>(pub(crate) RowOf<D>);

impl<D: Dialect> Rec<D> {
    /// The column `name`, decoded as `T`.
    pub(crate) fn col<T: Col<D>>(&self, name: &str) -> Result<T, sqlx::Error> {
        T::read(&self.0, name)
    }
}

/// A type a column decodes to.
pub(crate) trait Col<D: Dialect>: Sized {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error>;
}

impl<D: Dialect> Col<D> for String {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error> {
        D::text(row, name)
    }
}

impl<D: Dialect> Col<D> for Option<String> {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error> {
        D::opt_text(row, name)
    }
}

impl<D: Dialect> Col<D> for i64 {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error> {
        D::int(row, name)
    }
}

impl<D: Dialect> Col<D> for Option<i64> {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error> {
        D::opt_int(row, name)
    }
}

impl<D: Dialect> Col<D> for bool {
    fn read(row: &RowOf<D>, name: &str) -> Result<Self, sqlx::Error> {
        D::flag(row, name)
    }
}

/// Runs statements and reads columns on a dialect's driver: the one impl
/// that names sqlx's bounds, which every driver here meets.
pub trait Run: Driver {
    fn fetch_all<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<Vec<RowOf<Self>>, sqlx::Error>> + Send + 'e;

    fn fetch_optional<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<Option<RowOf<Self>>, sqlx::Error>> + Send + 'e;

    /// Runs a statement; the rows it changed.
    fn execute<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send + 'e;

    /// Runs statements sent together as one text request (`chain.rs`):
    /// the rows of each, in order, a list per statement (empty for one that
    /// returns none). The first failure ends it: the server runs none after.
    fn script<'e>(
        conn: &'e mut ConnOf<Self>,
        sql: &'e str,
    ) -> impl Future<Output = Result<Vec<Vec<RowOf<Self>>>, sqlx::Error>> + Send + 'e;

    fn text(row: &RowOf<Self>, col: &str) -> Result<String, sqlx::Error>;
    fn opt_text(row: &RowOf<Self>, col: &str) -> Result<Option<String>, sqlx::Error>;
    fn int(row: &RowOf<Self>, col: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(row: &RowOf<Self>, col: &str) -> Result<Option<i64>, sqlx::Error>;
    fn flag(row: &RowOf<Self>, col: &str) -> Result<bool, sqlx::Error>;
}

impl<D: Driver> Run for D
where
    for<'c> &'c mut ConnOf<D>: Executor<'c, Database = D::Db>,
    for<'q> <D::Db as Database>::Arguments<'q>: IntoArguments<'q, D::Db>,
    for<'q> &'q str: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> Option<&'q str>: Encode<'q, D::Db> + Type<D::Db>,
    i64: for<'q> Encode<'q, D::Db> + Type<D::Db> + for<'r> Decode<'r, D::Db>,
    Option<i64>: for<'q> Encode<'q, D::Db> + Type<D::Db> + for<'r> Decode<'r, D::Db>,
    bool: for<'q> Encode<'q, D::Db> + Type<D::Db> + for<'r> Decode<'r, D::Db>,
    Option<bool>: for<'q> Encode<'q, D::Db> + Type<D::Db>,
    String: for<'q> Encode<'q, D::Db> + Type<D::Db> + for<'r> Decode<'r, D::Db>,
    Option<String>: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    for<'n> &'n str: ColumnIndex<RowOf<D>>,
{
    fn fetch_all<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<Vec<RowOf<Self>>, sqlx::Error>> + Send + 'e {
        let q = bound::<D::Db>(sql, args);
        async move {
            match ex {
                Ex::Pool(p) => q.fetch_all(p).await,
                Ex::Conn(c) => q.fetch_all(c).await,
            }
        }
    }

    fn fetch_optional<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<Option<RowOf<Self>>, sqlx::Error>> + Send + 'e {
        let q = bound::<D::Db>(sql, args);
        async move {
            match ex {
                Ex::Pool(p) => q.fetch_optional(p).await,
                Ex::Conn(c) => q.fetch_optional(c).await,
            }
        }
    }

    fn execute<'e>(
        ex: Ex<'e, Self>,
        sql: &'e str,
        args: Vec<Val<'e>>,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send + 'e {
        let q = bound::<D::Db>(sql, args);
        async move {
            let done = match ex {
                Ex::Pool(p) => q.execute(p).await,
                Ex::Conn(c) => q.execute(c).await,
            }?;
            Ok(D::rows_affected(&done))
        }
    }

    async fn script<'e>(
        conn: &'e mut ConnOf<Self>,
        sql: &'e str,
    ) -> Result<Vec<Vec<RowOf<Self>>>, sqlx::Error> {
        // sqlx ends each statement's rows with its result.
        let mut sets = Vec::new();
        let mut rows = Vec::new();
        let mut answers = sqlx::raw_sql(sql).fetch_many(conn);
        while let Some(answer) = answers.try_next().await? {
            match answer {
                Either::Left(_) => sets.push(std::mem::take(&mut rows)),
                Either::Right(row) => rows.push(row),
            }
        }
        Ok(sets)
    }

    fn text(row: &RowOf<Self>, col: &str) -> Result<String, sqlx::Error> {
        get::<D, _>(row, col)
    }

    fn opt_text(row: &RowOf<Self>, col: &str) -> Result<Option<String>, sqlx::Error> {
        get::<D, _>(row, col)
    }

    fn int(row: &RowOf<Self>, col: &str) -> Result<i64, sqlx::Error> {
        get::<D, _>(row, col)
    }

    fn opt_int(row: &RowOf<Self>, col: &str) -> Result<Option<i64>, sqlx::Error> {
        get::<D, _>(row, col)
    }

    fn flag(row: &RowOf<Self>, col: &str) -> Result<bool, sqlx::Error> {
        get::<D, _>(row, col)
    }
}

/// Reads column `col` as `T`, checking its declared type unless the
/// driver says not to (`Driver::UNCHECKED_READS`).
fn get<D, T>(row: &RowOf<D>, col: &str) -> Result<T, sqlx::Error>
where
    D: Driver,
    T: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    for<'n> &'n str: ColumnIndex<RowOf<D>>,
{
    if D::UNCHECKED_READS {
        row.try_get_unchecked(col)
    } else {
        row.try_get(col)
    }
}

fn bound<'q, DB>(sql: &'q str, args: Vec<Val<'q>>) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
where
    DB: Database,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    String: Encode<'q, DB> + Type<DB>,
{
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Val::Text(v) => q.bind(v),
            Val::OptText(v) => q.bind(v),
            Val::Int(v) => q.bind(v),
            Val::OptInt(v) => q.bind(v),
            Val::Bool(v) => q.bind(v),
            Val::OptBool(v) => q.bind(v),
            Val::Owned(v) => q.bind(v),
        };
    }
    q
}

/// Stored integers are i64; seqs are u64 and start at 0.
/// A list of columns (`"a, b"`), each qualified by the table's `alias`
/// (`"t.a, t.b"`), for a query that joins tables with the same column
/// names.
pub(crate) fn qualified(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn seq(v: i64) -> Seq {
    Seq::new(u64::try_from(v).unwrap_or(0))
}

pub(crate) fn db_seq(s: Seq) -> i64 {
    i64::try_from(s.get()).unwrap_or(i64::MAX)
}

pub(crate) fn kind(s: &str) -> Result<ConversationKind, sqlx::Error> {
    ConversationKind::from_stored(s)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown conversation kind {s:?}").into()))
}

pub(crate) fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mysql, Postgres};

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut q = Query::<Postgres>::new("SELECT a FROM t WHERE b = ? AND c > ?");
        q.push(" LIMIT ").push_bind(1i64);
        assert_eq!(q.sql, "SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3");
        let q = Query::<Mysql>::new("SELECT a FROM t WHERE b = ?");
        assert_eq!(q.sql, "SELECT a FROM t WHERE b = ?");
        assert_eq!(Query::<Postgres>::new("SELECT 1").sql, "SELECT 1");
    }

    #[test]
    fn seqs_round_trip_and_clamp() {
        assert_eq!(seq(-1), Seq::ZERO);
        assert_eq!(seq(db_seq(Seq::new(42))), Seq::new(42));
        assert_eq!(db_seq(Seq::new(u64::MAX)), i64::MAX);
    }
}
