//! The session's tallies: pageviews, interactions, clicks, form focus and submits,
//! conversions, identify, engaged time and scroll depth, plus every mark seen so far. The
//! engagement, human-confidence, stage and readiness formulas read them.

use clickwire_model::{Event, EventDetail, EventType};

use super::signals::{Marks, Signals};

/// The scroll depths (%) the SDK samples at; "varied scroll depth" counts how many of
/// these the session reached.
const SCROLL_MARKS: [f64; 5] = [10.0, 25.0, 50.0, 75.0, 100.0];

/// Counts and totals of the current session.
#[derive(Debug, Clone, Default)]
pub(crate) struct Activity {
    pub(crate) pageviews: u32,
    pub(crate) interactions: u32,
    pub(crate) clicks: u32,
    pub(crate) form_focuses: u32,
    pub(crate) form_submits: u32,
    pub(crate) conversions: u32,
    /// An identify event was seen in this session (`hasIdentified`).
    pub(crate) identified: bool,
    /// Sum of the gaps between events, each capped (see `EngagementConfig`).
    pub(crate) engaged_ms: i64,
    /// Deepest scroll, % of the page.
    pub(crate) max_depth: f64,
    /// Which of [`SCROLL_MARKS`] were reached, one bit each.
    depth_marks: u8,
    /// Every mark of the session's events.
    pub(crate) seen: Marks,
    /// Latest event time seen.
    last_ms: Option<i64>,
}

impl Activity {
    /// Counts `event`; sets `signals.deeper_scroll`.
    pub(crate) fn record(&mut self, event: &Event, signals: &mut Signals, gap_cap_ms: u32) {
        self.add_time(event.timestamp, gap_cap_ms);
        match event.event_type {
            EventType::Pageview => self.pageviews = self.pageviews.saturating_add(1),
            EventType::Click => self.clicks = self.clicks.saturating_add(1),
            _ => {}
        }
        if let EventDetail::Scroll { depth, .. } = event.detail {
            signals.deeper_scroll = self.scroll_to(depth);
        }
        self.count_marks(signals);
    }

    /// How many of the SDK's scroll marks the session reached.
    pub(crate) fn depth_variety(&self) -> u32 {
        self.depth_marks.count_ones()
    }

    fn add_time(&mut self, now_ms: i64, gap_cap_ms: u32) {
        if let Some(last) = self.last_ms {
            let gap = now_ms.saturating_sub(last).clamp(0, i64::from(gap_cap_ms));
            self.engaged_ms = self.engaged_ms.saturating_add(gap);
        }
        self.last_ms = Some(self.last_ms.map_or(now_ms, |last| last.max(now_ms)));
    }

    fn scroll_to(&mut self, depth: f64) -> bool {
        for (bit, mark) in SCROLL_MARKS.iter().enumerate() {
            if depth >= *mark {
                self.depth_marks |= 1 << bit;
            }
        }
        let deeper = depth > self.max_depth;
        self.max_depth = self.max_depth.max(depth);
        deeper
    }

    fn count_marks(&mut self, signals: &Signals) {
        let marks = signals.marks;
        bump(&mut self.interactions, signals.interaction);
        bump(&mut self.form_focuses, marks.any(Marks::FORM_FOCUS));
        bump(&mut self.form_submits, marks.any(Marks::FORM_SUBMIT));
        bump(&mut self.conversions, marks.any(Marks::CONVERSION));
        self.identified |= marks.any(Marks::IDENTIFY);
        self.seen.insert(marks);
    }
}

/// Counts one more when `happened`, never wrapping.
fn bump(count: &mut u32, happened: bool) {
    *count = count.saturating_add(u32::from(happened));
}
