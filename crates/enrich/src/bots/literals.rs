//! Required literals of a pattern: a set of strings at least one of which appears in any
//! text the pattern matches. `Googlebot\/` needs "Googlebot/", `S[eE][mM]rushBot` needs
//! "rushBot", `(sistrix|SISTRIX) [cC]rawler` needs "rawler". The matcher looks for these
//! with one Aho-Corasick scan and runs only the regexes whose literal it found.

use regex_syntax::hir::{Hir, HirKind};

/// Shorter literals ("bot", "get") would send most user agents to many regexes.
const MIN_LITERAL_BYTES: usize = 3;

/// One of these appears in every match of `pattern`; `None` when no such set of
/// literals of at least [`MIN_LITERAL_BYTES`] is found (the regex is then always run).
pub(super) fn required(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    of(&hir)
}

fn of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(literal) => single(literal.0.to_vec()),
        HirKind::Capture(capture) => of(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min > 0 => of(&repetition.sub),
        HirKind::Concat(parts) => of_concat(parts),
        HirKind::Alternation(branches) => {
            let sets: Option<Vec<_>> = branches.iter().map(of).collect();
            sets.map(|sets| sets.into_iter().flatten().collect())
        }
        _ => None,
    }
}

fn single(literal: Vec<u8>) -> Option<Vec<Vec<u8>>> {
    (literal.len() >= MIN_LITERAL_BYTES).then(|| vec![literal])
}

/// The best requirement among the concatenation's literal runs and its parts' own
/// requirements: the set whose shortest literal is longest (fewest false candidates).
fn of_concat(parts: &[Hir]) -> Option<Vec<Vec<u8>>> {
    let mut options: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for part in parts {
        if let HirKind::Literal(literal) = part.kind() {
            run.extend_from_slice(&literal.0);
            continue;
        }
        options.extend(single(std::mem::take(&mut run)));
        options.extend(of(part));
    }
    options.extend(single(run));
    options
        .into_iter()
        .max_by_key(|set| set.iter().map(Vec::len).min().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(pattern: &str) -> Option<Vec<String>> {
        required(pattern).map(|set| {
            set.into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_and_escaped_patterns_need_their_text() {
        assert_eq!(strings(r"Googlebot\/"), Some(vec!["Googlebot/".into()]));
        assert_eq!(strings(r"^curl"), Some(vec!["curl".into()]));
    }

    #[test]
    fn classes_split_the_text_and_the_longest_run_wins() {
        assert_eq!(strings("S[eE][mM]rushBot"), Some(vec!["rushBot".into()]));
        assert_eq!(
            strings("(sistrix|SISTRIX) [cC]rawler"),
            Some(vec!["sistrix".into(), "SISTRIX".into()])
        );
    }

    #[test]
    fn alternations_need_one_of_their_branches() {
        assert_eq!(
            strings("Ahrefs(Bot|SiteAudit)"),
            Some(vec!["Ahrefs".into()])
        );
        assert_eq!(strings("(?:foo|ab)"), None);
    }

    #[test]
    fn patterns_without_a_long_literal_have_no_requirement() {
        assert_eq!(strings(r"[a-z]+bo"), None);
        assert_eq!(strings(r"(?i)googlebot"), None);
    }
}
