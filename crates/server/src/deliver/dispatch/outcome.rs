//! What a sent attempt leaves behind: the finished attempt (with the retry its failure
//! schedules — attempt N waits the policy's Nth interval, longer when the receiver's
//! `Retry-After` says so — or, after the last attempt or a permanent failure, the dead
//! letter) and the failure an issue counts.

use clickwire_store::deliveries::{Destination, Due, Failure, Finished, NewAttempt};

use super::request::{Sent, Verdict};

/// A failure of this type is the gateway's, not the destination's: no issue, no breaker.
const EVENT_MISSING: &str = "event_missing";

/// The record of `sent`, the answer to `due`, finished at `now`.
pub fn finished(destination: &Destination, due: &Due, sent: &Sent, now: i64) -> Finished {
    let attempt = &due.attempt;
    let policy = &destination.settings.retry;
    let retry = match sent.verdict {
        Verdict::Retry { retry_after } if attempt.attempt_number < policy.max_attempts => {
            let wait = policy
                .wait_ms(attempt.attempt_number)
                .max(retry_after.unwrap_or(0));
            Some(NewAttempt {
                tenant: attempt.tenant.clone(),
                delivery_id: attempt.delivery_id.clone(),
                event_id: attempt.event_id.clone(),
                event_seq: attempt.event_seq,
                destination_id: attempt.destination_id.clone(),
                connection_id: attempt.connection_id.clone(),
                attempt_number: attempt.attempt_number + 1,
                scheduled_at: now.saturating_add(wait),
                request_url: destination.settings.url.clone(),
            })
        }
        _ => None,
    };
    let success = sent.verdict == Verdict::Success;
    Finished {
        attempt_id: attempt.id.clone(),
        request_url: destination.settings.url.clone(),
        success,
        response_status: sent.status,
        response_body: sent.body.clone(),
        duration_ms: sent.duration_ms,
        error_type: sent.error_type.map(str::to_owned),
        error: sent.error.clone(),
        completed_at: now,
        dead_letter: !success && retry.is_none(),
        retry,
    }
}

/// The failure to count on an issue, if `sent` is one the destination caused.
pub fn failure(due: &Due, sent: &Sent, now: i64) -> Option<Failure> {
    let error_type = sent.error_type.filter(|t| *t != EVENT_MISSING)?;
    (sent.verdict != Verdict::Success).then(|| Failure {
        tenant: due.attempt.tenant.clone(),
        destination_id: due.attempt.destination_id.clone(),
        error_type: error_type.to_owned(),
        attempt_id: due.attempt.id.clone(),
        at: now,
    })
}

/// Whether the breaker counts `sent` as a failure of the destination.
pub fn counts_against(sent: &Sent) -> bool {
    sent.verdict != Verdict::Success && sent.error_type != Some(EVENT_MISSING)
}

#[cfg(test)]
mod tests {
    use clickwire_store::deliveries::{Attempt, AttemptStatus, DestinationSettings, RetryPolicy};

    use super::*;

    fn destination(max_attempts: u32) -> Destination {
        Destination {
            id: "dst_1".into(),
            tenant: "t".into(),
            name: "d".into(),
            settings: DestinationSettings {
                url: "http://x/".into(),
                method: "POST".into(),
                headers: Default::default(),
                timeout: 1.0,
                auth: Default::default(),
                retry: RetryPolicy {
                    max_attempts,
                    intervals: vec![1.0, 10.0],
                    ..RetryPolicy::default()
                },
                circuit_breaker: Default::default(),
                max_concurrency: 1,
            },
            signing_secret: "whsec_x".into(),
            disabled_reason: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn due(attempt_number: u32) -> Due {
        Due {
            attempt: Attempt {
                id: "att_1".into(),
                tenant: "t".into(),
                delivery_id: "dlv_1".into(),
                event_id: "evt_1".into(),
                event_seq: 1,
                destination_id: "dst_1".into(),
                connection_id: "con_1".into(),
                attempt_number,
                status: AttemptStatus::Pending,
                scheduled_at: 0,
                request_url: "http://x/".into(),
                response_status: None,
                response_body: None,
                duration_ms: None,
                error_type: None,
                error: None,
                next_retry_at: None,
                is_dlq: false,
                dlq_at: None,
                created_at: 0,
                completed_at: None,
            },
            event: None,
        }
    }

    fn sent(verdict: Verdict, status: u16) -> Sent {
        Sent {
            verdict,
            status: Some(status),
            body: None,
            duration_ms: 1,
            error_type: (status >= 400).then_some(if status >= 500 {
                "http_5xx"
            } else {
                "http_4xx"
            }),
            error: None,
        }
    }

    #[test]
    fn a_retryable_failure_waits_its_interval_or_the_longer_retry_after() {
        let retry = Verdict::Retry { retry_after: None };
        let done = finished(&destination(3), &due(1), &sent(retry, 503), 1_000);
        let next = done.retry.expect("a retry");
        assert_eq!((next.attempt_number, next.scheduled_at), (2, 2_000));
        assert_eq!(
            next.delivery_id, "dlv_1",
            "the same delivery, the same webhook-id"
        );
        let later = Verdict::Retry {
            retry_after: Some(5_000),
        };
        let done = finished(&destination(3), &due(1), &sent(later, 429), 1_000);
        assert_eq!(done.retry.map(|r| r.scheduled_at), Some(6_000));
        let done = finished(&destination(3), &due(2), &sent(retry, 503), 1_000);
        assert_eq!(done.retry.map(|r| r.scheduled_at), Some(11_000));
    }

    #[test]
    fn the_last_attempt_and_a_permanent_failure_are_dead_letters() {
        let retry = Verdict::Retry { retry_after: None };
        let last = finished(&destination(3), &due(3), &sent(retry, 500), 0);
        assert!(last.retry.is_none() && last.dead_letter);
        let refused = finished(&destination(3), &due(1), &sent(Verdict::Permanent, 400), 0);
        assert!(refused.retry.is_none() && refused.dead_letter);
        let ok = finished(&destination(3), &due(1), &sent(Verdict::Success, 204), 0);
        assert!(ok.success && !ok.dead_letter && ok.retry.is_none());
        assert!(failure(&due(1), &sent(Verdict::Success, 204), 0).is_none());
        assert_eq!(
            failure(&due(1), &sent(Verdict::Permanent, 400), 0).map(|f| f.error_type),
            Some("http_4xx".into())
        );
    }
}
