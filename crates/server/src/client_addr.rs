//! The client's address. Behind a reverse proxy the TCP peer is the proxy; only when it is
//! one of `server.trusted_proxies` are `Forwarded` (RFC 7239, preferred) or
//! `X-Forwarded-For` read, right to left, skipping trusted proxies: the first address that
//! is not a trusted proxy is the client (a client can prepend anything to those headers,
//! but not what the proxies appended after it). The same trust decides whether the
//! request came over https and which host it was sent to ([`forwarded_https`],
//! [`forwarded_host`]), which the dashboard's cookie and CSRF rule need.

use std::net::{IpAddr, SocketAddr};

use axum::http::{header::FORWARDED, HeaderMap};
use ipnet::IpNet;

use crate::state::AppState;

const X_FORWARDED_FOR: &str = "x-forwarded-for";
const X_FORWARDED_PROTO: &str = "x-forwarded-proto";
const X_FORWARDED_HOST: &str = "x-forwarded-host";

/// The keyed hash of the request's client address (blob20).
pub fn client_ip_hash(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    let ip = client_ip(&state.config.server.trusted_proxies, peer.ip(), headers);
    state.privacy.hashes.ip(ip)
}

/// The client address of a request from `peer`.
pub fn client_ip(trusted: &[IpNet], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An unreadable hop ends the chain: whoever wrote it is not a trusted proxy.
        let Some(ip) = hop else { break };
        client = *ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// True when a trusted proxy says the client's request came over https (`Forwarded:
/// proto=https` or `X-Forwarded-Proto: https`). clickwire itself serves plain HTTP.
pub fn forwarded_https(trusted: &[IpNet], peer: IpAddr, headers: &HeaderMap) -> bool {
    forwarded_value(trusted, peer, headers, "proto", X_FORWARDED_PROTO)
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The host the client sent its request to, as a trusted proxy forwards it (`Forwarded:
/// host=` or `X-Forwarded-Host`); `None` from anyone else.
pub fn forwarded_host(trusted: &[IpNet], peer: IpAddr, headers: &HeaderMap) -> Option<String> {
    forwarded_value(trusted, peer, headers, "host", X_FORWARDED_HOST)
}

/// The first `name=` of `Forwarded`, else the first item of header `fallback`, when the
/// peer is a trusted proxy (the first hop is the client's own request).
fn forwarded_value(
    trusted: &[IpNet],
    peer: IpAddr,
    headers: &HeaderMap,
    name: &str,
    fallback: &str,
) -> Option<String> {
    let peer = peer.to_canonical();
    if !trusted.iter().any(|net| net.contains(&peer)) {
        return None;
    }
    let forwarded = header_items(headers, FORWARDED.as_str()).find_map(|item| {
        item.split(';').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    });
    forwarded
        .or_else(|| header_items(headers, fallback).next())
        .filter(|value| !value.is_empty())
}

/// The forwarding chain, oldest first (`None` for entries that are not an address).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<_> = header_items(headers, FORWARDED.as_str())
        .flat_map(|item| item.split(';').map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("for")
                .then(|| parse_node(value))
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    header_items(headers, X_FORWARDED_FOR)
        .map(|item| parse_node(&item))
        .collect()
}

/// Every comma-separated item of every value of header `name`, in order.
fn header_items<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = String> + 'a {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| item.trim().to_owned())
        .collect::<Vec<_>>()
        .into_iter()
}

/// `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:443"`, `2001:db8::1`; `None` for `unknown`,
/// obfuscated names and anything else.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    let bracketed = text.strip_prefix('[')?.split(']').next()?;
    bracketed.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("cidr")).collect()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_ip(&[], PEER, &h), PEER);
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.0.0.2")]);
        let ip = client_ip(&nets(&["10.0.0.0/8"]), PEER, &h);
        assert_eq!(ip, "203.0.113.9".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn forwarded_is_preferred_and_may_carry_ports_and_brackets() {
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.7;proto=https, for=\"[2001:db8::1]:4711\"",
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        let ip = client_ip(&nets(&["10.0.0.0/8"]), PEER, &h);
        assert_eq!(ip, "2001:db8::1".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn an_unreadable_hop_stops_at_the_last_trusted_one() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, garbage")]);
        assert_eq!(client_ip(&nets(&["10.0.0.0/8"]), PEER, &h), PEER);
    }

    #[test]
    fn only_a_trusted_proxy_says_https_and_the_host() {
        let h = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "dash.example.com"),
        ]);
        assert!(!forwarded_https(&[], PEER, &h));
        assert_eq!(forwarded_host(&[], PEER, &h), None);
        let trusted = nets(&["10.0.0.0/8"]);
        assert!(forwarded_https(&trusted, PEER, &h));
        assert_eq!(
            forwarded_host(&trusted, PEER, &h).as_deref(),
            Some("dash.example.com")
        );
        let rfc = headers(&[("forwarded", "for=1.2.3.4;proto=https;host=\"a.example\"")]);
        assert!(forwarded_https(&trusted, PEER, &rfc));
        assert_eq!(
            forwarded_host(&trusted, PEER, &rfc).as_deref(),
            Some("a.example")
        );
    }

    #[test]
    fn without_forwarding_headers_a_trusted_peer_is_the_client() {
        assert_eq!(
            client_ip(&nets(&["10.0.0.0/8"]), PEER, &HeaderMap::new()),
            PEER
        );
    }
}
