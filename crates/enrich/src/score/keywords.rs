//! Which pages and custom events mean something to the scores: keyword lists matched
//! (ASCII case-insensitively, as substrings) against `page.path` on pageviews and against
//! the `name` of custom events. Only those two event types are read, so a scroll on the
//! pricing page does not count as a second pricing visit.

use serde::{Deserialize, Serialize};

use super::{
    check::{Checked, ScoringConfigError},
    signals::Marks,
};

/// The keyword lists; a page or event matches a list when it contains any of its words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeywordConfig {
    /// Pricing and plan pages: consideration (intent, decision stage).
    pub pricing: Vec<String>,
    /// Demo, trial, sign-up and contact-sales pages or events: evaluation.
    pub demo: Vec<String>,
    /// Cart and checkout pages or events: decision (and abandonment while no purchase
    /// follows).
    pub checkout: Vec<String>,
    /// Purchase confirmation pages or events: the purchase stage.
    pub purchase: Vec<String>,
    /// Error pages and error events (frustration).
    pub error: Vec<String>,
    /// Cancellation, downgrade and unsubscribe pages or events (churn).
    pub cancel: Vec<String>,
}

impl Default for KeywordConfig {
    fn default() -> Self {
        Self {
            pricing: words(&["pricing", "plans"]),
            demo: words(&[
                "demo",
                "trial",
                "signup",
                "sign-up",
                "sign_up",
                "contact-sales",
                "contact_sales",
            ]),
            checkout: words(&["checkout", "cart", "basket"]),
            purchase: words(&[
                "purchase",
                "order-confirm",
                "order_confirm",
                "order-complete",
                "order_complete",
                "checkout-complete",
                "checkout_complete",
                "thank-you",
                "thankyou",
            ]),
            error: words(&["error", "404", "not-found", "not_found", "exception"]),
            cancel: words(&[
                "cancel",
                "unsubscribe",
                "downgrade",
                "delete-account",
                "close-account",
            ]),
        }
    }
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| (*w).to_owned()).collect()
}

impl KeywordConfig {
    /// The marks `text` (a path or a custom event name) earns.
    pub(crate) fn classify(&self, text: &str) -> Marks {
        let mut marks = Marks::NONE;
        for (list, mark) in self.lists() {
            if list.iter().any(|word| contains_ignore_case(text, word)) {
                marks.insert(mark);
            }
        }
        marks
    }

    fn lists(&self) -> [(&[String], Marks); 6] {
        [
            (&self.pricing, Marks::PRICING),
            (&self.demo, Marks::DEMO),
            (&self.checkout, Marks::CHECKOUT),
            (&self.purchase, Marks::PURCHASE),
            (&self.error, Marks::ERROR),
            (&self.cancel, Marks::CANCEL),
        ]
    }

    pub(crate) fn validate(&self) -> Checked {
        let names = ["pricing", "demo", "checkout", "purchase", "error", "cancel"];
        for (field, (list, _)) in names.into_iter().zip(self.lists()) {
            if list.iter().any(String::is_empty) {
                return Err(ScoringConfigError::EmptyKeyword { field });
            }
        }
        Ok(())
    }
}

/// Substring search without allocating a lowercased copy.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    !n.is_empty() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::{KeywordConfig, Marks};

    #[test]
    fn paths_and_names_match_case_insensitively() {
        let k = KeywordConfig::default();
        assert_eq!(k.classify("/Pricing"), Marks::PRICING);
        assert_eq!(k.classify("/docs/getting-started"), Marks::NONE);
        let done = k.classify("checkout_completed");
        assert!(done.any(Marks::CHECKOUT) && done.any(Marks::PURCHASE));
        assert!(k.classify("/account/cancel").any(Marks::CANCEL));
    }

    #[test]
    fn an_empty_keyword_is_refused() {
        let mut k = KeywordConfig::default();
        k.error.push(String::new());
        assert!(k.validate().is_err());
    }
}
