//! Campaign parameters (click ids and UTMs) from the query string of the page URL.

use std::borrow::Cow;

use url::form_urlencoded;

/// blob18, in column order.
pub(super) const CLICK_IDS: [&str; 9] = [
    "gclid",
    "fbclid",
    "msclkid",
    "ttclid",
    "dclid",
    "gbraid",
    "wbraid",
    "li_fat_id",
    "campaignCode",
];

/// blob19, in column order.
pub(super) const UTMS: [&str; 5] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
];

/// The values of the click ids and UTMs in `url` (first occurrence of each wins).
#[derive(Debug, Default)]
pub(super) struct Campaign<'a> {
    pub(super) click_ids: [Option<Cow<'a, str>>; 9],
    pub(super) utms: [Option<Cow<'a, str>>; 5],
}

/// Reads the campaign parameters of `url`; empty when it has no query string.
pub(super) fn campaign(url: &str) -> Campaign<'_> {
    let mut out = Campaign::default();
    let Some(query) = query_of(url) else {
        return out;
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(slot) = slot(&mut out, &key) {
            slot.get_or_insert(value);
        }
    }
    out
}

fn slot<'c, 'a>(c: &'c mut Campaign<'a>, key: &str) -> Option<&'c mut Option<Cow<'a, str>>> {
    if let Some(i) = CLICK_IDS.iter().position(|k| *k == key) {
        return c.click_ids.get_mut(i);
    }
    let i = UTMS.iter().position(|k| *k == key)?;
    c.utms.get_mut(i)
}

/// The part between the first `?` and the fragment, if the URL has a query.
fn query_of(url: &str) -> Option<&str> {
    let before_fragment = url.split('#').next().unwrap_or(url);
    let (_, query) = before_fragment.split_once('?')?;
    Some(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utms_and_click_ids_are_decoded() {
        let c = campaign("https://x.org/p?utm_source=news%20letter&gclid=abc+1&utm_term=a");
        assert_eq!(c.utms[0].as_deref(), Some("news letter"));
        assert_eq!(c.utms[3].as_deref(), Some("a"));
        assert_eq!(c.click_ids[0].as_deref(), Some("abc 1"));
        assert_eq!(c.click_ids[1], None);
    }

    #[test]
    fn the_first_occurrence_of_a_parameter_wins() {
        let c = campaign("https://x.org/?utm_source=a&utm_source=b");
        assert_eq!(c.utms[0].as_deref(), Some("a"));
    }

    #[test]
    fn a_question_mark_inside_the_fragment_is_not_a_query() {
        let c = campaign("https://x.org/#/route?utm_source=a");
        assert_eq!(c.utms[0], None);
    }

    #[test]
    fn custom_scheme_urls_have_queries_too() {
        let c = campaign("myapp://checkout?fbclid=F1");
        assert_eq!(c.click_ids[1].as_deref(), Some("F1"));
    }
}
