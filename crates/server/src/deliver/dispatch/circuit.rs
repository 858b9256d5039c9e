//! One destination's circuit breaker, a pure state machine over a millisecond clock:
//! closed (send freely) → open after `failure_threshold` consecutive failures (send nothing;
//! deliveries wait, none is dropped) → half-open once `cooldown` has passed (send one probe)
//! → closed on the probe's success (the queue flushes, oldest first) or open again on its
//! failure.

use clickwire_store::deliveries::BreakerSettings;
use serde::Serialize;
use utoipa::ToSchema;

/// The breaker's state, as `GET /v1/destinations/{id}/circuit` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CircuitState)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

/// What the breaker lets the dispatcher send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// As many as the concurrency allows.
    All,
    /// One probe.
    Probe,
    /// Nothing until this time (ms), or until the probe in flight finishes.
    Wait(Option<i64>),
}

#[derive(Debug, Clone)]
pub struct Circuit {
    pub state: State,
    pub consecutive_failures: u32,
    pub opened_at: Option<i64>,
    threshold: u32,
    cooldown_ms: i64,
}

impl Circuit {
    pub fn new(settings: &BreakerSettings) -> Self {
        let mut circuit = Self {
            state: State::Closed,
            consecutive_failures: 0,
            opened_at: None,
            threshold: 1,
            cooldown_ms: 0,
        };
        circuit.configure(settings);
        circuit
    }

    /// Takes new settings, keeping the state.
    pub fn configure(&mut self, settings: &BreakerSettings) {
        self.threshold = settings.failure_threshold.max(1);
        self.cooldown_ms = (settings.cooldown * 1000.0).round() as i64;
    }

    /// What may be sent at `now` while `in_flight` requests are out; an open circuit whose
    /// cooldown passed turns half-open, and a half-open one probes once nothing is out.
    pub fn permit(&mut self, now: i64, in_flight: bool) -> Permit {
        match self.state {
            State::Closed => Permit::All,
            _ if in_flight => Permit::Wait(None),
            State::HalfOpen => Permit::Probe,
            State::Open => {
                let until = self.opened_at.unwrap_or(now) + self.cooldown_ms;
                if now >= until {
                    self.state = State::HalfOpen;
                    Permit::Probe
                } else {
                    Permit::Wait(Some(until))
                }
            }
        }
    }

    pub fn success(&mut self) {
        self.state = State::Closed;
        self.consecutive_failures = 0;
        self.opened_at = None;
    }

    pub fn failure(&mut self, now: i64) {
        self.consecutive_failures += 1;
        let trips = match self.state {
            State::HalfOpen => true,
            State::Closed => self.consecutive_failures >= self.threshold,
            State::Open => false,
        };
        if trips {
            self.state = State::Open;
            self.opened_at = Some(now);
        }
    }

    /// Closes the circuit by hand.
    pub fn reset(&mut self) {
        self.success();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circuit() -> Circuit {
        Circuit::new(&BreakerSettings {
            failure_threshold: 3,
            cooldown: 1.0,
        })
    }

    #[test]
    fn it_opens_after_the_threshold_probes_after_the_cooldown_and_closes_on_success() {
        let mut c = circuit();
        c.failure(0);
        c.failure(1);
        assert_eq!(c.permit(2, true), Permit::All);
        c.failure(2);
        assert_eq!((c.state, c.opened_at), (State::Open, Some(2)));
        assert_eq!(c.permit(500, false), Permit::Wait(Some(1_002)));
        assert_eq!(c.permit(1_002, false), Permit::Probe);
        assert_eq!(
            c.permit(1_003, true),
            Permit::Wait(None),
            "one probe at a time"
        );
        assert_eq!(
            c.permit(1_003, false),
            Permit::Probe,
            "a probe that was not sent"
        );
        c.success();
        assert_eq!((c.state, c.consecutive_failures), (State::Closed, 0));
        assert_eq!(c.permit(1_004, true), Permit::All);
    }

    #[test]
    fn a_failed_probe_opens_it_again_and_a_success_resets_the_count() {
        let mut c = circuit();
        c.failure(0);
        c.success();
        c.failure(1);
        c.failure(2);
        assert_eq!(
            c.state,
            State::Closed,
            "the count restarted after the success"
        );
        c.failure(3);
        assert_eq!(c.permit(1_003, false), Permit::Probe);
        c.failure(1_010);
        assert_eq!((c.state, c.opened_at), (State::Open, Some(1_010)));
        c.reset();
        assert_eq!(c.permit(1_011, true), Permit::All);
    }
}
