//! Reconnect delays: exponential from a first delay up to a ceiling, each drawn at random
//! from its upper half so that subscribers dropped together (a server restart) do not
//! all come back in the same millisecond.

use std::time::Duration;

use rand::Rng as _;

/// The delay before the next reconnect attempt.
#[derive(Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    /// Failed attempts since the last successful connect.
    attempt: u32,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max: max.max(first),
            attempt: 0,
        }
    }

    /// A connection succeeded: the next failure starts from the first delay again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The next delay, in `[ceiling / 2, ceiling]` where the ceiling doubles per call.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .first
            .saturating_mul(1 << self.attempt.min(20))
            .min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        half + half.mul_f64(rand::rng().random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_ceiling_with_jitter_in_the_upper_half() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000));
        for ceiling in [100, 200, 400, 800, 1000, 1000] {
            let delay = backoff.next_delay();
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "{delay:?} for {ceiling:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn many_attempts_neither_overflow_nor_pass_the_ceiling() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        for _ in 0..100 {
            assert!(backoff.next_delay() <= Duration::from_secs(30));
        }
    }
}
