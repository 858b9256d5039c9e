//! The 0–100 scale every score lives on, and the three pieces of arithmetic the formulas
//! share: rounding onto the scale, progress towards a saturation point, and the noisy-OR
//! that composes independent pieces of evidence.

/// Top of every 0–100 score: the contract's range, not a tuning value.
pub(crate) const SCORE_MAX: f64 = 100.0;

/// Rounds a formula's result onto the 0–100 scale. NaN (only reachable through a
/// nonsensical configuration) reads as 0, so a score is always in range.
pub(crate) fn to_score(points: f64) -> u8 {
    if points.is_nan() {
        return 0;
    }
    // Clamped to 0..=100 first, so the cast cannot truncate.
    points.clamp(0.0, SCORE_MAX).round() as u8
}

/// How far `value` has come towards `full`, as a fraction 0–1. A `full` of zero or less
/// means "full at once": any positive value counts completely.
pub(crate) fn progress(value: f64, full: f64) -> f64 {
    if full <= 0.0 {
        return if value > 0.0 { 1.0 } else { 0.0 };
    }
    (value / full).clamp(0.0, 1.0)
}

/// Noisy-OR of independent pieces of evidence, each on the 0–100 scale:
/// `100 · (1 − Π (1 − pᵢ / 100))`. One strong piece dominates; several weak ones add up
/// without ever passing 100.
pub(crate) fn noisy_or(points: impl IntoIterator<Item = f64>) -> f64 {
    let miss: f64 = points
        .into_iter()
        .map(|p| 1.0 - (p / SCORE_MAX).clamp(0.0, 1.0))
        .product();
    SCORE_MAX * (1.0 - miss)
}

#[cfg(test)]
mod tests {
    use super::{noisy_or, progress, to_score};

    #[test]
    fn scores_are_clamped_and_rounded() {
        assert_eq!(to_score(-3.0), 0);
        assert_eq!(to_score(42.5), 43);
        assert_eq!(to_score(1e9), 100);
        assert_eq!(to_score(f64::NAN), 0);
    }

    #[test]
    fn progress_saturates() {
        assert_eq!(progress(5.0, 10.0), 0.5);
        assert_eq!(progress(50.0, 10.0), 1.0);
        assert_eq!(progress(1.0, 0.0), 1.0);
        assert_eq!(progress(0.0, 0.0), 0.0);
    }

    #[test]
    fn noisy_or_composes_without_passing_the_top() {
        assert_eq!(noisy_or([]), 0.0);
        assert!((noisy_or([50.0, 50.0]) - 75.0).abs() < 1e-9);
        assert_eq!(noisy_or([100.0, 10.0]), 100.0);
    }
}
