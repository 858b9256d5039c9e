//! What the SQLite modules share to read and write rows: the clock they stamp rows with,
//! and JSON text columns (origin lists, CIDR lists, verification settings) read into typed
//! values.

use rusqlite::{types::Type, Row};
use serde::de::DeserializeOwned;

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
