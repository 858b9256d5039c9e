//! Configuration errors in words an operator can act on: which setting (`server.listen`,
//! never figment's `default.server.listen`), where it was set (the file, or the environment
//! variable by its full name), what was wrong with it, and for a mistyped name the nearest
//! real one.

use figment::{
    error::{Actual, Kind},
    Source,
};

/// The environment variables' prefix and the separator of their nested names.
pub const ENV_PREFIX: &str = "CLICKWIRE_";
pub const ENV_SPLIT: &str = "__";

/// Every problem in `error`, one per line.
pub fn explain(error: &figment::Error) -> String {
    let lines: Vec<String> = error.clone().into_iter().map(|e| explain_one(&e)).collect();
    lines.join("\n")
}

fn explain_one(error: &figment::Error) -> String {
    let path: Vec<&str> = error.path.iter().map(String::as_str).collect();
    match &error.kind {
        Kind::UnknownField(name, known) => {
            let mut full = path.clone();
            if full.last() != Some(&name.as_str()) {
                full.push(name);
            }
            let parent = &full[..full.len() - 1];
            let mut line = format!(
                "unknown setting `{}`{}",
                full.join("."),
                source_of(error, &full)
            );
            match nearest(name, known) {
                Some(near) => line.push_str(&format!("; did you mean `{}`?", dotted(parent, near))),
                None => line.push_str(&format!("; {} are: {}", section(parent), known.join(", "))),
            }
            line
        }
        Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => format!(
            "setting `{}`{}: expected {}, found {}",
            path.join("."),
            source_of(error, &path),
            in_words(expected.trim_matches('`')),
            found(actual)
        ),
        Kind::UnknownVariant(value, known) => format!(
            "setting `{}`{}: `{value}` is not one of {}",
            path.join("."),
            source_of(error, &path),
            known.join(", ")
        ),
        Kind::MissingField(name) => format!("missing setting `{}`", dotted(&path, name)),
        Kind::Message(message) if path.is_empty() => {
            let message = message.trim_end().replace('\n', "\n    ");
            match error.metadata.as_ref().and_then(|m| m.source.as_ref()) {
                Some(Source::File(file)) => format!("{} cannot be read: {message}", file.display()),
                _ => message,
            }
        }
        other => format!(
            "setting `{}`{}: {other}",
            path.join("."),
            source_of(error, &path)
        ),
    }
}

/// ` in clickwire.toml`, ` in environment variable CLICKWIRE_SERVER__LISTEN`, or nothing
/// for a value that came from the defaults or a flag.
fn source_of(error: &figment::Error, path: &[&str]) -> String {
    let Some(metadata) = &error.metadata else {
        return String::new();
    };
    match &metadata.source {
        Some(Source::File(file)) => format!(" in {}", file.display()),
        _ if metadata.name.contains("environment variable") && !path.is_empty() => {
            let names: Vec<String> = path.iter().map(|p| p.to_ascii_uppercase()).collect();
            format!(
                " in environment variable {ENV_PREFIX}{}",
                names.join(ENV_SPLIT)
            )
        }
        _ => String::new(),
    }
}

/// The known name closest to a mistyped one, if any is close enough to be what was meant.
fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), *candidate))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

fn dotted(parent: &[&str], name: &str) -> String {
    let mut full = parent.to_vec();
    full.push(name);
    full.join(".")
}

fn section(parent: &[&str]) -> String {
    if parent.is_empty() {
        "the sections".to_owned()
    } else {
        format!("the settings of [{}]", parent.join("."))
    }
}

/// serde's name of a type, as a reader says it.
fn in_words(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number",
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer",
        "f32" | "f64" => "a number",
        "a boolean" | "bool" => "true or false",
        other => other,
    }
}

/// figment's description of a value, without its back-quotes (`string "abc"`, `integer 5`).
fn found(actual: &Actual) -> String {
    actual.to_string().replace('`', "")
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ConfigError, Overrides};

    fn load_toml(text: &str) -> (String, String) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("clickwire.toml");
        std::fs::write(&path, text).expect("write");
        let err = Config::load(Some(&path), Overrides::default()).expect_err("refused");
        assert!(matches!(err, ConfigError::Parse(_)), "{err:?}");
        (err.to_string(), path.display().to_string())
    }

    #[test]
    fn a_mistyped_name_is_named_in_full_with_its_file_and_the_nearest_real_name() {
        let (message, file) = load_toml("[server]\nlistn = \"127.0.0.1:1\"\n");
        assert_eq!(
            message,
            format!("unknown setting `server.listn` in {file}; did you mean `server.listen`?")
        );
    }

    #[test]
    fn a_name_close_to_nothing_lists_the_names_of_its_section() {
        let (message, _) = load_toml("[log]\nqqqq = 1\n");
        assert!(
            message.contains("unknown setting `log.qqqq`")
                && message.contains("the settings of [log] are: level, format"),
            "{message}"
        );
    }

    #[test]
    fn a_wrong_type_names_the_setting_without_the_profile_and_without_nested_quotes() {
        let (message, file) = load_toml("[server]\nmax_body_bytes = \"big\"\n");
        assert!(
            message.starts_with(&format!(
                "setting `server.max_body_bytes` in {file}: expected"
            )),
            "{message}"
        );
        assert!(!message.contains("default."), "{message}");
        assert!(message.contains("found string \"big\""), "{message}");
    }

    #[test]
    fn a_file_that_is_not_toml_is_named_with_what_is_wrong() {
        let (message, file) = load_toml("[server\nx = 1\n");
        assert!(
            message.starts_with(&format!(
                "{file} cannot be read: TOML parse error at line 1"
            )),
            "{message}"
        );
        assert!(message.contains("invalid table header"), "{message}");
    }

    #[test]
    fn an_unknown_word_lists_the_words_that_are_known() {
        let (message, _) = load_toml("[log]\nformat = \"yaml\"\n");
        assert!(
            message.contains("setting `log.format`") && message.contains("`yaml` is not one of"),
            "{message}"
        );
    }
}
