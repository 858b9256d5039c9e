//! The Signals Feed: live scored events over WebSocket and Server-Sent Events.

pub mod frame;
