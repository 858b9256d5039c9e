//! User agents → browser, OS, device type, headless markers and bot registry match,
//! behind a bounded cache keyed by the UA string, so one lookup gives everything.
//!
//! Browser and OS families come from the vendored uap-core regexes (the `ua-parser`
//! crate), renamed to what users call them (`names`); the device type is derived from
//! UA tokens (`device`); a UA uap does not know gives "Other" / "Other" / desktop.
//!
//! Bots keep the device type and OS their UA claims (Googlebot's smartphone UA is a
//! mobile on Android, its desktop UA a desktop on "Other"), and the browser is the
//! registry's name for them ("Googlebot", "ChatGPT-User", "HeadlessChrome"): uap's
//! catch-all bot rules would otherwise give fragments such as "com/bot". HTTP libraries
//! keep uap's browser, which names the app of a native UA ("AcmeApp/2.1.0 CFNetwork …"
//! → "AcmeApp") and the tool otherwise ("curl", "Python Requests").

mod device;
mod names;
mod uap;

use std::sync::Arc;

use quick_cache::sync::Cache;

use crate::{
    bots::{BotMatch, BotRegistry, BotRegistryError},
    DeviceSummary, DeviceType,
};

/// Everything the user agent string says, computed once per distinct string.
#[derive(Debug, Clone, PartialEq)]
pub struct UserAgentInfo {
    pub device: DeviceSummary,
    /// Headless or automation markers in the UA itself (HeadlessChrome, PhantomJS, …).
    pub headless: bool,
    /// The bot registry entry the UA matched, if any (crawlers, AI agents, HTTP libraries).
    pub bot: Option<Arc<BotMatch>>,
}

/// Only this many leading bytes of a user agent are parsed and used as the cache key.
/// Real user agents are well under it; the cap bounds the cache's memory and the regex
/// work a hostile client can ask for.
pub const MAX_USER_AGENT_BYTES: usize = 1024;

/// The vendored data could not be compiled. It is compiled into the binary, so this
/// only happens when an updated file is broken; the crate's tests catch it.
#[derive(Debug, thiserror::Error)]
pub enum UaError {
    #[error("vendored uap-core regexes.yaml does not parse")]
    UapYaml(#[source] serde_yaml_ng::Error),
    #[error("vendored uap-core regexes do not compile")]
    UapCompile(#[source] ua_parser::Error),
    #[error(transparent)]
    Bots(#[from] BotRegistryError),
}

/// Compiled uap regexes, the bot registry and the cache. Share it behind an `Arc`.
pub struct UaParser {
    uap: uap::Uap,
    bots: BotRegistry,
    cache: Cache<String, Arc<UserAgentInfo>>,
}

impl UaParser {
    /// Compiles the vendored data (50–80 ms in a release build: do it once at start-up);
    /// `cache_capacity` distinct UA strings are cached (quick_cache: sharded, evicting
    /// by recency and frequency; 0 disables caching).
    pub fn new(cache_capacity: usize) -> Result<Self, UaError> {
        Ok(Self {
            uap: uap::Uap::compile()?,
            bots: BotRegistry::new()?,
            cache: Cache::new(cache_capacity),
        })
    }

    /// Thread-safe; a cache hit costs a hash, a shard read lock and an `Arc` clone.
    pub fn parse(&self, user_agent: &str) -> Arc<UserAgentInfo> {
        let key = bounded(user_agent);
        if let Some(info) = self.cache.get(key) {
            return info;
        }
        let info = Arc::new(self.parse_bounded(key));
        self.cache.insert(key.to_owned(), Arc::clone(&info));
        info
    }

    /// As [`Self::parse`] without the cache, for benchmarks and one-off use.
    pub fn parse_uncached(&self, user_agent: &str) -> UserAgentInfo {
        self.parse_bounded(bounded(user_agent))
    }

    /// The registry the parser matches bots with.
    pub fn bots(&self) -> &BotRegistry {
        &self.bots
    }

    /// Distinct user agents currently cached.
    pub fn cached_len(&self) -> usize {
        self.cache.len()
    }

    fn parse_bounded(&self, user_agent: &str) -> UserAgentInfo {
        let families = self.uap.families(user_agent);
        let os = if device::is_ipad(user_agent) {
            names::IOS.to_owned()
        } else {
            names::os_name(&families.os)
        };
        let device_type = device::device_type(user_agent, &os);
        let bot = self.bots.classify_shared(user_agent);
        let browser = match &bot {
            Some(bot) if !bot.http_library => bot.name.clone(),
            _ => names::browser_name(&families.browser),
        };
        UserAgentInfo {
            device: DeviceSummary {
                device_type,
                browser,
                os,
                is_mobile: device_type != DeviceType::Desktop,
            },
            headless: device::is_headless(user_agent),
            bot,
        }
    }
}

impl std::fmt::Debug for UaParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UaParser")
            .field("bots", &self.bots)
            .field("cached", &self.cache.len())
            .field("cache_capacity", &self.cache.capacity())
            .finish_non_exhaustive()
    }
}

/// The first [`MAX_USER_AGENT_BYTES`] of `user_agent`, cut on a character boundary.
fn bounded(user_agent: &str) -> &str {
    if user_agent.len() <= MAX_USER_AGENT_BYTES {
        return user_agent;
    }
    let mut end = MAX_USER_AGENT_BYTES;
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    &user_agent[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_user_agents_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_USER_AGENT_BYTES);
        let cut = bounded(&long);
        assert!(cut.len() <= MAX_USER_AGENT_BYTES);
        assert!(cut.len() >= MAX_USER_AGENT_BYTES - 1);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(bounded("curl/8.5.0"), "curl/8.5.0");
    }
}
