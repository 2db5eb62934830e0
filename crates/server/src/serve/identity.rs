//! Who is calling: the user a portal's authenticating proxy names in `--trusted-identity-header`
//! (and groups in `--trusted-groups-header`), believed only when the TCP peer is one of
//! `--trusted-proxy`.
//!
//! - From a trusted proxy: the header is required (a missing or empty one is a 401, so a proxy that
//!   forgot to authenticate does not turn into an anonymous user); the bearer token is not asked for.
//! - From any other peer: the identity headers are ignored (never believed), the caller is anonymous and
//!   the other rules apply (`--token` in remote mode). A remote server without `--token` accepts
//!   only its trusted proxies.
//! - Without `--trusted-identity-header`: the local user (loopback) or the token holder (remote).

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName, StatusCode};
use serde::Serialize;

use super::error::ServeError;

/// How the caller was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// `--trusted-identity-header` from a `--trusted-proxy`.
    Header,
    /// The `--allow-remote` bearer token (one shared identity).
    Token,
    /// A loopback server's local user.
    Local,
    /// Nobody in particular (an identity header from an untrusted peer was ignored).
    Anonymous,
}

impl Source {
    /// The name in JSON (`header`, `token`, `local`, `anonymous`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Token => "token",
            Self::Local => "local",
            Self::Anonymous => "anonymous",
        }
    }
}

/// The caller of one request, left in the request's extensions by the guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The user name, when a trusted proxy gave one.
    pub user: Option<String>,
    /// Groups from `--trusted-groups-header` (the rules file may add more).
    pub groups: Vec<String>,
    /// How it was established.
    pub source: Source,
}

impl Identity {
    /// The name shown in errors and the audit log.
    #[must_use]
    pub fn display(&self) -> String {
        match (&self.user, self.source) {
            (Some(user), _) => user.clone(),
            (None, Source::Token) => "token holder".into(),
            (None, Source::Local) => "local user".into(),
            (None, _) => "anonymous".into(),
        }
    }
}

/// A `--trusted-proxy` entry: an address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    addr: IpAddr,
    prefix: u8,
}

impl Block {
    /// Parses `10.0.0.5`, `10.0.0.0/8` or `::1`.
    ///
    /// # Errors
    /// Not an address or a prefix too long for it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
        let addr: IpAddr = addr.trim().parse().map_err(|_| {
            format!("`{text}` is not an IP address or CIDR block (e.g. 10.0.0.5 or 10.0.0.0/8)")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to {max}"))?
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` is in the block (an IPv4-mapped IPv6 peer counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (a, b, bits) = match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (
                u128::from(u32::from(a)) << 96,
                u128::from(u32::from(b)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), self.prefix),
            _ => return false,
        };
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(bits))
        };
        a & mask == b & mask
    }
}

/// Where identities come from, fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    header: Option<HeaderName>,
    groups_header: Option<HeaderName>,
    proxies: Vec<Block>,
    /// Remote mode with a token: untrusted callers are the token holder.
    token: bool,
    /// Remote mode without a token: untrusted callers are refused.
    proxies_only: bool,
}

const MAX_NAME: usize = 256;

impl Trust {
    /// The rules of `stagecraft serve`'s flags.
    ///
    /// # Errors
    /// A header name that is not one, or proxies without a header.
    pub fn new(
        header: Option<&str>,
        groups_header: Option<&str>,
        proxies: &[String],
        remote: bool,
        token: bool,
    ) -> Result<Self, String> {
        let name = |flag: &str, text: &str| {
            HeaderName::try_from(text)
                .map_err(|_| format!("{flag}: `{text}` is not a valid HTTP header name"))
        };
        let header = header
            .map(|h| name("--trusted-identity-header", h))
            .transpose()?;
        let groups_header = groups_header
            .map(|h| name("--trusted-groups-header", h))
            .transpose()?;
        if header.is_some() == proxies.is_empty() {
            return Err("--trusted-identity-header and --trusted-proxy go together: name the header and the proxies that may set it".into());
        }
        let proxies = proxies
            .iter()
            .map(|p| Block::parse(p).map_err(|e| format!("--trusted-proxy: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            header,
            groups_header,
            proxies,
            token: remote && token,
            proxies_only: remote && !token,
        })
    }

    /// The caller of a request from `peer` (`None`: unknown, never trusted).
    ///
    /// # Errors
    /// A trusted proxy sent no usable identity (401), or an untrusted peer reached a remote server
    /// that has no token (403).
    pub fn resolve(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Result<Identity, ServeError> {
        let trusted = peer.is_some_and(|p| self.proxies.iter().any(|b| b.contains(p.ip())));
        if let (Some(header), true) = (&self.header, trusted) {
            let user = single(headers, header)?.filter(|u| !u.is_empty());
            let Some(user) = user else {
                return Err(ServeError::new(
                    StatusCode::UNAUTHORIZED,
                    "UnauthorizedException",
                    format!(
                        "stagecraft serve: the trusted proxy sent no {header} header (is the user signed in?)"
                    ),
                ));
            };
            let groups = match &self.groups_header {
                Some(g) => single(headers, g)?
                    .map(|v| {
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            return Ok(Identity {
                user: Some(user),
                groups,
                source: Source::Header,
            });
        }
        if self.proxies_only {
            return Err(ServeError::forbidden(
                "stagecraft serve: this server accepts requests only through its trusted proxy (--trusted-proxy)",
            ));
        }
        let source = if self.token {
            Source::Token
        } else if self.header.is_some() {
            Source::Anonymous
        } else {
            Source::Local
        };
        Ok(Identity {
            user: None,
            groups: Vec::new(),
            source,
        })
    }
}

/// The one value of header `name`, as printable text of at most [`MAX_NAME`] bytes.
fn single(headers: &HeaderMap, name: &HeaderName) -> Result<Option<String>, ServeError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = |why: &str| {
        ServeError::new(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            format!("stagecraft serve: the {name} header {why}"),
        )
    };
    if values.next().is_some() {
        return Err(bad("appears more than once"));
    }
    let text = value
        .to_str()
        .ok()
        .filter(|t| t.len() <= MAX_NAME && !t.chars().any(char::is_control))
        .ok_or_else(|| {
            bad(&format!(
                "must be printable ASCII, at most {MAX_NAME} bytes"
            ))
        })?;
    Ok(Some(text.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::try_from(*k).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    fn portal(remote: bool, token: bool) -> Trust {
        Trust::new(
            Some("x-forwarded-user"),
            Some("x-forwarded-groups"),
            &["10.0.0.0/8".into(), "::1".into()],
            remote,
            token,
        )
        .unwrap()
    }

    #[test]
    fn blocks() {
        let b = Block::parse("10.1.0.0/16").unwrap();
        assert!(b.contains("10.1.200.3".parse().unwrap()));
        assert!(!b.contains("10.2.0.1".parse().unwrap()));
        assert!(b.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(
            Block::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Block::parse("::1")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(
            !Block::parse("::1")
                .unwrap()
                .contains("127.0.0.1".parse().unwrap())
        );
        assert!(Block::parse("10.0.0.0/33").is_err());
        assert!(Block::parse("portal.lan").is_err());
    }

    #[test]
    fn a_trusted_proxy_names_the_user_and_groups() {
        let t = portal(true, false);
        let h = headers(&[
            ("x-forwarded-user", "alice"),
            ("x-forwarded-groups", "platform, dev ,"),
        ]);
        let id = t.resolve(&h, peer("10.0.0.7")).unwrap();
        assert_eq!(id.user.as_deref(), Some("alice"));
        assert_eq!(id.groups, ["platform", "dev"]);
        assert_eq!(id.source, Source::Header);
        let missing = t.resolve(&HeaderMap::new(), peer("10.0.0.7")).unwrap_err();
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        let twice = headers(&[("x-forwarded-user", "a"), ("x-forwarded-user", "b")]);
        assert_eq!(
            t.resolve(&twice, peer("10.0.0.7")).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn an_untrusted_peer_is_not_believed() {
        let h = headers(&[("x-forwarded-user", "admin")]);
        let with_token = portal(true, true).resolve(&h, peer("192.168.1.5")).unwrap();
        assert_eq!(with_token.user, None);
        assert_eq!(with_token.source, Source::Token);
        let local = portal(false, false).resolve(&h, peer("127.0.0.1")).unwrap();
        assert_eq!((local.user, local.source), (None, Source::Anonymous));
        assert_eq!(portal(false, false).resolve(&h, None).unwrap().user, None);
        let refused = portal(true, false)
            .resolve(&h, peer("192.168.1.5"))
            .unwrap_err();
        assert_eq!(refused.code, "AccessDeniedException");
    }

    #[test]
    fn flags_go_together() {
        assert!(Trust::new(Some("x-user"), None, &[], false, false).is_err());
        assert!(Trust::new(None, None, &["10.0.0.1".into()], false, false).is_err());
        assert!(Trust::new(Some("bad header"), None, &["10.0.0.1".into()], false, false).is_err());
        let plain = Trust::new(None, None, &[], false, false).unwrap();
        let id = plain
            .resolve(&headers(&[("x-forwarded-user", "x")]), peer("127.0.0.1"))
            .unwrap();
        assert_eq!(id.source, Source::Local);
    }
}
