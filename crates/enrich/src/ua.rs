//! User agents → browser, OS and device type, behind a bounded cache keyed by the UA string.
//! (Being written: the parser. The types below are the interface.)

use std::sync::Arc;

use crate::{bots::BotMatch, DeviceSummary};

/// Everything the user agent string says, computed once per distinct string.
#[derive(Debug, Clone, PartialEq)]
pub struct UserAgentInfo {
    pub device: DeviceSummary,
    /// Headless or automation markers in the UA itself (HeadlessChrome, PhantomJS, …).
    pub headless: bool,
    /// The bot registry entry the UA matched, if any (crawlers, AI agents, HTTP libraries).
    pub bot: Option<Arc<BotMatch>>,
}
