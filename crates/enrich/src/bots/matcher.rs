//! All list patterns behind one Aho-Corasick prefilter over their required literals
//! ([`super::literals`]): a user agent costs one literal scan, plus a regex run for each
//! entry whose literal it contains and for the few entries without a usable literal.
//! A browser user agent that matches nothing allocates nothing.

use std::{cmp::Reverse, collections::HashMap};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::{catalog::Entry, category::Described, literals, BotRegistryError};

pub(super) struct Matcher {
    /// One per entry, in list order.
    regexes: Vec<Regex>,
    /// Per entry: a generic tool that loses to any specific entry matching the same UA.
    generic: Vec<bool>,
    /// Every distinct required literal; pattern `i` of the automaton is `literal_entries[i]`.
    prefilter: AhoCorasick,
    /// For each literal, the entries that require it.
    literal_entries: Vec<Vec<usize>>,
    /// Entries with no usable literal, checked on every user agent.
    unfiltered: Vec<usize>,
}

impl Matcher {
    /// Compiles `entries` in order; index `i` of the matcher is entry `i`.
    pub(super) fn build(
        entries: &[Entry],
        described: &[Described],
    ) -> Result<Self, BotRegistryError> {
        let mut regexes = Vec::with_capacity(entries.len());
        let mut literal_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literal_entries: Vec<Vec<usize>> = Vec::new();
        let mut unfiltered = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            regexes.push(Regex::new(&entry.pattern).map_err(|source| {
                BotRegistryError::Pattern {
                    file: entry.file,
                    pattern: entry.pattern.clone(),
                    source,
                }
            })?);
            let Some(required) = literals::required(&entry.pattern) else {
                unfiltered.push(index);
                continue;
            };
            for literal in required {
                let next = literal_entries.len();
                let slot = *literal_index.entry(literal).or_insert(next);
                if slot == next {
                    literal_entries.push(Vec::new());
                }
                literal_entries[slot].push(index);
            }
        }
        let mut literals: Vec<(Vec<u8>, usize)> = literal_index.into_iter().collect();
        literals.sort_by_key(|(_, slot)| *slot);
        let prefilter = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(literals.iter().map(|(literal, _)| literal))
            .map_err(BotRegistryError::Prefilter)?;
        Ok(Self {
            regexes,
            generic: described.iter().map(|d| d.generic).collect(),
            prefilter,
            literal_entries,
            unfiltered,
        })
    }

    /// The compiled regex of entry `index`.
    pub(super) fn regex(&self, index: usize) -> &Regex {
        &self.regexes[index]
    }

    /// Entries with no usable literal (run on every user agent).
    #[cfg(test)]
    pub(super) fn unfiltered(&self) -> &[usize] {
        &self.unfiltered
    }

    /// The most specific entry matching `user_agent`: a specific entry beats a generic
    /// one, then the longest matched text wins ("SentryUptimeBot/" over "UptimeBot/"),
    /// then list order.
    pub(super) fn best(&self, user_agent: &str) -> Option<usize> {
        let mut best: Option<(bool, Reverse<usize>, usize)> = None;
        let mut consider = |index: usize| {
            let Some(found) = self.regexes[index].find(user_agent) else {
                return;
            };
            let rank = (self.generic[index], Reverse(found.len()), index);
            if best.is_none_or(|current| rank < current) {
                best = Some(rank);
            }
        };
        for literal in self.prefilter.find_overlapping_iter(user_agent) {
            for &index in &self.literal_entries[literal.pattern().as_usize()] {
                consider(index);
            }
        }
        for &index in &self.unfiltered {
            consider(index);
        }
        best.map(|(_, _, index)| index)
    }
}
