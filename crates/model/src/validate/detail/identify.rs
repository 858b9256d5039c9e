//! identify: the hashed email (`hem`, SHA-256 hex) with optional MD5, raw values (encrypted
//! by the server before storage; its sealed placeholder reads as absent) and the free-form
//! `identity` object.

use serde_json::Value;

use crate::{
    detail::EventDetail,
    validate::{
        fields::{object, string, Obj},
        problem::Problem,
        report::Report,
    },
};

/// Validates an identify event.
pub(super) fn identify(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventDetail> {
    let hem = obj.req(r, "hem", hex(64));
    let hem_md5 = obj.opt(r, "hemMd5", hex(32));
    let raw_email = obj.opt_sealable(r, "rawEmail", string);
    let raw_phone = obj.opt_sealable(r, "rawPhone", string);
    let identity = obj.opt(r, "identity", object);
    Some(EventDetail::Identify {
        hem: hem?.to_owned(),
        hem_md5: hem_md5.map(str::to_owned),
        raw_email: raw_email.map(str::to_owned),
        raw_phone: raw_phone.map(str::to_owned),
        identity: identity.map(|m| Value::Object(m.clone())),
    })
}

/// A reader for exactly `len` hexadecimal digits (either case).
fn hex(len: usize) -> impl Fn(&Value) -> Result<&str, Problem> {
    move |v| {
        let s = string(v)?;
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Problem::NotHex(len));
        }
        Ok(s)
    }
}
