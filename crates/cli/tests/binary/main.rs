//! Tests of the real `clickwire` binary as a user runs it: processes, signals, the CLI on
//! a live data directory, and durability across SIGKILL.

mod browser;
mod cli;
mod dashboard;
mod deliveries;
mod disk_full;
mod durability;
mod feed;
mod hostile;
mod kills;
mod operator;
mod process;
mod readme;
mod sdks;
mod serve;
mod store;
