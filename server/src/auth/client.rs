//! Which client a request comes from, for per-client limits (logins in progress). The peer
//! address of the connection, not `X-Forwarded-For`: any client can write that header, so a
//! limit keyed on it would be dodged by sending a new value each time. Only when the peer is a
//! proxy named in `trusted_proxies` (the Ingress controller) is the address it appended to
//! `X-Forwarded-For` believed: the rightmost entry, and only that one. Entries further left
//! were written by someone else (the client itself, or a proxy nobody vouches for); walking
//! left past "trusted" entries would let a client inside a trusted range name any key.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address (`192.0.2.7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let base: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or CIDR range"))?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0..={max}"))?,
        };
        Ok(IpRange { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, canonical(ip)) {
            (IpAddr::V4(b), IpAddr::V4(ip)) => prefix_eq(&b.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(b), IpAddr::V6(ip)) => prefix_eq(&b.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[whole] & mask) == (b[whole] & mask)
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4 client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key a per-client limit counts under: the IPv4 address, or the /64 of an IPv6 one (one
/// host usually holds a whole /64, so counting single IPv6 addresses would limit nothing).
/// `unknown` when the connection's address is not known (requests driven in-process).
pub fn client_key(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpRange]) -> String {
    let Some(peer) = peer.map(canonical) else {
        return "unknown".to_string();
    };
    let mut client = peer;
    if trusted.iter().any(|r| r.contains(peer)) {
        // The last value of the last header: what the trusted proxy appended. Unreadable: the
        // proxy itself counts.
        let appended = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|e| e.trim().parse::<IpAddr>().ok());
        if let Some(ip) = appended {
            client = canonical(ip);
        }
    }
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = IpRange::parse("10.1.0.0/16").unwrap();
        assert!(r.contains("10.1.200.3".parse().unwrap()));
        assert!(!r.contains("10.2.0.1".parse().unwrap()));
        assert!(r.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(IpRange::parse("192.0.2.7")
            .unwrap()
            .contains("192.0.2.7".parse().unwrap()));
        assert!(IpRange::parse("fd00::/8")
            .unwrap()
            .contains("fd12::1".parse().unwrap()));
        assert!(IpRange::parse("10.0.0.0/33").is_err());
        assert!(IpRange::parse("ingress").is_err());
    }

    #[test]
    fn the_peer_counts_unless_it_is_a_trusted_proxy() {
        let trusted = [IpRange::parse("10.0.0.0/8").unwrap()];
        // A direct client cannot choose its key with a header.
        assert_eq!(
            client_key(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &trusted),
            "203.0.113.9"
        );
        assert_eq!(
            client_key(ip("203.0.113.9"), &headers(&[]), &[]),
            "203.0.113.9"
        );
        // Through the trusted Ingress: the address it appended, the rightmost.
        assert_eq!(
            client_key(
                ip("10.0.0.5"),
                &headers(&["1.2.3.4, 198.51.100.7"]),
                &trusted
            ),
            "198.51.100.7"
        );
        // A client inside a trusted range cannot push its own entry to the front.
        assert_eq!(
            client_key(
                ip("10.0.0.5"),
                &headers(&["198.51.100.7", "10.0.0.9"]),
                &trusted
            ),
            "10.0.0.9"
        );
        // The Ingress's own requests, or no header: the Ingress.
        assert_eq!(
            client_key(ip("10.0.0.5"), &headers(&[]), &trusted),
            "10.0.0.5"
        );
        assert_eq!(
            client_key(ip("10.0.0.5"), &headers(&["junk"]), &trusted),
            "10.0.0.5"
        );
        // IPv6 clients count per /64.
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1"), &headers(&[]), &[]),
            "2001:db8:1:2::/64"
        );
        assert_eq!(client_key(None, &headers(&[]), &trusted), "unknown");
    }
}
