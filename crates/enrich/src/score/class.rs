//! The contract's rules from `bot.score` and `humanConfidence` to `bot.isBot` and
//! `behavioralClass`. The thresholds are the published contract, not tuning, so they are
//! constants here rather than configuration.

use crate::BehavioralClass;

/// `isBot` needs at least this bot score ...
const IS_BOT_MIN_SCORE: u8 = 50;
/// ... and human confidence below this.
const IS_BOT_HUMAN_BELOW: u8 = 40;
/// `bot`: isBot and at least this score.
const BOT_MIN_SCORE: u8 = 70;
/// `likely_bot`: at least this score ...
const LIKELY_BOT_MIN_SCORE: u8 = 50;
/// ... and human confidence below this.
const LIKELY_BOT_HUMAN_BELOW: u8 = 30;
/// `suspicious`: at least this score, or ...
const SUSPICIOUS_MIN_SCORE: u8 = 30;
/// ... human confidence below this.
const SUSPICIOUS_HUMAN_BELOW: u8 = 50;

/// `bot.isBot`: score ≥ 50 and humanConfidence < 40.
pub fn is_bot(score: u8, human_confidence: u8) -> bool {
    score >= IS_BOT_MIN_SCORE && human_confidence < IS_BOT_HUMAN_BELOW
}

/// `behavioralClass`, most severe first: `bot` if isBot and score ≥ 70; `likely_bot` if
/// score ≥ 50 and humanConfidence < 30; `suspicious` if score ≥ 30 or humanConfidence < 50;
/// `human` otherwise.
pub fn behavioral_class(score: u8, human_confidence: u8) -> BehavioralClass {
    if is_bot(score, human_confidence) && score >= BOT_MIN_SCORE {
        BehavioralClass::Bot
    } else if score >= LIKELY_BOT_MIN_SCORE && human_confidence < LIKELY_BOT_HUMAN_BELOW {
        BehavioralClass::LikelyBot
    } else if score >= SUSPICIOUS_MIN_SCORE || human_confidence < SUSPICIOUS_HUMAN_BELOW {
        BehavioralClass::Suspicious
    } else {
        BehavioralClass::Human
    }
}

#[cfg(test)]
mod tests {
    use super::{behavioral_class, is_bot};
    use crate::BehavioralClass;

    #[test]
    fn the_boundaries_fall_where_the_contract_puts_them() {
        assert!(is_bot(50, 39));
        assert!(!is_bot(49, 0) && !is_bot(100, 40));
        assert_eq!(behavioral_class(70, 39), BehavioralClass::Bot);
        assert_eq!(behavioral_class(69, 29), BehavioralClass::LikelyBot);
        assert_eq!(behavioral_class(69, 39), BehavioralClass::Suspicious);
        assert_eq!(behavioral_class(29, 49), BehavioralClass::Suspicious);
        assert_eq!(behavioral_class(29, 50), BehavioralClass::Human);
    }
}
