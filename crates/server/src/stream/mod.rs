//! The hookstream streams over WebSocket that read the hub: the dashboard stream
//! `GET /v1/ws` ([`dashboard`], with its [`channel`]s) and a test session's stream
//! `GET /v1/ws/test/{id}` ([`test`]). Both run the same [`socket`] loop and send the
//! [`frame`]s; the hub builds each event's frame once for every socket.

pub mod channel;
pub mod dashboard;
pub mod frame;
pub mod socket;
pub mod test;

/// The value of `name` in a query string, if not empty.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}
