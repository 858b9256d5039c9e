//! Sources: where events come from besides the ClickStream keys. A source belongs to one
//! tenant and holds what its ingest routes enforce: the allowed browser origins, the rate
//! limit, the signing secret of server-side requests, the IP allowlist and the window in
//! which a repeated `messageId` is a duplicate. Pipeline keys (`dk_…`) name their source.
//! The [`Sources`] trait is what every backend implements.

use std::{fmt, str::FromStr};

use serde::Serialize;

use crate::StoreFuture;

/// What a source takes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Datafly Signal / Segment messages sent with a pipeline key.
    Pipeline,
    /// Raw webhooks posted to `/v1/ingest/:source_id`.
    Webhook,
    /// An ephemeral test session: a webhook address that expires.
    Test,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [SourceKind::Pipeline, SourceKind::Webhook, SourceKind::Test];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Pipeline => "pipeline",
            SourceKind::Webhook => "webhook",
            SourceKind::Test => "test",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = crate::catalog::ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::catalog::parse_named("source kind", s, &SourceKind::ALL, SourceKind::as_str)
    }
}

/// How a webhook source checks that a request comes from its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verification {
    /// An HMAC-SHA256 of the body in a header, hex, after an optional prefix (GitHub:
    /// `X-Hub-Signature-256`, `sha256=`).
    HmacSha256 {
        header: String,
        secret: String,
        #[serde(default)]
        prefix: Option<String>,
    },
    /// The Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`), with a `whsec_…` secret.
    StandardWebhooks { secret: String },
}

/// What makes two webhook requests the same delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DedupStrategy {
    /// The SHA-256 of the body.
    PayloadHash,
    /// The value of a request header.
    HeaderField,
    /// The value at a dot path of a JSON body.
    BodyField,
}

/// A webhook source's dedup rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DedupRule {
    pub strategy: DedupStrategy,
    /// The header name or body path (`header_field`, `body_field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A source as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// `src_` + a time-ordered id.
    pub id: String,
    pub tenant: String,
    pub name: String,
    pub kind: SourceKind,
    /// Browser origins allowed to send (`https://shop.example.com`, `*.example.com`).
    pub origins: Vec<String>,
    /// Requests per second the source's keys may send together.
    pub rate_limit: u32,
    /// The HMAC secret of signed server-side requests (`whsec_…`).
    pub signing_secret: String,
    /// CIDR blocks server-side requests must come from; empty: any address.
    pub ip_allow: Vec<String>,
    /// CIDR blocks refused whatever `ip_allow` says (webhook sources).
    pub ip_deny: Vec<String>,
    /// Signature check of a webhook source.
    pub verification: Option<Verification>,
    /// Dedup rule of a webhook source (pipeline sources dedup by `messageId`).
    pub dedup_rule: Option<DedupRule>,
    /// How long a `messageId` (or webhook dedup key) is remembered, in milliseconds.
    pub dedup_window_ms: i64,
    /// When a test session ends (ms since the epoch); `None` for other sources.
    pub expires_at: Option<i64>,
    /// Most requests a test session captures; `None` for other sources.
    pub request_limit: Option<u32>,
    /// Requests a test session has captured.
    pub request_count: u32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a caller gives to create a source.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub tenant: String,
    pub name: String,
    pub kind: SourceKind,
    pub origins: Vec<String>,
    pub rate_limit: u32,
    pub ip_allow: Vec<String>,
    pub ip_deny: Vec<String>,
    pub verification: Option<Verification>,
    pub dedup_rule: Option<DedupRule>,
    pub dedup_window_ms: i64,
    /// For a test session: when it ends and how many requests it takes.
    pub expires_at: Option<i64>,
    pub request_limit: Option<u32>,
}

/// The fields a PATCH may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SourcePatch {
    pub name: Option<String>,
    pub origins: Option<Vec<String>>,
    pub rate_limit: Option<u32>,
    pub ip_allow: Option<Vec<String>>,
    pub ip_deny: Option<Vec<String>>,
    /// `Some(None)` removes the verification.
    pub verification: Option<Option<Verification>>,
    /// `Some(None)` removes the dedup rule.
    pub dedup_rule: Option<Option<DedupRule>>,
    pub dedup_window_ms: Option<i64>,
}

/// The sources of every tenant. Deleted sources are gone for every call.
pub trait Sources: Send + Sync {
    /// Creates a source with a fresh id and signing secret; `NotFound` for an unknown tenant.
    fn create_source(&self, new: NewSource) -> StoreFuture<'_, Source>;
    /// The sources of `tenant`, oldest first.
    fn list_sources(&self, tenant: &str) -> StoreFuture<'_, Vec<Source>>;
    /// The source `id` of `tenant` (`None`: of any tenant, for the ingest routes).
    fn get_source(&self, id: &str, within: Option<&str>) -> StoreFuture<'_, Option<Source>>;
    /// Applies `patch` to the source `id` of `tenant`; `NotFound` when there is none.
    fn update_source(&self, tenant: &str, id: &str, patch: SourcePatch) -> StoreFuture<'_, Source>;
    /// Deletes the source `id` of `tenant`; `NotFound` when there is none.
    fn delete_source(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()>;
    /// The allowed origins of every live pipeline source of every tenant (for browser
    /// preflights, which carry no key).
    fn all_origins(&self) -> StoreFuture<'_, Vec<String>>;
    /// Counts one more captured request of the test session `id`; its new count, or `None`
    /// once the session has taken its `request_limit` (the count then stays).
    fn take_request(&self, id: &str) -> StoreFuture<'_, Option<u32>>;
}

/// The longest a source may remember a `messageId`: older ids are pruned whatever the
/// source's window says.
pub const MAX_DEDUP_WINDOW_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A fresh source id.
pub fn new_source_id() -> String {
    crate::ids::new_id("src_")
}

/// A fresh signing secret: `whsec_` and 32 random bytes in base64, the Standard Webhooks
/// form, so the same secret type serves webhook sources.
pub fn new_signing_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    use base64::Engine;
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_ids_have_their_prefixes_and_differ() {
        assert!(new_signing_secret().starts_with("whsec_"));
        assert_ne!(new_signing_secret(), new_signing_secret());
        assert!(new_source_id().starts_with("src_"));
    }
}
