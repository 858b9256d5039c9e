//! What one event says. [`Marks`] are read from the event alone (the meaning of its page or
//! custom event name, its form action, identify); [`Signals`] add what the session's
//! history makes of it (a rage click, circular navigation, a deeper scroll). Every score
//! folds the same `Signals`, so each fact is worked out once per event.

use clickwire_model::{Event, EventDetail, EventType, FormAction};

use super::{clicks::Rage, keywords::KeywordConfig};

/// A set of facts about one event (a bitset, so it costs nothing to copy or combine).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Marks(u16);

impl Marks {
    pub(crate) const NONE: Self = Self(0);
    /// A pricing or plans page.
    pub(crate) const PRICING: Self = Self(1);
    /// A demo, trial or sign-up page or event.
    pub(crate) const DEMO: Self = Self(1 << 1);
    /// A cart or checkout page or event.
    pub(crate) const CHECKOUT: Self = Self(1 << 2);
    /// A purchase confirmation page or event.
    pub(crate) const PURCHASE: Self = Self(1 << 3);
    /// An error page or error event.
    pub(crate) const ERROR: Self = Self(1 << 4);
    /// A cancellation, downgrade or unsubscribe page or event.
    pub(crate) const CANCEL: Self = Self(1 << 5);
    /// A form field got focus.
    pub(crate) const FORM_FOCUS: Self = Self(1 << 6);
    /// A form was submitted.
    pub(crate) const FORM_SUBMIT: Self = Self(1 << 7);
    /// The SDK saw a form abandoned.
    pub(crate) const FORM_ABANDON: Self = Self(1 << 8);
    /// The visitor identified.
    pub(crate) const IDENTIFY: Self = Self(1 << 9);
    /// Conversions in the GA4 sense (key events): form submit, identify, purchase.
    pub(crate) const CONVERSION: Self =
        Self(Self::FORM_SUBMIT.0 | Self::IDENTIFY.0 | Self::PURCHASE.0);
    /// Funnel pages short of a conversion: pricing, demo, checkout.
    pub(crate) const FUNNEL: Self = Self(Self::PRICING.0 | Self::DEMO.0 | Self::CHECKOUT.0);

    /// True when the two sets share a fact.
    pub(crate) fn any(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Adds `other`'s facts.
    pub(crate) fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

/// The facts of one event once it has met the session.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signals {
    pub(crate) marks: Marks,
    /// The visitor did something on the page (any event but a pageview or consent change).
    pub(crate) interaction: bool,
    /// A click that completes or continues a rage-click cluster.
    pub(crate) rage: Rage,
    /// A pageview returning to a page seen a few pages ago (A → B → A).
    pub(crate) circular: bool,
    /// A pageview that left the previous page within seconds.
    pub(crate) rapid_switch: bool,
    /// A scroll deeper than any before on this session.
    pub(crate) deeper_scroll: bool,
}

impl Signals {
    /// The facts `event` carries by itself; the session adds the rest while folding it.
    pub(crate) fn of(event: &Event, keywords: &KeywordConfig) -> Self {
        Self {
            marks: marks(event, keywords),
            interaction: !matches!(
                event.event_type,
                EventType::Pageview | EventType::ConsentTransition
            ),
            ..Self::default()
        }
    }
}

fn marks(event: &Event, keywords: &KeywordConfig) -> Marks {
    match &event.detail {
        EventDetail::Pageview { .. } => keywords.classify(&event.page.path),
        EventDetail::Custom { name, .. } => keywords.classify(name),
        EventDetail::Form { action, .. } => match action {
            FormAction::Focus => Marks::FORM_FOCUS,
            FormAction::Submit => Marks::FORM_SUBMIT,
            FormAction::Abandon => Marks::FORM_ABANDON,
            FormAction::Blur => Marks::NONE,
        },
        EventDetail::Identify { .. } => Marks::IDENTIFY,
        _ => Marks::NONE,
    }
}
