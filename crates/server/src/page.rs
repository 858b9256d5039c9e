//! The paging of the hookstream-style listings (sources, destinations, connections,
//! attempts, issues): `limit` (1 to [`MAX_PAGE`]) and `cursor` (the `next_cursor` of the
//! previous page, as the listing wrote it), and [`after_cursor`] for listings read whole.

use clickwire_model::FieldError;

use crate::error::ApiError;

/// Most items on one page.
pub const MAX_PAGE: usize = 100;

/// A listing's `limit` (`default` when absent) and `cursor`.
pub fn limit_and_cursor(query: &str, default: usize) -> Result<(usize, Option<String>), ApiError> {
    let mut limit = default;
    let mut cursor = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => limit = n,
                _ => return Err(invalid("limit", "must be a whole number from 1 to 100")),
            },
            "cursor" => cursor = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok((limit, cursor))
}

/// The 400 of one bad paging parameter.
pub fn invalid(path: &str, message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError {
        path: path.into(),
        message: message.into(),
    }])
}

/// The page of `items` (oldest first) after the item whose id is `cursor`, and the cursor
/// of the next page.
pub fn after_cursor<T>(
    items: Vec<T>,
    limit: usize,
    cursor: Option<&str>,
    id: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match cursor {
        Some(after) => match items.iter().position(|item| id(item) == after) {
            Some(at) => at + 1,
            None => return Err(invalid("cursor", "not a next_cursor of this listing")),
        },
        None => 0,
    };
    let rest = items.len().saturating_sub(start);
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next = (rest > limit)
        .then(|| page.last().map(|item| id(item).to_owned()))
        .flatten();
    Ok((page, next))
}
