//! What the SQLite modules share to read and write rows: the clock they stamp rows with,
//! JSON text columns (origin lists, CIDR lists, verification settings, destination
//! settings, rules) written from and read into typed values, and the cursor of a page read
//! newest first.

use rusqlite::{types::Type, Row};
use serde::{de::DeserializeOwned, Serialize};

use crate::StoreError;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A JSON text column read as `T`.
pub fn json<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    parse(idx, &text)
}

/// A nullable JSON text column read as `T`.
pub fn json_or_null<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|text| parse(idx, &text)).transpose()
}

fn parse<T: DeserializeOwned>(idx: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(err)))
}

/// `value` as the text of a JSON column.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| StoreError::Invalid(err.to_string()))
}

/// `value` as the text of a nullable JSON column.
pub fn opt_json<T: Serialize>(value: &Option<T>) -> Result<Option<String>, StoreError> {
    value.as_ref().map(to_json).transpose()
}

/// A page read with `LIMIT limit + 1`: cut to `limit`; the cursor (the id of its last row)
/// when a further row showed that more follow.
pub fn next_page<T>(rows: &mut Vec<T>, limit: usize, id: impl Fn(&T) -> &str) -> Option<String> {
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last().map(|row| id(row).to_owned())
}
