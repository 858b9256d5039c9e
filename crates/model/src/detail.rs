//! The type-specific part of an event: one [`EventDetail`] variant per event type, with the
//! fields the contract adds to the common envelope for that type.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// `performance` of a pageview, in milliseconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Performance {
    pub load_time: Option<f64>,
    pub dom_content_loaded: Option<f64>,
    pub first_contentful_paint: Option<f64>,
}

/// `element` of a click.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClickElement {
    /// Truncated to [`crate::MAX_SELECTOR`] chars.
    pub selector: String,
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub page_x: Option<f64>,
    pub page_y: Option<f64>,
    /// 0–1.
    pub norm_x: Option<f64>,
    /// 0–1.
    pub norm_y: Option<f64>,
    pub viewport_width: Option<f64>,
    pub viewport_height: Option<f64>,
    pub doc_width: Option<f64>,
    pub doc_height: Option<f64>,
}

/// `action` of a form event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FormAction {
    Focus,
    Blur,
    Submit,
    Abandon,
}

impl FormAction {
    /// Every action, in contract order.
    pub const ALL: [FormAction; 4] = [Self::Focus, Self::Blur, Self::Submit, Self::Abandon];

    /// The wire name, e.g. `"submit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Focus => "focus",
            Self::Blur => "blur",
            Self::Submit => "submit",
            Self::Abandon => "abandon",
        }
    }

    /// The action with this wire name, if any.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// One entry of `files` of a form event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormFile {
    pub name: String,
    pub field: String,
    pub size: f64,
    #[serde(rename = "type")]
    pub mime_type: String,
    #[serde(rename = "text_excerpt")]
    pub text_excerpt: Option<String>,
}

/// The type-specific fields of an event. Serialized field names follow the wire: camelCase,
/// except the form fields the contract spells in snake_case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EventDetail {
    Pageview {
        performance: Option<Performance>,
    },
    Click {
        element: ClickElement,
    },
    Scroll {
        /// 0–100 % of the page.
        depth: f64,
        /// Milliseconds on the page at capture time.
        time_on_page: f64,
    },
    Form {
        action: FormAction,
        form_id: String,
        field_count: f64,
        form_selector: Option<String>,
        #[serde(rename = "raw_fields")]
        raw_fields: Option<String>,
        #[serde(rename = "detected_name")]
        detected_name: Option<bool>,
        #[serde(rename = "detected_email")]
        detected_email: Option<bool>,
        #[serde(rename = "detected_phone")]
        detected_phone: Option<bool>,
        /// 0–100.
        #[serde(rename = "completion_rate")]
        completion_rate: Option<f64>,
        /// Field name → value; encrypted by the server before storage.
        values: Option<BTreeMap<String, String>>,
        files: Vec<FormFile>,
        #[serde(rename = "form_submission_id")]
        form_submission_id: Option<String>,
        #[serde(rename = "submitted_at")]
        submitted_at: Option<f64>,
    },
    Custom {
        name: String,
        category: Option<String>,
        action: Option<String>,
        /// At most [`crate::MAX_CUSTOM_LABEL_BYTES`] bytes.
        label: Option<String>,
        value: Option<f64>,
    },
    Identify {
        /// SHA-256 of the lowercased, trimmed email: 64 hex digits.
        hem: String,
        /// MD5 of the same: 32 hex digits.
        hem_md5: Option<String>,
        raw_email: Option<String>,
        raw_phone: Option<String>,
        /// Hashed phone, CRM ids, click ids, MAID, social ids, UTMs (see `analytics`).
        identity: Option<Value>,
    },
    ConsentTransition,
}
