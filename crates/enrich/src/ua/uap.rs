//! The vendored uap-core regexes compiled with the `ua-parser` crate: browser family and
//! OS family. uap's device parsers are left out: clickwire derives the device type from
//! a few tokens (see `device`), and skipping them halves the work of an uncached parse.

use ua_parser::{os, user_agent, Regexes};

use super::UaError;

const REGEXES_YAML: &str = include_str!("../../../../data/uap-core/regexes.yaml");

/// uap's answer for one user agent, "Other" where it has none.
pub(super) struct Families {
    pub(super) browser: String,
    pub(super) os: String,
}

pub(super) struct Uap {
    browser: user_agent::Extractor<'static>,
    os: os::Extractor<'static>,
}

const OTHER: &str = "Other";

impl Uap {
    pub(super) fn compile() -> Result<Self, UaError> {
        let regexes: Regexes<'static> =
            serde_yaml_ng::from_str(REGEXES_YAML).map_err(UaError::UapYaml)?;
        let browser = user_agent::Builder::new()
            .push_all(regexes.user_agent_parsers)
            .and_then(|builder| builder.build().map_err(ua_parser::Error::from))
            .map_err(UaError::UapCompile)?;
        let os = os::Builder::new()
            .push_all(regexes.os_parsers)
            .map_err(ua_parser::Error::from)
            .and_then(|builder| builder.build().map_err(ua_parser::Error::from))
            .map_err(UaError::UapCompile)?;
        Ok(Self { browser, os })
    }

    pub(super) fn families(&self, user_agent: &str) -> Families {
        Families {
            browser: self
                .browser
                .extract(user_agent)
                .map_or_else(|| OTHER.to_owned(), |v| v.family.into_owned()),
            os: self
                .os
                .extract(user_agent)
                .map_or_else(|| OTHER.to_owned(), |v| v.os.into_owned()),
        }
    }
}
