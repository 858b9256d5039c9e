//! The hookstream streams over WebSocket that read the hub: the dashboard stream
//! `GET /v1/ws` ([`dashboard`], with its [`channel`]s) and a test session's stream
//! `GET /v1/ws/test/{id}` ([`test`]). Both run the same [`socket`] loop and send the
//! [`frame`]s; the hub builds each event's frame once for every socket.

pub mod channel;
pub mod dashboard;
pub mod frame;
pub mod socket;
pub mod test;
