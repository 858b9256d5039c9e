//! The events `store fill` writes: the load generator's visitors and traffic mix, grouped
//! into sessions of 3–40 events that interleave as real traffic does, received at evenly
//! spaced times over the span (so `received_at` grows with seq, as at a live server), and
//! labelled and scored per session by the same code the process stage runs.
//!
//! Generation is the slow part (JSON built, parsed, validated, labelled, serialised again),
//! so it runs on several [`Lane`]s: lane `k` of `n` makes batches `k, k + n, …` of the plan
//! and owns the visitors `k, k + n, …`, so every visitor's events are scored in order by one
//! lane, and taking the lanes' batches in turn keeps `received_at` growing with seq.

use std::net::{IpAddr, Ipv4Addr};

use anyhow::Context;
use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UaParser,
    KeyPosture,
};
use clickwire_model::{parse_events, Event, ValidateContext};
use clickwire_server::privacy::Privacy;
use clickwire_store::NewEvent;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::sync::Arc;

use super::row::{new_event, Arrival};
use crate::loadgen::events::EventSource;

/// Distinct user agents whose parse is kept (the generator uses a few dozen).
const UA_CACHE: usize = 1024;
/// How long, at most, a client clock runs behind the receipt of its event (ms).
const MAX_SEND_DELAY_MS: i64 = 1_500;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tenant: String,
    pub events: u64,
    /// Events per batch (one transaction).
    pub batch: u64,
    pub visitors: u32,
    /// Receive time of the first event and of the last, ms.
    pub first_ms: i64,
    pub last_ms: i64,
    /// Sessions under way at once, over all lanes.
    pub concurrent_sessions: usize,
}

impl Plan {
    /// How many batches the plan has.
    pub fn batches(&self) -> u64 {
        self.events.div_ceil(self.batch.max(1))
    }
}

/// One generator's share of the plan: lane `index` of `of`.
#[derive(Debug, Clone, Copy)]
pub struct Lane {
    pub index: u64,
    pub of: u64,
}

/// One session under way.
struct Session {
    visitor: usize,
    id: String,
    left: u32,
    state: VisitorState,
    /// The keyed hash of the visitor's (simulated) address.
    ip_hash: String,
}

/// Produces one lane's batches.
pub struct Generator {
    plan: Plan,
    lane: Lane,
    source: EventSource,
    ua: UaParser,
    scoring: ScoringConfig,
    sessions: Vec<Session>,
    rng: StdRng,
    privacy: Arc<Privacy>,
}

impl Generator {
    pub fn new(plan: Plan, lane: Lane, privacy: Arc<Privacy>) -> anyhow::Result<Self> {
        let mut rng = StdRng::seed_from_u64(0x6669_6c6c ^ lane.index);
        let source = EventSource::new(plan.visitors, lane.index);
        let per_lane = (plan.concurrent_sessions as u64 / lane.of.max(1)).max(1);
        let sessions = (0..per_lane)
            .map(|_| new_session(&mut rng, lane, source.visitors(), &privacy))
            .collect();
        Ok(Self {
            ua: UaParser::new(UA_CACHE).context("loading the user-agent data")?,
            scoring: ScoringConfig::default(),
            sessions,
            source,
            plan,
            lane,
            rng,
            privacy,
        })
    }

    /// The lane's batches, in order: `lane.index`, `lane.index + lane.of`, …
    pub fn batch_numbers(&self) -> impl Iterator<Item = u64> {
        (self.lane.index..self.plan.batches()).step_by(self.lane.of.max(1) as usize)
    }

    /// Batch number `number` of the plan.
    pub fn batch(&mut self, number: u64) -> anyhow::Result<Vec<NewEvent>> {
        let first = number * self.plan.batch;
        let end = (first + self.plan.batch).min(self.plan.events);
        (first..end).map(|at| self.event(at)).collect()
    }

    /// The plan's event number `at`.
    fn event(&mut self, at: u64) -> anyhow::Result<NewEvent> {
        let received_at = self.receive_time(at);
        let slot = self.rng.random_range(0..self.sessions.len());
        if self.sessions[slot].left == 0 {
            let visitors = self.source.visitors();
            self.sessions[slot] = new_session(&mut self.rng, self.lane, visitors, &self.privacy);
        }
        let session = &mut self.sessions[slot];
        session.left -= 1;
        let sent_at = received_at - self.rng.random_range(0..MAX_SEND_DELAY_MS);
        let value = self.source.event(session.visitor, &session.id, sent_at);
        let event = validate(&serde_json::to_vec(&value)?, received_at)?;
        let ua = self.ua.parse(&event.device.user_agent);
        let observation = Observation {
            event: &event,
            ua: &ua,
            posture: KeyPosture::Browser,
        };
        let labels = observe(&self.scoring, &mut session.state, &observation);
        let ulid = ulid::Ulid::from_parts(received_at as u64, self.rng.random());
        let arrival = Arrival {
            tenant: &self.plan.tenant,
            id: format!("evt_{ulid}"),
            received_at,
            ip_hash: &session.ip_hash,
        };
        new_event(arrival, event, &labels, &self.privacy)
    }

    /// Evenly spaced from `first_ms` to `last_ms` over the plan's events.
    fn receive_time(&self, at: u64) -> i64 {
        let span = i128::from(self.plan.last_ms - self.plan.first_ms);
        let steps = i128::from(self.plan.events.saturating_sub(1).max(1));
        let offset = span * i128::from(at) / steps;
        self.plan.first_ms + offset as i64
    }
}

/// A new session of one of `lane`'s visitors (of `visitors` in all).
fn new_session(rng: &mut StdRng, lane: Lane, visitors: usize, privacy: &Privacy) -> Session {
    let of = lane.of.max(1) as usize;
    // Visitors k, k + of, … below `visitors` (the plan has at least one per lane).
    let first = lane.index as usize;
    let mine = visitors.saturating_sub(first).div_ceil(of).max(1);
    let visitor = (first + of * rng.random_range(0..mine)).min(visitors.saturating_sub(1));
    // One address per visitor, in 10.0.0.0/8.
    let octets = (visitor as u32).to_be_bytes();
    let ip = IpAddr::V4(Ipv4Addr::new(10, octets[1], octets[2], octets[3]));
    Session {
        visitor,
        id: format!("sess_{:016x}", rng.random::<u64>()),
        left: rng.random_range(3..=40),
        state: VisitorState::default(),
        ip_hash: privacy.hashes.ip(ip),
    }
}

/// The body through the same parse and validation as `POST /v1/events`.
fn validate(body: &[u8], now_ms: i64) -> anyhow::Result<Event> {
    let mut events =
        parse_events(body, ValidateContext { now_ms }).context("a generated event is invalid")?;
    events.pop().context("a generated body held no event")
}
