//! Points that fade with a half-life: how intent, frustration, confusion, abandonment and
//! cancellation signals are remembered. A signal `h` ago counts `2^(−Δt/h)` of its weight,
//! so recent behaviour dominates without a window edge where evidence vanishes at once.

/// An accumulator of points that halves every `half_life_ms` of event time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decaying {
    /// Points as of `at_ms`.
    points: f64,
    /// Event time of the last addition; never moves backwards.
    at_ms: i64,
}

impl Decaying {
    /// The points left at `now_ms`. Events older than the last addition (out of order in a
    /// batch) see no decay rather than growth.
    pub(crate) fn at(&self, now_ms: i64, half_life_ms: u32) -> f64 {
        if self.points <= 0.0 || half_life_ms == 0 {
            return 0.0;
        }
        let elapsed = now_ms.saturating_sub(self.at_ms).max(0) as f64;
        self.points * (-elapsed / f64::from(half_life_ms)).exp2()
    }

    /// Decays to `now_ms`, adds `points`, and keeps at most `ceiling`, so a long burst
    /// does not take hours to forget.
    pub(crate) fn add(&mut self, now_ms: i64, half_life_ms: u32, points: f64, ceiling: f64) {
        self.points = (self.at(now_ms, half_life_ms) + points).min(ceiling);
        self.at_ms = self.at_ms.max(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::Decaying;

    #[test]
    fn points_halve_every_half_life() {
        let mut d = Decaying::default();
        d.add(1_000, 500, 80.0, 100.0);
        assert!((d.at(1_500, 500) - 40.0).abs() < 1e-9);
        assert!((d.at(2_000, 500) - 20.0).abs() < 1e-9);
        assert!((d.at(900, 500) - 80.0).abs() < 1e-9);
    }

    #[test]
    fn additions_stop_at_the_ceiling() {
        let mut d = Decaying::default();
        for _ in 0..10 {
            d.add(0, 500, 40.0, 100.0);
        }
        assert!((d.at(0, 500) - 100.0).abs() < 1e-9);
    }
}
