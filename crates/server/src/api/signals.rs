//! `GET /v1/signals/{visitorId}`: a visitor's latest labels — bot verdict, behavioural
//! class, device, the eleven scores and identity — read from the newest scored event the
//! store holds for that visitor, so the snapshot survives restarts. Refused to free-tier
//! keys; website keys are Origin-gated as for ingest.

use crate::extract::Path;
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    Json,
};
use clickwire_enrich::{BehavioralClass, BotVerdict, DeviceSummary, Labels, Scores};
use clickwire_store::{EventQuery, KeyKind, StoredEvent, Tier};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::authorize,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// The kinds of key that may read signals.
const SIGNAL_KINDS: &[KeyKind] = &[
    KeyKind::Website,
    KeyKind::Mobile,
    KeyKind::Server,
    KeyKind::Admin,
];
/// Newest events looked at to find one that was scored (consent transitions are not).
const LOOKBACK: usize = 50;

/// The snapshot.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    visitor_id: String,
    session_id: String,
    /// The bot verdict.
    #[schema(value_type = Object)]
    bot: BotVerdict,
    /// The behavioural class.
    #[schema(value_type = String)]
    behavioral_class: BehavioralClass,
    /// Browser, OS and device type.
    #[schema(value_type = Object)]
    device: DeviceSummary,
    /// The eleven scores; `null` when the newest labelled event was not scored.
    #[schema(value_type = Option<Object>)]
    scores: Option<Scores>,
    has_identified: bool,
    /// When the event behind this snapshot was received (ms since the epoch).
    updated_at: i64,
    source_event_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionOf {
    session_id: String,
}

/// Handles `GET /v1/signals/{visitorId}`.
#[utoipa::path(
    get,
    path = "/v1/signals/{visitor_id}",
    tag = tag::SIGNALS,
    summary = "A visitor's latest labels and scores",
    description = "Bot verdict, behavioural class, device, the eleven scores and identity, read from the newest scored event stored for the visitor. Website, mobile, server and admin keys; not on the free plan.",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("visitor_id" = String, Path, description = "The visitor's id."),
    ),
    responses(
        (status = 200, description = "The snapshot.", body = Snapshot),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`, `domain_not_allowed` or `plan_upgrade_required` (the free plan; with `currentPlan`).", body = Error),
        (status = 404, description = "`visitor_not_found`: no labelled event is stored for this visitor.", body = Error),
    )
)]
pub async fn visitor_signals(
    State(state): State<AppState>,
    Path(visitor_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Snapshot>, ApiError> {
    let key = authorize(
        &state,
        &headers,
        query.as_deref(),
        SIGNAL_KINDS,
        "read signals",
    )
    .await?;
    if key.tier == Tier::Free {
        return Err(ApiError::PlanUpgradeRequired(key.tier));
    }
    let page = state
        .events
        .query(EventQuery {
            tenant: key.tenant.clone(),
            visitor_id: Some(visitor_id.clone()),
            limit: LOOKBACK,
            newest_first: true,
            ..EventQuery::default()
        })
        .await?;
    // The newest scored event; else the newest labelled one (a consent transition).
    let source = page
        .events
        .iter()
        .find(|e| has_scores(e))
        .or_else(|| page.events.iter().find(|e| e.labels.is_some()))
        .ok_or(ApiError::VisitorNotFound)?;
    snapshot(visitor_id, source).map(Json)
}

fn has_scores(event: &StoredEvent) -> bool {
    event
        .labels
        .as_ref()
        .and_then(|raw| serde_json::from_str::<Labels>(raw.get()).ok())
        .is_some_and(|labels| labels.scores.is_some())
}

fn snapshot(visitor_id: String, event: &StoredEvent) -> Result<Snapshot, ApiError> {
    let internal =
        |err: serde_json::Error| ApiError::Internal(format!("stored event {}: {err}", event.id));
    let labels = event
        .labels
        .as_ref()
        .ok_or_else(|| ApiError::Internal(format!("stored event {} has no labels", event.id)))?;
    let labels: Labels = serde_json::from_str(labels.get()).map_err(internal)?;
    let session_id = if event.key_kind == KeyKind::Pipeline.as_str() {
        clickwire_model::signal::reparse(event.event.get(), event.received_at)
            .map(|e| e.session_id)
            .ok_or_else(|| {
                ApiError::Internal(format!("stored event {} does not parse", event.id))
            })?
    } else {
        serde_json::from_str::<SessionOf>(event.event.get())
            .map_err(internal)?
            .session_id
    };
    Ok(Snapshot {
        visitor_id,
        session_id,
        bot: labels.bot,
        behavioral_class: labels.behavioral_class,
        device: labels.device,
        scores: labels.scores,
        has_identified: labels.has_identified,
        updated_at: event.received_at,
        source_event_id: event.id.clone(),
    })
}
