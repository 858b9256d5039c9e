//! Start-up validation of a [`super::ScoringConfig`]: the error type and the small checks
//! every part of the configuration applies to its own fields. The engine keeps every score
//! in range whatever the configuration says; these checks catch configurations that would
//! make the scores meaningless (negative weights, zero windows, windows longer than the
//! history the state keeps).

use thiserror::Error;

/// A configuration value the scorer refuses; `field` is its dotted path in the config.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScoringConfigError {
    #[error("scoring.{field} must be a finite number ≥ 0, got {value}")]
    NotAWeight { field: &'static str, value: f64 },
    #[error("scoring.{field} must be greater than 0")]
    NotPositive { field: &'static str },
    #[error("scoring.{field} must lie in {min}..={max}, got {value}")]
    OutOfRange {
        field: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("scoring.{field} is {value}, but the session only remembers the last {capacity}")]
    BeyondHistory {
        field: &'static str,
        value: usize,
        capacity: usize,
    },
    #[error("scoring.{field} holds an empty keyword, which would match every page")]
    EmptyKeyword { field: &'static str },
}

/// Result of a check.
pub(crate) type Checked = Result<(), ScoringConfigError>;

/// A weight, factor or point value: finite and not negative.
pub(crate) fn weight(field: &'static str, value: f64) -> Checked {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ScoringConfigError::NotAWeight { field, value })
    }
}

/// Each of `values` is a weight; `fields` names them in the same order.
pub(crate) fn weights<const N: usize>(fields: [&'static str; N], values: [f64; N]) -> Checked {
    fields
        .into_iter()
        .zip(values)
        .try_for_each(|(field, value)| weight(field, value))
}

/// A window, half-life or count that divides or bounds something: more than zero.
pub(crate) fn positive(field: &'static str, value: u64) -> Checked {
    if value > 0 {
        Ok(())
    } else {
        Err(ScoringConfigError::NotPositive { field })
    }
}

/// A value with a closed range of meaning.
pub(crate) fn within(field: &'static str, value: f64, min: f64, max: f64) -> Checked {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ScoringConfigError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    }
}

/// A count the state's fixed-size history must be able to hold.
pub(crate) fn fits(field: &'static str, value: usize, capacity: usize) -> Checked {
    if value <= capacity {
        Ok(())
    } else {
        Err(ScoringConfigError::BeyondHistory {
            field,
            value,
            capacity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{fits, positive, weight, within, ScoringConfigError};

    #[test]
    fn each_check_names_the_field_it_refuses() {
        assert!(weight("a", 0.0).is_ok());
        assert_eq!(
            weight("a", -1.0),
            Err(ScoringConfigError::NotAWeight {
                field: "a",
                value: -1.0
            })
        );
        assert!(weight("a", f64::INFINITY).is_err());
        assert_eq!(
            positive("b", 0),
            Err(ScoringConfigError::NotPositive { field: "b" })
        );
        assert!(within("c", 1.5, 0.0, 1.0).is_err());
        assert!(fits("d", 9, 8).is_err());
        assert!(fits("d", 8, 8).is_ok());
    }
}
