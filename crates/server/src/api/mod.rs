//! Read APIs for a tenant's own data.

pub mod events;
pub mod signals;
