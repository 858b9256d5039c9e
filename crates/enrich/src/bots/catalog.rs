//! The vendored user-agent lists, compiled into the binary: the `crawler-user-agents`
//! package first, then clickwire's own additions. All three files share one JSON shape.

use serde::Deserialize;

use super::BotRegistryError;

/// One list entry. Fields the registry does not use (`url`, `description`,
/// `addition_date`, `depends_on`) are ignored.
#[derive(Debug, Deserialize)]
pub(super) struct Entry {
    /// A case-sensitive regex, searched anywhere in the user agent.
    pub(super) pattern: String,
    /// Real user agents the pattern matches: the source of display names, and test cases.
    #[serde(default)]
    pub(super) instances: Vec<String>,
    /// The list's own classification ("search-engine", "ai-crawler", "http-library", …).
    #[serde(default)]
    pub(super) tags: Vec<String>,
    /// Which file the entry came from, for error messages and tests.
    #[serde(skip)]
    pub(super) file: &'static str,
}

/// A compiled-in list file.
struct Source {
    file: &'static str,
    json: &'static str,
}

/// List order matters only to break ties between equally specific matches.
const SOURCES: [Source; 3] = [
    Source {
        file: "data/crawler-user-agents/crawler-user-agents.json",
        json: include_str!("../../../../data/crawler-user-agents/crawler-user-agents.json"),
    },
    Source {
        file: "data/ai-agents.json",
        json: include_str!("../../../../data/ai-agents.json"),
    },
    Source {
        file: "data/extra-agents.json",
        json: include_str!("../../../../data/extra-agents.json"),
    },
];

/// Every entry of every list, in order.
pub(super) fn load() -> Result<Vec<Entry>, BotRegistryError> {
    let mut all = Vec::new();
    for source in &SOURCES {
        let entries: Vec<Entry> =
            serde_json::from_str(source.json).map_err(|source_err| BotRegistryError::Catalog {
                file: source.file,
                source: source_err,
            })?;
        all.extend(entries.into_iter().map(|entry| Entry {
            file: source.file,
            ..entry
        }));
    }
    Ok(all)
}
