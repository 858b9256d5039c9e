//! Device type and headless markers from UA tokens, without uap's device regexes.
//!
//! - tablet: "iPad", Kindle / Silk / PlayBook, a "Tablet" token (not Windows' "Tablet
//!   PC"), or an Android *browser* without "Mobile" (Google's rule for its own browsers).
//! - mobile: "iPhone" / "iPod", Android with "Mobile", and any Android UA that is not a
//!   browser: native apps ("Dalvik/2.1.0 (… Android 14 …)", "AcmeApp OkHttp Android/15")
//!   never say "Mobile" and are mostly phones; then other phone tokens ("Mobile",
//!   "Opera Mini", "BlackBerry", "Windows Phone", …), and finally any UA whose OS uap
//!   reads as iOS or Android (native apps: "AcmeApp/2.1.0 CFNetwork iOS/17.5").
//! - desktop: everything else, including iPadOS Safari in its default desktop mode, whose
//!   UA is byte-for-byte a Mac's.

use crate::DeviceType;

const TABLET_TOKENS: [&str; 4] = ["iPad", "Kindle", "Silk/", "PlayBook"];
const PHONE_TOKENS: [&str; 2] = ["iPhone", "iPod"];
/// "Mobi" also covers "Mobile" (Opera's "Opera Mobi" has only the short form).
const OTHER_MOBILE_TOKENS: [&str; 7] = [
    "Mobi",
    "Opera Mini",
    "BlackBerry",
    "BB10",
    "Windows Phone",
    "IEMobile",
    "KAIOS",
];
const MOBILE_SYSTEMS: [&str; 2] = ["iOS", "Android"];
const HEADLESS_MARKERS: [&str; 2] = ["Headless", "PhantomJS"];

fn has_any(user_agent: &str, tokens: &[&str]) -> bool {
    tokens.iter().any(|token| user_agent.contains(token))
}

/// The iPad token, which wins over any OS uap reports.
pub(super) fn is_ipad(user_agent: &str) -> bool {
    user_agent.contains("iPad")
}

/// Browsers' UAs start with the historical "Mozilla/" (or Opera's own).
fn is_browser(user_agent: &str) -> bool {
    user_agent.starts_with("Mozilla/") || user_agent.starts_with("Opera/")
}

fn is_tablet_token(user_agent: &str) -> bool {
    user_agent.contains("Tablet") && !user_agent.contains("Tablet PC")
}

/// `os` is the OS name already resolved for the UA ("iOS", "Android", …).
pub(super) fn device_type(user_agent: &str, os: &str) -> DeviceType {
    if has_any(user_agent, &TABLET_TOKENS) || is_tablet_token(user_agent) {
        return DeviceType::Tablet;
    }
    if has_any(user_agent, &PHONE_TOKENS) {
        return DeviceType::Mobile;
    }
    if user_agent.contains("Android") {
        return if user_agent.contains("Mobile") || !is_browser(user_agent) {
            DeviceType::Mobile
        } else {
            DeviceType::Tablet
        };
    }
    if has_any(user_agent, &OTHER_MOBILE_TOKENS) || MOBILE_SYSTEMS.contains(&os) {
        return DeviceType::Mobile;
    }
    DeviceType::Desktop
}

/// HeadlessChrome, HeadlessEdg, PhantomJS, … The bot registry has a matching entry for
/// each marker, so a headless UA always carries an automation bot match too.
pub(super) fn is_headless(user_agent: &str) -> bool {
    has_any(user_agent, &HEADLESS_MARKERS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_without_mobile_is_a_tablet_only_for_browsers() {
        let tablet = "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
        assert_eq!(device_type(tablet, "Android"), DeviceType::Tablet);
        let native = "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)";
        assert_eq!(device_type(native, "Android"), DeviceType::Mobile);
    }

    #[test]
    fn windows_tablet_pc_is_a_desktop() {
        let ua =
            "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; Tablet PC 2.0; rv:11.0) like Gecko";
        assert_eq!(device_type(ua, "Windows"), DeviceType::Desktop);
    }

    #[test]
    fn kindle_is_a_tablet_and_an_empty_ua_a_desktop() {
        let kindle = "Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) AppleWebKit/531.2+ (KHTML, like Gecko) Version/5.0 Safari/533.2+ Kindle/3.0+";
        assert_eq!(device_type(kindle, "Android"), DeviceType::Tablet);
        assert_eq!(device_type("", "Other"), DeviceType::Desktop);
    }
}
