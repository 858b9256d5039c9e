//! The bot registry: one compiled matcher, behind a literal prefilter, over the vendored
//! crawler list (`crawler-user-agents`) and clickwire's own additions
//! (`data/ai-agents.json`, `data/extra-agents.json`). A user agent maps to the most
//! specific entry it matches, with a display name and one of the contract's bot
//! categories.
//!
//! Whether a match makes the event a bot is not decided here: HTTP libraries are only
//! flagged (`http_library`), and the key kind decides later.

mod catalog;
mod category;
mod known;
mod literals;
mod matcher;
mod name;

use std::sync::Arc;

use crate::BotCategory;
use catalog::Entry;
use matcher::Matcher;

/// A registry entry a user agent matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotMatch {
    /// Human-readable name: "Googlebot", "GPTBot", "curl", …
    pub name: String,
    pub category: BotCategory,
    /// An HTTP library or command-line client (curl, python-requests, OkHttp,
    /// Go-http-client, …): a bot under a website key, expected under a mobile/server key.
    pub http_library: bool,
}

/// The vendored lists could not be turned into a matcher. The data is compiled in, so
/// this only happens when an updated list is broken; the crate's tests catch it.
#[derive(Debug, thiserror::Error)]
pub enum BotRegistryError {
    #[error("vendored bot list {file} is not valid JSON in the crawler-user-agents shape")]
    Catalog {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("pattern {pattern:?} in {file} is not a valid regex")]
    Pattern {
        file: &'static str,
        pattern: String,
        #[source]
        source: regex::Error,
    },
    #[error("the bot matcher's literal prefilter could not be built")]
    Prefilter(#[source] aho_corasick::BuildError),
}

/// Compiled matcher plus one shared [`BotMatch`] per entry, in list order.
pub struct BotRegistry {
    matcher: Matcher,
    matches: Vec<Arc<BotMatch>>,
}

impl BotRegistry {
    /// Compiles every vendored entry (about 1,500 regexes) into one matcher.
    pub fn new() -> Result<Self, BotRegistryError> {
        let entries = catalog::load()?;
        let described: Vec<category::Described> = entries.iter().map(category::describe).collect();
        let matcher = Matcher::build(&entries, &described)?;
        let matches = entries
            .iter()
            .zip(described)
            .enumerate()
            .map(|(index, (entry, described))| {
                Arc::new(bot_match(entry, described, matcher.regex(index)))
            })
            .collect();
        Ok(Self { matcher, matches })
    }

    /// The most specific entry `user_agent` matches, if any.
    pub fn classify(&self, user_agent: &str) -> Option<BotMatch> {
        self.classify_shared(user_agent)
            .map(|found| BotMatch::clone(&found))
    }

    /// As [`Self::classify`], sharing the registry's copy instead of cloning it.
    pub(crate) fn classify_shared(&self, user_agent: &str) -> Option<Arc<BotMatch>> {
        let index = self.matcher.best(user_agent)?;
        self.matches.get(index).cloned()
    }

    /// Number of entries compiled in.
    pub fn len(&self) -> usize {
        self.matches.len()
    }

    /// Never true with the vendored data; here for completeness next to [`Self::len`].
    pub fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }
}

impl std::fmt::Debug for BotRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotRegistry")
            .field("entries", &self.matches.len())
            .finish_non_exhaustive()
    }
}

/// The public face of one entry: the hand table's name if it has one, else one derived
/// from the pattern.
fn bot_match(entry: &Entry, described: category::Described, regex: &regex::Regex) -> BotMatch {
    let name = match known::lookup(&entry.pattern).and_then(|known| known.name) {
        Some(name) => name.to_owned(),
        None => name::derive(&entry.pattern, regex, &entry.instances),
    };
    BotMatch {
        name,
        category: described.category,
        http_library: described.http_library,
    }
}

#[cfg(test)]
mod tests;
