//! `page`: how strictly it is checked depends on the declared client platform. Web events
//! (and events without `clientPlatform`) need an absolute http(s) `url`; native and server
//! events may omit it or use any scheme (`myapp://checkout`).

use url::Url;

use super::{
    fields::{string, Obj},
    problem::Problem,
    report::Report,
};
use crate::event::Page;

/// What `page.url` must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UrlRule {
    /// Required, absolute, http or https.
    RequiredHttp,
    /// Optional; any string.
    OptionalAny,
}

/// Validates `page` under `rule`.
pub(super) fn page(obj: &Obj<'_, '_>, r: &mut Report, rule: UrlRule) -> Option<Page> {
    let page = obj.req_obj(r, "page")?;
    let url = match rule {
        UrlRule::RequiredHttp => page.req(r, "url", http_url).map(Some),
        UrlRule::OptionalAny => Some(page.opt(r, "url", string)),
    };
    let path = page.req(r, "path", string);
    let title = page.req(r, "title", string);
    let referrer = page.opt(r, "referrer", string);
    Some(Page {
        url: url?.map(str::to_owned),
        path: path?.to_owned(),
        title: title?.to_owned(),
        referrer: referrer.map(str::to_owned),
    })
}

fn http_url(v: &serde_json::Value) -> Result<&str, Problem> {
    let s = string(v)?;
    match Url::parse(s) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(s),
        _ => Err(Problem::NotHttpUrl),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::http_url;

    #[test]
    fn http_and_https_urls_pass() {
        assert!(http_url(&json!("https://example.com/docs?x=1")).is_ok());
        assert!(http_url(&json!("http://localhost:8080/")).is_ok());
    }

    #[test]
    fn relative_custom_scheme_and_hostless_urls_fail() {
        for bad in [
            "/docs",
            "myapp://checkout",
            "ftp://x.org/",
            "http://",
            "",
            "example.com",
        ] {
            assert!(http_url(&json!(bad)).is_err(), "{bad} should fail");
        }
    }
}
