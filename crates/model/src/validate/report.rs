//! The collector every validator writes into, so one call reports EVERY failing field.

use super::{path::Path, problem::Problem};
use crate::error::FieldError;

/// Failing fields gathered so far, in the order they were found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    errors: Vec<FieldError>,
}

impl Report {
    /// Records that the field at `path` fails with `problem`.
    pub(crate) fn push(&mut self, path: &Path<'_>, problem: Problem) {
        self.errors.push(FieldError {
            path: path.render(),
            message: problem.to_string(),
        });
    }

    /// How many failures are recorded; compare before/after to see if a part failed.
    pub(crate) fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when nothing failed.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The recorded failures.
    pub(crate) fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }
}
