//! Behavioural bot evidence of the session: machine-regular timing, pageview bursts without
//! interaction, and long runs of pageviews with no interaction at all (a crawl). Composed
//! by noisy-OR into one 0–100 value. Applied under a browser key only: native apps and
//! backends batch and replay events, so their timing is not a person's rhythm.

use super::{
    bot::BotConfig,
    navigation::Navigation,
    scale::noisy_or,
    timing::{Timing, TimingConfig},
};

/// Behavioural bot points, 0–100.
pub(crate) fn points(
    cfg: &BotConfig,
    timing_cfg: &TimingConfig,
    timing: &Timing,
    nav: &Navigation,
    now_ms: i64,
) -> f64 {
    let regular = timing.variation(timing_cfg.bot_min_gaps).map_or(0.0, |cv| {
        cfg.regular_timing_points * timing_cfg.regularity(cv)
    });
    let streak = nav.streak() as usize;
    let burst = nav.pageviews_within(now_ms, cfg.burst_window_ms) >= cfg.burst_pageviews
        && streak >= cfg.burst_pageviews;
    let crawl = streak >= cfg.crawl_pageviews;
    noisy_or([
        regular,
        if burst { cfg.burst_points } else { 0.0 },
        if crawl { cfg.crawl_points } else { 0.0 },
    ])
}
