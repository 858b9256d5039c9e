//! Behaviour of `clickwire-model` through its public API: one test binary, one module per
//! area of the contract.

mod analytics;
mod batch;
mod device;
mod envelope;
mod normalise;
mod page_rules;
mod robustness;
mod sealed;
mod signal;
mod support;
mod types;
