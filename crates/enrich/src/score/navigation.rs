//! Where the visitor goes: the session's recent pages (as path hashes) and pageview times.
//! From them: circular navigation (returning to a page seen a few pages ago, A → B → A),
//! rapid page switching (leaving a page within seconds), pageview bursts, and the run of
//! pageviews since the last interaction.

use super::{confusion::ConfusionConfig, hash::fnv1a, ring::Ring};

/// How many recent pages the session remembers (circular navigation looks back this far).
pub(crate) const PAGE_HISTORY: usize = 8;
/// How many recent pageview times the session remembers (bursts are counted in them).
pub(crate) const PAGEVIEW_HISTORY: usize = 16;

/// What a pageview means given the pages before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) circular: bool,
    pub(crate) rapid_switch: bool,
}

/// The session's recent navigation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Navigation {
    /// Path hashes, newest first.
    pages: Ring<u64, PAGE_HISTORY>,
    /// Pageview times, newest first.
    pageview_times: Ring<i64, PAGEVIEW_HISTORY>,
    /// Pageviews since the last interaction.
    streak: u32,
}

impl Navigation {
    pub(crate) fn on_pageview(&mut self, cfg: &ConfusionConfig, path: &str, now_ms: i64) -> Step {
        let page = fnv1a(path);
        let previous = self.pages.newest();
        let same_page = previous == Some(page);
        let step = Step {
            // Skip the page just left: coming back to it at once is a reload or a back
            // button, counted as a rapid switch below when it is fast.
            circular: !same_page
                && self
                    .pages
                    .iter()
                    .skip(1)
                    .take(cfg.circular_lookback)
                    .any(|p| p == page),
            rapid_switch: !same_page
                && self.pageview_times.newest().is_some_and(|at| {
                    now_ms.saturating_sub(at).abs() < i64::from(cfg.rapid_switch_ms)
                }),
        };
        self.pages.push(page);
        self.pageview_times.push(now_ms);
        self.streak = self.streak.saturating_add(1);
        step
    }

    pub(crate) fn on_interaction(&mut self) {
        self.streak = 0;
    }

    /// Pageviews since the last interaction.
    pub(crate) fn streak(&self) -> u32 {
        self.streak
    }

    /// Remembered pageviews within `window_ms` of `now_ms`.
    pub(crate) fn pageviews_within(&self, now_ms: i64, window_ms: u32) -> usize {
        self.pageview_times
            .iter()
            .filter(|at| now_ms.saturating_sub(*at).abs() <= i64::from(window_ms))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::{Navigation, Step};
    use crate::score::confusion::ConfusionConfig;

    #[test]
    fn returning_to_an_earlier_page_is_circular_but_a_reload_is_not() {
        let cfg = ConfusionConfig::default();
        let mut nav = Navigation::default();
        let slow = 60_000;
        assert_eq!(nav.on_pageview(&cfg, "/a", 0), Step::default());
        assert_eq!(nav.on_pageview(&cfg, "/b", slow), Step::default());
        let back = nav.on_pageview(&cfg, "/a", 2 * slow);
        assert!(back.circular && !back.rapid_switch);
        let reload = nav.on_pageview(&cfg, "/a", 2 * slow + 100);
        assert_eq!(reload, Step::default());
    }

    #[test]
    fn leaving_a_page_within_seconds_is_a_rapid_switch() {
        let cfg = ConfusionConfig::default();
        let mut nav = Navigation::default();
        nav.on_pageview(&cfg, "/a", 0);
        assert!(nav.on_pageview(&cfg, "/b", 1_000).rapid_switch);
        assert_eq!(nav.pageviews_within(1_000, 10_000), 2);
        assert_eq!(nav.streak(), 2);
        nav.on_interaction();
        assert_eq!(nav.streak(), 0);
    }
}
