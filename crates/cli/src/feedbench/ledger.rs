//! When each benchmark event was sent and acknowledged, shared lock-free between the
//! posters that write it and the subscribers that read it when the event's frame arrives.
//!
//! Every event carries a marker (a counter) in its page path; the marker indexes a ring of
//! timestamps, big enough that a slot is reused only long after its frame has arrived.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Instant,
};

/// Slots in the ring: over three minutes of events at 5,000/s.
const SLOTS: usize = 1 << 20;

/// The page path prefix that carries the marker, as it appears in a frame.
const PAGE_PREFIX: &[u8] = b"/feedbench/";

/// Send and acknowledgement times, in nanoseconds since `origin` plus one (0 = not yet).
pub struct Ledger {
    origin: Instant,
    sent: Box<[AtomicU64]>,
    acked: Box<[AtomicU64]>,
    next: AtomicU64,
}

/// What the ledger knows of one marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    pub sent_ns: u64,
    /// `None` while the 202 has not come back yet.
    pub acked_ns: Option<u64>,
}

impl Ledger {
    pub fn new() -> Self {
        let ring = || (0..SLOTS).map(|_| AtomicU64::new(0)).collect();
        Self {
            origin: Instant::now(),
            sent: ring(),
            acked: ring(),
            next: AtomicU64::new(0),
        }
    }

    /// Nanoseconds since the ledger was made.
    pub fn now_ns(&self) -> u64 {
        self.ns_at(Instant::now())
    }

    /// Nanoseconds from the ledger's origin to `at`.
    pub fn ns_at(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    /// The first of `count` fresh markers.
    pub fn reserve(&self, count: u64) -> u64 {
        self.next.fetch_add(count, Ordering::Relaxed)
    }

    pub fn mark_sent(&self, marker: u64, at_ns: u64) {
        let slot = slot(marker);
        self.acked[slot].store(0, Ordering::Relaxed);
        self.sent[slot].store(at_ns + 1, Ordering::Release);
    }

    pub fn mark_acked(&self, marker: u64, at_ns: u64) {
        self.acked[slot(marker)].store(at_ns + 1, Ordering::Release);
    }

    pub fn times(&self, marker: u64) -> Option<Times> {
        let slot = slot(marker);
        let sent = self.sent[slot].load(Ordering::Acquire).checked_sub(1)?;
        let acked = self.acked[slot].load(Ordering::Acquire).checked_sub(1);
        Some(Times {
            sent_ns: sent,
            acked_ns: acked,
        })
    }
}

fn slot(marker: u64) -> usize {
    // The mask keeps the value below SLOTS, so it fits any usize.
    (marker & (SLOTS as u64 - 1)) as usize
}

/// The page path of the event with `marker`.
pub fn page_path(marker: u64) -> String {
    format!("/feedbench/{marker}")
}

/// The marker in a frame's `page`, found without parsing the JSON: the frame's first
/// `/` that starts `/feedbench/` (ids and names before `page` hold no slash).
pub fn marker_in(frame: &[u8]) -> Option<u64> {
    let mut rest = frame;
    loop {
        let at = rest.iter().position(|&b| b == b'/')?;
        rest = &rest[at..];
        if let Some(digits) = rest.strip_prefix(PAGE_PREFIX) {
            let end = digits
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(digits.len());
            return std::str::from_utf8(&digits[..end]).ok()?.parse().ok();
        }
        rest = &rest[1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_read_from_the_page_of_a_frame() {
        let frame = br#"{"id":"evt_01","seq":9,"type":"event","visitorId":"fbv_3","page":"/feedbench/123456","device":{"os":"a/b"}}"#;
        assert_eq!(marker_in(frame), Some(123_456));
        assert_eq!(marker_in(br#"{"page":"/pricing"}"#), None);
        assert_eq!(marker_in(br#"{"page":"/x/feedbench/7"}"#), Some(7));
    }

    #[test]
    fn a_marker_is_acked_only_after_its_202() {
        let ledger = Ledger::new();
        let marker = ledger.reserve(2);
        assert_eq!(ledger.times(marker), None);
        ledger.mark_sent(marker, 10);
        assert_eq!(
            ledger.times(marker),
            Some(Times {
                sent_ns: 10,
                acked_ns: None
            })
        );
        ledger.mark_acked(marker, 0);
        assert_eq!(ledger.times(marker).and_then(|t| t.acked_ns), Some(0));
        assert_eq!(ledger.reserve(1), marker + 2);
    }
}
