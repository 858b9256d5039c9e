//! The scoring engine end to end: events are built as JSON and parsed by the model crate as
//! the server parses them, user-agent facts are built by hand (so these tests do not depend
//! on the parser), and every event goes through `observe`. One module per area.

#[path = "scoring/behaviour.rs"]
mod behaviour;
#[path = "scoring/bots.rs"]
mod bots;
#[path = "scoring/properties.rs"]
mod properties;
#[path = "scoring/sessions.rs"]
mod sessions;
#[path = "scoring/support.rs"]
mod support;
