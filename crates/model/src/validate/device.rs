//! `device`: user agent (truncated, never refused), viewport/screen geometry, the declared
//! client platform, and the optional fingerprint and automation inputs.

use serde_json::Value;

use super::{
    fields::{boolean, number, number_in, string, Obj},
    normalise::truncate_chars,
    page::UrlRule,
    problem::Problem,
    report::Report,
};
use crate::{
    device::{Automation, Device, Dimensions},
    event::ClientPlatform,
    limits::MAX_USER_AGENT,
};

const PLATFORMS: &str = "web, ios, android, react-native, server";

/// The page rule implied by `device.clientPlatform`, read without reporting anything (the
/// device validator reports). An invalid platform gets the lenient rule so the one mistake
/// is not echoed as a second, spurious `page.url` error.
pub(super) fn url_rule(event: &Obj<'_, '_>) -> UrlRule {
    let declared = event
        .map
        .get("device")
        .and_then(|d| d.get("clientPlatform"))
        .filter(|v| !v.is_null());
    match declared.map(|v| v.as_str().and_then(ClientPlatform::from_wire)) {
        None | Some(Some(ClientPlatform::Web)) => UrlRule::RequiredHttp,
        Some(_) => UrlRule::OptionalAny,
    }
}

/// Validates `device`.
pub(super) fn device(obj: &Obj<'_, '_>, r: &mut Report) -> Option<Device> {
    let d = &obj.req_obj(r, "device")?;
    let user_agent = d.req(r, "userAgent", string);
    let viewport = d.req_obj(r, "viewport").and_then(|o| dimensions(&o, r));
    let screen = d.opt_obj(r, "screen").and_then(|o| dimensions(&o, r));
    let client_platform = d.opt(r, "clientPlatform", platform).unwrap_or_default();
    let fingerprint = opt_string(d, r, "fingerprint");
    let fingerprint_confidence = d.opt(r, "fingerprintConfidence", number_in(0.0, 100.0));
    let gpu_vendor = opt_string(d, r, "gpuVendor");
    let gpu_renderer = opt_string(d, r, "gpuRenderer");
    let connection_type = opt_string(d, r, "connectionType");
    let pixel_ratio = d.opt(r, "pixelRatio", number);
    let timezone = opt_string(d, r, "timezone");
    let language = opt_string(d, r, "language");
    let platform = opt_string(d, r, "platform");
    let automation = d.opt_obj(r, "automation").map(|o| automation(&o, r));
    Some(Device {
        user_agent: truncate_chars(user_agent?, MAX_USER_AGENT).to_owned(),
        viewport: viewport?,
        screen,
        client_platform,
        fingerprint,
        fingerprint_confidence,
        gpu_vendor,
        gpu_renderer,
        connection_type,
        pixel_ratio,
        timezone,
        language,
        platform,
        automation,
    })
}

fn opt_string(obj: &Obj<'_, '_>, r: &mut Report, key: &str) -> Option<String> {
    obj.opt(r, key, string).map(str::to_owned)
}

fn platform(v: &Value) -> Result<ClientPlatform, Problem> {
    ClientPlatform::from_wire(string(v)?).ok_or(Problem::OneOf(PLATFORMS))
}

fn dimensions(obj: &Obj<'_, '_>, r: &mut Report) -> Option<Dimensions> {
    let width = obj.req(r, "width", number);
    let height = obj.req(r, "height", number);
    Some(Dimensions {
        width: width?,
        height: height?,
    })
}

fn automation(obj: &Obj<'_, '_>, r: &mut Report) -> Automation {
    Automation {
        score: obj.opt(r, "score", number_in(0.0, 100.0)),
        signals: obj.opt_strings(r, "signals"),
        webdriver: obj.opt(r, "webdriver", boolean),
    }
}
