//! Display names for list entries, which carry only a regex: the text the pattern
//! matches in the entry's first matching instance ("Googlebot\/" → "Googlebot"), or the
//! pattern's leading literal when no instance is listed.

/// Longer matches are usually a phrase ("… Bot for FFIEC"): keep the first word.
const MAX_NAME_CHARS: usize = 32;

/// The display name of the entry with `pattern` compiled as `regex`.
pub(super) fn derive(pattern: &str, regex: &regex::Regex, instances: &[String]) -> String {
    let matched = instances
        .iter()
        .find_map(|instance| regex.find(instance).map(|m| m.as_str()));
    let raw = match matched {
        Some(text) => text.to_owned(),
        None => leading_literal(pattern),
    };
    let name = tidy(&raw);
    if name.is_empty() {
        pattern.to_owned()
    } else {
        name.to_owned()
    }
}

/// `^Seekbot` → "Seekbot", `web-archive-net\.com\.bot` → "web-archive-net.com.bot",
/// `(sistrix|SISTRIX) [cC]rawler` → "" (the caller falls back to the pattern).
fn leading_literal(pattern: &str) -> String {
    let mut literal = String::new();
    let mut chars = pattern.trim_start_matches('^').chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if !escaped.is_ascii_alphanumeric() => literal.push(escaped),
                _ => break,
            },
            '[' | ']' | '(' | ')' | '{' | '}' | '|' | '*' | '+' | '?' | '.' | '$' => break,
            _ => literal.push(c),
        }
    }
    literal
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Where a UA's name ends and its comment begins: "Owler (ows.eu" → "Owler",
/// "Spider; +https://…" → "Spider".
const NAME_ENDS: [&str; 3] = [" (", ";", " +"];

/// Trims separators around the name, drops a comment tail and a version ("Code/1" →
/// "Code") and shortens phrases to their first word.
fn tidy(raw: &str) -> &str {
    let mut name = trim(raw);
    for end in NAME_ENDS {
        if let Some((head, _)) = name.split_once(end) {
            name = trim(head);
        }
    }
    if let Some((head, version)) = name.rsplit_once('/') {
        if version.starts_with(|c: char| c.is_ascii_digit()) {
            name = trim(head);
        }
    }
    if name.chars().count() > MAX_NAME_CHARS {
        name = trim(name.split_whitespace().next().unwrap_or(name));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(pattern: &str, instances: &[&str]) -> String {
        let regex = regex::Regex::new(pattern).expect("test pattern compiles");
        let instances: Vec<String> = instances.iter().map(|s| (*s).to_owned()).collect();
        derive(pattern, &regex, &instances)
    }

    #[test]
    fn the_name_is_the_matched_text_without_separators() {
        assert_eq!(
            derived(r"Googlebot\/", &["Mozilla/5.0 (compatible; Googlebot/2.1)"]),
            "Googlebot"
        );
        assert_eq!(derived("[wW]get", &["Wget/1.21"]), "Wget");
        assert_eq!(derived(r"Code\/1\.", &["Mozilla/5.0 Code/1.90.0"]), "Code");
    }

    #[test]
    fn without_instances_the_name_is_the_leading_literal() {
        assert_eq!(derived(r"^Seekbot", &[]), "Seekbot");
        assert_eq!(
            derived(r"web-archive-net\.com\.bot", &[]),
            "web-archive-net.com.bot"
        );
        assert_eq!(
            derived("(sistrix|SISTRIX) [cC]rawler", &[]),
            "(sistrix|SISTRIX) [cC]rawler"
        );
    }

    #[test]
    fn parenthesised_tails_and_long_phrases_are_cut() {
        assert_eq!(
            derived(
                r"Owler \(ows\.eu",
                &["Mozilla/5.0 (compatible; Owler (ows.eu/owler)"]
            ),
            "Owler"
        );
        assert_eq!(
            derived(
                r"Spider[\s\S]*spider\.com",
                &["Mozilla/5.0 (compatible; Spider; +https://www.spider.com/bot)"]
            ),
            "Spider"
        );
    }
}
