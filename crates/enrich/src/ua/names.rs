//! uap families renamed to what users call them: "Mobile Safari" is Safari, "Chrome
//! Mobile iOS" is Chrome, "Mac OS X" is macOS. Families not listed pass through as uap
//! names them ("Samsung Internet", "Yandex Browser", "Googlebot", "HeadlessChrome");
//! unknown stays "Other".

/// The OS of anything carrying the "iPad" token, whatever uap says (iPadOS apps and
/// web views sometimes report "Mac OS X").
pub(super) const IOS: &str = "iOS";

/// (uap family, name users know), for browsers.
const BROWSERS: &[(&str, &str)] = &[
    ("Mobile Safari", "Safari"),
    ("Mobile Safari UI/WKWebView", "Safari"),
    ("Chrome Mobile", "Chrome"),
    ("Chrome Mobile iOS", "Chrome"),
    ("Chrome Mobile WebView", "Chrome"),
    ("CriOS", "Chrome"),
    ("Firefox Mobile", "Firefox"),
    ("Firefox iOS", "Firefox"),
    ("Firefox Beta", "Firefox"),
    ("Firefox Alpha", "Firefox"),
    ("Edge Mobile", "Edge"),
    ("Opera Mobile", "Opera"),
    ("Opera Mini", "Opera"),
    ("Opera Tablet", "Opera"),
    ("Opera Touch", "Opera"),
    ("Opera Coast", "Opera"),
    ("Opera Neon", "Opera"),
    ("IE", "Internet Explorer"),
    ("IE Mobile", "Internet Explorer"),
    ("IE Large Screen", "Internet Explorer"),
    ("Amazon Silk", "Silk"),
];

/// (uap family, name users know), for operating systems; Windows versions and Linux
/// distributions are folded in [`os_name`].
const SYSTEMS: &[(&str, &str)] = &[
    ("Mac OS X", "macOS"),
    ("Mac OS", "macOS"),
    ("Chrome OS", "ChromeOS"),
    ("ATV OS X", "tvOS"),
    ("WatchOS", "watchOS"),
];

/// Distributions uap names on its own; users know them as Linux.
const LINUX_DISTRIBUTIONS: &[&str] = &[
    "Ubuntu",
    "Debian",
    "Fedora",
    "Red Hat",
    "Gentoo",
    "Mint",
    "Linux Mint",
    "Arch Linux",
    "CentOS",
    "Mandriva",
    "Slackware",
    "SUSE",
    "openSUSE",
    "Kubuntu",
    "Xubuntu",
    "Lubuntu",
];

fn lookup(table: &[(&str, &'static str)], family: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(uap, _)| *uap == family)
        .map(|(_, known)| *known)
}

/// "Chrome Mobile" → "Chrome"; "Brave" → "Brave".
pub(super) fn browser_name(family: &str) -> String {
    lookup(BROWSERS, family).unwrap_or(family).to_owned()
}

/// "Mac OS X" → "macOS", "Ubuntu" → "Linux", "Windows" (any version) → "Windows".
pub(super) fn os_name(family: &str) -> String {
    if let Some(known) = lookup(SYSTEMS, family) {
        return known.to_owned();
    }
    if LINUX_DISTRIBUTIONS.contains(&family) {
        return "Linux".to_owned();
    }
    // "Windows 10", "Windows NT 4.0", "Windows XP", …; phones keep their own name.
    if family.starts_with("Windows")
        && !family.starts_with("Windows Phone")
        && !family.starts_with("Windows Mobile")
        && !family.starts_with("Windows CE")
        && !family.starts_with("Windows RT")
    {
        return "Windows".to_owned();
    }
    family.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_families_take_their_desktop_names() {
        assert_eq!(browser_name("Mobile Safari"), "Safari");
        assert_eq!(browser_name("Chrome Mobile iOS"), "Chrome");
        assert_eq!(browser_name("Firefox iOS"), "Firefox");
        assert_eq!(browser_name("Edge Mobile"), "Edge");
        assert_eq!(browser_name("Samsung Internet"), "Samsung Internet");
        assert_eq!(browser_name("Other"), "Other");
    }

    #[test]
    fn systems_take_the_names_users_know() {
        assert_eq!(os_name("Mac OS X"), "macOS");
        assert_eq!(os_name("Chrome OS"), "ChromeOS");
        assert_eq!(os_name("Ubuntu"), "Linux");
        assert_eq!(os_name("Windows"), "Windows");
        assert_eq!(os_name("Windows XP"), "Windows");
        assert_eq!(os_name("Windows Phone"), "Windows Phone");
        assert_eq!(os_name("iOS"), "iOS");
        assert_eq!(os_name("Other"), "Other");
    }
}
