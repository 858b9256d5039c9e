//! The browser Origin gate of website keys: a key with configured domains accepts a request
//! only when its `Origin` (or, without one, its `Referer`) names one of them. `example.com`
//! matches that host exactly; `*.example.com` matches any subdomain of it; `*` matches all.

use axum::http::{header, HeaderMap};

/// True when the request's origin matches one of `patterns` (or there are none).
pub fn origin_allowed(patterns: &[String], headers: &HeaderMap) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let Some(host) = request_host(headers) else {
        return false;
    };
    patterns.iter().any(|p| host_matches(&normalise(p), &host))
}

/// True when the host of the origin `origin` (`https://shop.example.com`) matches one of
/// `patterns`; an empty list matches nothing.
pub fn host_allowed(patterns: &[String], origin: &str) -> bool {
    let Some(host) = url::Url::parse(origin)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    patterns.iter().any(|p| host_matches(&normalise(p), &host))
}

/// True for an origin on this machine (`localhost`, `127.0.0.1`, `[::1]`, `*.localhost`).
pub fn is_localhost(origin: &str) -> bool {
    let Some(url) = url::Url::parse(origin).ok() else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The host of `Origin`, else of `Referer`, lowercased.
fn request_host(headers: &HeaderMap) -> Option<String> {
    [header::ORIGIN, header::REFERER]
        .iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
        .filter(|value| *value != "null")
        .find_map(|value| {
            url::Url::parse(value)
                .ok()?
                .host_str()
                .map(str::to_ascii_lowercase)
        })
}

/// A configured domain as a bare lowercase host pattern (scheme, port and path dropped).
fn normalise(pattern: &str) -> String {
    let pattern = pattern.trim().to_ascii_lowercase();
    let pattern = pattern
        .split_once("://")
        .map_or(pattern.as_str(), |(_, rest)| rest);
    let pattern = pattern.split(['/', '?', '#']).next().unwrap_or_default();
    pattern
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(pattern, |(host, _)| host)
        .trim_end_matches('.')
        .to_owned()
}

fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        _ if pattern == "*" => true,
        Some(suffix) => host
            .strip_suffix(suffix)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    fn allowed(patterns: &[&str], headers: &HeaderMap) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        origin_allowed(&patterns, headers)
    }

    #[test]
    fn an_exact_domain_matches_only_itself() {
        let h = headers(header::ORIGIN, "https://example.com");
        assert!(allowed(&["example.com"], &h));
        let sub = headers(header::ORIGIN, "https://www.example.com");
        assert!(!allowed(&["example.com"], &sub));
    }

    #[test]
    fn a_wildcard_matches_subdomains_but_not_the_apex_or_lookalikes() {
        assert!(allowed(
            &["*.example.com"],
            &headers(header::ORIGIN, "https://a.b.example.com")
        ));
        assert!(!allowed(
            &["*.example.com"],
            &headers(header::ORIGIN, "https://example.com")
        ));
        assert!(!allowed(
            &["*.example.com"],
            &headers(header::ORIGIN, "https://badexample.com")
        ));
    }

    #[test]
    fn the_referer_is_used_without_an_origin() {
        let h = headers(header::REFERER, "https://shop.example.com/cart?x=1");
        assert!(allowed(&["shop.example.com"], &h));
    }

    #[test]
    fn configured_domains_may_carry_a_scheme_and_port() {
        let h = headers(header::ORIGIN, "http://localhost:3000");
        assert!(allowed(&["http://localhost:3000"], &h));
    }

    #[test]
    fn a_request_without_origin_or_referer_is_refused_when_domains_are_set() {
        assert!(!allowed(&["example.com"], &HeaderMap::new()));
        assert!(origin_allowed(&[], &HeaderMap::new()));
    }
}
