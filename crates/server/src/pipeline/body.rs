//! The body of a pipeline request: read (within `server.max_body_bytes`, as sent), then
//! decompressed when it says `Content-Encoding: gzip` or `deflate` (the SDKs gzip their
//! batches), never past the route's own limit — a small compressed body cannot expand
//! into a large one.

use std::io::Read;

use axum::{
    body::Body,
    http::{header, HeaderMap},
};
use bytes::Bytes;
use flate2::read::{GzDecoder, ZlibDecoder};

use crate::{body::read_body, error::ApiError, state::AppState};

/// The decoded body, at most `limit` bytes (else 413).
pub async fn read(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let raw = read_body(state, body).await?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let decoded = match encoding.as_deref() {
        None | Some("" | "identity") => raw,
        Some("gzip" | "x-gzip") => inflate(GzDecoder::new(&raw[..]), limit)?,
        Some("deflate") => inflate(ZlibDecoder::new(&raw[..]), limit)?,
        Some(other) => {
            return Err(ApiError::InvalidRequest(format!(
                "Content-Encoding `{other}` is not supported; send gzip, deflate or none"
            )))
        }
    };
    if decoded.len() > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(decoded)
}

/// Reads at most `limit + 1` decoded bytes (one more tells that the limit was passed).
fn inflate(decoder: impl Read, limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|err| {
            ApiError::InvalidRequest(format!("the compressed body is corrupt: {err}"))
        })?;
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{write::GzEncoder, Compression};

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).expect("write");
        encoder.finish().expect("finish")
    }

    #[test]
    fn gzip_is_decoded_up_to_one_byte_past_the_limit() {
        let packed = gzip(&[b'a'; 10_000]);
        let out = inflate(GzDecoder::new(&packed[..]), 100).expect("decoded");
        assert_eq!(out.len(), 101);
        let small = inflate(GzDecoder::new(&gzip(b"{}")[..]), 100).expect("decoded");
        assert_eq!(&small[..], b"{}");
    }

    #[test]
    fn corrupt_gzip_is_a_bad_request() {
        let refused = inflate(GzDecoder::new(&b"not gzip"[..]), 100);
        assert!(matches!(refused, Err(ApiError::InvalidRequest(_))));
    }
}
