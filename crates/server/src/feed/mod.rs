//! The Signals Feed: live scored events over WebSocket and Server-Sent Events.
//!
//! The hub (`crate::hub`) fans committed frames out to each tenant's subscribers; `admit`
//! decides who may subscribe; `socket` runs one connection (over `ws` or `sse`); `resume` reads missed
//! frames back from the store; `filter` is the `?filter=` grammar; `write` takes events in
//! from network- and custom-tier subscribers; `frame` and `control` are what is sent.

pub mod admit;
pub mod control;
pub mod filter;
pub mod frame;
pub mod resume;
pub mod socket;
pub mod sse;
pub mod write;
pub mod ws;
