//! The times of a pipeline message: ISO 8601 in and out, and the event time after the
//! client clock is corrected.

use time::{format_description::well_known::Iso8601, OffsetDateTime, PrimitiveDateTime};

use crate::limits::MAX_SKEW_MS;

/// Milliseconds since the epoch of an ISO 8601 time; one without an offset is UTC.
pub fn parse_iso(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Iso8601::DEFAULT)
        .or_else(|_| PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(|t| t.assume_utc()))
        .ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `2026-02-25T14:30:00.000Z` for a time in ms.
pub fn format_iso(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.format(&format).unwrap_or_default()
}

/// The event time of a message sent at `sent` (its timestamp) in a request the client sent
/// at `sent_at`, received at `now`: with `sent_at`, the client clock's offset is removed
/// (`sent + (now − sent_at)`), never past `now`; without it, a time more than
/// [`MAX_SKEW_MS`] ahead is replaced by `now`. No timestamp at all means `now`.
pub fn event_time(sent: Option<i64>, sent_at: Option<i64>, now: i64) -> i64 {
    let Some(sent) = sent else { return now };
    match sent_at {
        Some(sent_at) => sent.saturating_add(now.saturating_sub(sent_at)).min(now),
        None if sent > now.saturating_add(MAX_SKEW_MS) => now,
        None => sent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_with_and_without_offsets_read_as_utc_ms() {
        assert_eq!(
            parse_iso("2026-02-25T14:30:00.000Z"),
            Some(1_772_029_800_000)
        );
        assert_eq!(
            parse_iso("2026-02-25T15:30:00.000+01:00"),
            Some(1_772_029_800_000)
        );
        assert_eq!(
            parse_iso("2026-02-25T14:30:00.123456+00:00"),
            Some(1_772_029_800_123)
        );
        assert_eq!(parse_iso("2026-02-25T14:30:00"), Some(1_772_029_800_000));
        assert_eq!(parse_iso("yesterday"), None);
    }

    #[test]
    fn formatting_round_trips_to_the_millisecond() {
        assert_eq!(format_iso(1_772_029_800_123), "2026-02-25T14:30:00.123Z");
        assert_eq!(
            parse_iso(&format_iso(1_772_029_800_123)),
            Some(1_772_029_800_123)
        );
    }

    #[test]
    fn a_client_clock_offset_is_removed_but_never_into_the_future() {
        let now = 1_000_000;
        // The client clock is 60 s ahead: its sentAt says now + 60 s.
        assert_eq!(
            event_time(Some(now + 50_000), Some(now + 60_000), now),
            now - 10_000
        );
        // A timestamp after its own sentAt would land in the future: capped at receipt.
        assert_eq!(event_time(Some(now + 5_000), Some(now), now), now);
    }

    #[test]
    fn without_sent_at_only_far_future_times_are_replaced() {
        let now = 1_000_000;
        assert_eq!(
            event_time(Some(now + MAX_SKEW_MS), None, now),
            now + MAX_SKEW_MS
        );
        assert_eq!(event_time(Some(now + MAX_SKEW_MS + 1), None, now), now);
        assert_eq!(
            event_time(Some(now - 86_400_000), None, now),
            now - 86_400_000
        );
        assert_eq!(event_time(None, None, now), now);
    }
}
