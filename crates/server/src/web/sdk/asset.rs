//! A static file compiled into the binary and served the way a CDN serves a script: gzip
//! when the client takes it (compressed once, when first served), a weak ETag over the
//! content (the same for both encodings, which only differ in transfer), a short public
//! cache lifetime and an open CORS answer (the file is public).

use std::io::Write;

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use flate2::{write::GzEncoder, Compression};
use sha2::{Digest, Sha256};

/// How long browsers and proxies may reuse a served file before asking again (with its
/// ETag, so an unchanged file costs a 304).
const CACHE_CONTROL: &str = "public, max-age=300";

/// One embedded file, ready to serve.
pub struct Asset {
    content_type: HeaderValue,
    plain: Bytes,
    gzip: Bytes,
    etag: HeaderValue,
}

impl Asset {
    /// Prepares `body` (compressed and hashed here, once).
    pub fn new(content_type: &'static str, body: &'static [u8]) -> Asset {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder
            .write_all(body)
            .and_then(|()| encoder.finish())
            .map(|gzip| Asset {
                content_type: HeaderValue::from_static(content_type),
                plain: Bytes::from_static(body),
                gzip: Bytes::from(gzip),
                etag: etag(body),
            })
            .expect("gzip into memory cannot fail")
    }

    /// The size of the gzipped file, in bytes.
    #[cfg(test)]
    pub fn gzipped_len(&self) -> usize {
        self.gzip.len()
    }

    /// The answer to a GET of this file with the request's `headers`.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let common = [
            (header::ETAG, self.etag.clone()),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
            (header::VARY, HeaderValue::from_static("Accept-Encoding")),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ];
        if self.matches(headers) {
            return (StatusCode::NOT_MODIFIED, common).into_response();
        }
        let content_type = [(header::CONTENT_TYPE, self.content_type.clone())];
        if accepts_gzip(headers) {
            let encoding = [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))];
            (common, content_type, encoding, self.gzip.clone()).into_response()
        } else {
            (common, content_type, self.plain.clone()).into_response()
        }
    }

    /// Whether `If-None-Match` names this file's ETag (or `*`).
    fn matches(&self, headers: &HeaderMap) -> bool {
        let Some(wanted) = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let ours = self.etag.to_str().unwrap_or_default();
        let bare = ours.trim_start_matches("W/");
        wanted
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == bare)
    }
}

/// `W/"<first 16 hex digits of the SHA-256 of body>"`.
fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = format!("W/\"{}\"", hex::encode(&digest[..8]));
    HeaderValue::from_str(&tag).expect("hex digits are a valid header value")
}

/// Whether `Accept-Encoding` takes gzip (listed, and not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| matches!(p, "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("a header value"));
        headers
    }

    #[test]
    fn gzip_is_taken_when_listed_and_not_refused() {
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "gzip, deflate, br"
        )));
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "br;q=1.0, GZIP;q=0.5"
        )));
        assert!(!accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "gzip;q=0, br"
        )));
        assert!(!accepts_gzip(&with(header::ACCEPT_ENCODING, "identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_etag_is_matched_weak_or_strong_and_by_star() {
        let asset = Asset::new("text/plain", b"hello");
        let tag = asset.etag.to_str().expect("ascii").to_owned();
        assert!(asset.matches(&with(header::IF_NONE_MATCH, &tag)));
        let strong = tag.trim_start_matches("W/");
        assert!(asset.matches(&with(header::IF_NONE_MATCH, strong)));
        assert!(asset.matches(&with(header::IF_NONE_MATCH, "\"other\", *")));
        assert!(!asset.matches(&with(header::IF_NONE_MATCH, "\"other\"")));
    }
}
