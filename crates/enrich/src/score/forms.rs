//! Form abandonment as analytics tools define it: a form that got focus and was not
//! submitted. The session tracks its last few forms (by id hash) and when each was first
//! focused; a submit or an explicit `abandon` closes a form.

use clickwire_model::FormAction;

use super::hash::fnv1a;

/// How many forms the session tracks at once; the least recently touched one is forgotten.
pub(crate) const FORM_SLOTS: usize = 4;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    form: u64,
    /// When the open form was first focused.
    focused_ms: i64,
    /// Focused and neither submitted nor abandoned.
    open: bool,
    /// Order of last use; 0 for a free slot.
    touched: u64,
}

/// The session's forms.
#[derive(Debug, Clone, Default)]
pub(crate) struct Forms {
    slots: [Slot; FORM_SLOTS],
    ticks: u64,
}

impl Forms {
    pub(crate) fn record(&mut self, action: FormAction, form_id: &str, now_ms: i64) {
        let form = fnv1a(form_id);
        self.ticks += 1;
        let ticks = self.ticks;
        match action {
            FormAction::Focus => {
                let slot = self.slot_for(form);
                if !slot.open {
                    *slot = Slot {
                        form,
                        focused_ms: now_ms,
                        open: true,
                        touched: ticks,
                    };
                }
                slot.touched = ticks;
            }
            FormAction::Submit | FormAction::Abandon => {
                if let Some(slot) = self.find(form) {
                    slot.open = false;
                    slot.touched = ticks;
                }
            }
            FormAction::Blur => {}
        }
    }

    /// When the longest-open form was focused, if any form is open.
    pub(crate) fn earliest_open_focus(&self) -> Option<i64> {
        self.slots
            .iter()
            .filter(|s| s.open)
            .map(|s| s.focused_ms)
            .min()
    }

    fn find(&mut self, form: u64) -> Option<&mut Slot> {
        self.slots
            .iter_mut()
            .find(|s| s.touched > 0 && s.form == form)
    }

    /// The slot of `form`, or the least recently used one to reuse for it.
    fn slot_for(&mut self, form: u64) -> &mut Slot {
        let index = self
            .slots
            .iter()
            .position(|s| s.touched > 0 && s.form == form)
            .unwrap_or_else(|| self.least_recent());
        let slot = &mut self.slots[index];
        if slot.form != form {
            *slot = Slot {
                form,
                ..Slot::default()
            };
        }
        slot
    }

    fn least_recent(&self) -> usize {
        (0..FORM_SLOTS)
            .min_by_key(|&i| self.slots[i].touched)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use clickwire_model::FormAction;

    use super::Forms;

    #[test]
    fn a_focused_form_stays_open_until_submitted() {
        let mut forms = Forms::default();
        forms.record(FormAction::Focus, "signup", 1_000);
        forms.record(FormAction::Blur, "signup", 2_000);
        forms.record(FormAction::Focus, "signup", 3_000);
        assert_eq!(forms.earliest_open_focus(), Some(1_000));
        forms.record(FormAction::Submit, "signup", 4_000);
        assert_eq!(forms.earliest_open_focus(), None);
    }

    #[test]
    fn the_least_recent_form_is_forgotten_first() {
        let mut forms = Forms::default();
        for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            forms.record(FormAction::Focus, id, i as i64);
        }
        assert_eq!(forms.earliest_open_focus(), Some(1));
    }
}
