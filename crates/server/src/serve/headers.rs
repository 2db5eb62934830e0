//! Response headers that keep the page to itself, on every answer of `stagecraft serve`.
//!
//! - `Content-Security-Policy`: scripts only from this origin (plus `'wasm-unsafe-eval'` for the
//!   WebAssembly module and the SHA-256 of each inline `<script>` that the served `index.html`
//!   holds, such as Trunk's loader), nothing from elsewhere, and `frame-ancestors 'none'` unless
//!   `--frame-ancestors` names the origins that may frame the editor (a portal using `?embed=1`).
//! - `X-Frame-Options: DENY` when no origin may frame it (for browsers without `frame-ancestors`).
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
//!   `Cross-Origin-Resource-Policy: same-origin` (except the embed helper, `cross-origin`).
//!
//! No `Access-Control-Allow-*` header is sent (other origins cannot read any answer), except on the
//! embed helper (`/_stagecraft/embed.js`), a static file meant for portal pages.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers policy of one server process.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `frame-ancestors` sources; empty: `'none'`.
    frame_ancestors: Vec<String>,
    /// The policy without inline script hashes.
    default_csp: HeaderValue,
}

impl Policy {
    /// A policy allowing `frame_ancestors` (each `'self'` or `scheme://host[:port]`, `*.` allowed
    /// at the start of the host) to frame the app.
    ///
    /// # Errors
    /// An origin that is not of that form.
    pub fn new(frame_ancestors: &[String]) -> Result<Self, String> {
        let mut sources = Vec::new();
        for origin in frame_ancestors {
            let origin = origin.trim().trim_end_matches('/');
            check_origin(origin)?;
            sources.push(origin.to_owned());
        }
        let mut policy = Self {
            frame_ancestors: sources,
            default_csp: HeaderValue::from_static("default-src 'none'"),
        };
        policy.default_csp = policy.csp(&[]);
        Ok(policy)
    }

    /// The `Content-Security-Policy` for a page whose inline scripts have `script_hashes`
    /// (`sha256-…` values, see [`inline_script_hashes`]).
    #[must_use]
    pub fn csp(&self, script_hashes: &[String]) -> HeaderValue {
        let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
        for hash in script_hashes {
            scripts.push_str(&format!(" '{hash}'"));
        }
        let ancestors = if self.frame_ancestors.is_empty() {
            "'none'".to_owned()
        } else {
            self.frame_ancestors.join(" ")
        };
        // Inline `style` attributes are allowed: the editor sets some (a grid column span).
        let csp = format!(
            "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors {ancestors}"
        );
        HeaderValue::from_str(&csp).unwrap_or_else(|_| self.default_csp.clone())
    }

    /// Adds the headers of the module doc to `headers`, keeping a `Content-Security-Policy`
    /// already there (the page's, with its script hashes).
    pub fn apply(&self, headers: &mut HeaderMap) {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, self.default_csp.clone());
        }
        if self.frame_ancestors.is_empty() {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        // Kept when a route set its own (the embed helper may be loaded cross-origin).
        headers
            .entry("cross-origin-resource-policy")
            .or_insert(HeaderValue::from_static("same-origin"));
    }
}

/// `'self'`, or `http(s)://host[:port]` with an optional leading `*.` in the host.
fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "'self'" {
        return Ok(());
    }
    let bad = || {
        format!(
            "--frame-ancestors: `{origin}` is not an origin (expected 'self' or scheme://host[:port], e.g. https://portal.example.com)"
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.strip_prefix("*.").unwrap_or(rest);
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (name, Some(port))
        }
        _ => (host, None),
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The CSP source (`sha256-` + base64) of each inline `<script>` in `html`, as a browser hashes it
/// (line breaks normalised to `\n`). Scripts with a `src` are not inline.
#[must_use]
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(open) = lower[from..].find("<script").map(|i| i + from) {
        let Some(tag_end) = lower[open..].find('>').map(|i| i + open) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[open..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr.starts_with("src="));
        if !has_src {
            let body = html[tag_end + 1..close]
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        from = close;
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_refuses_framing() {
        let policy = Policy::new(&[]).unwrap();
        let mut headers = HeaderMap::new();
        policy.apply(&mut headers);
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    }

    #[test]
    fn named_ancestors_replace_deny() {
        let policy = Policy::new(&[
            "https://portal.example.com/".into(),
            "http://127.0.0.1:9000".into(),
            "https://*.corp.example".into(),
            "'self'".into(),
        ])
        .unwrap();
        let mut headers = HeaderMap::new();
        policy.apply(&mut headers);
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.ends_with(
                "frame-ancestors https://portal.example.com http://127.0.0.1:9000 https://*.corp.example 'self'"
            ),
            "{csp}"
        );
        assert!(headers.get(header::X_FRAME_OPTIONS).is_none());
    }

    #[test]
    fn origins_cannot_inject_directives() {
        for bad in [
            "portal.example.com",
            "https://a.example; script-src *",
            "https://a.example b.example",
            "*",
            "https://",
            "https://a.example:99999",
            "javascript:alert(1)",
            "'unsafe-inline'",
            "https://a.example,https://b.example",
        ] {
            assert!(Policy::new(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">alert(1)</script>\
                    <script src=\"/app.js\"></script><SCRIPT>a\r\nb</SCRIPT></head>";
        let hashes = inline_script_hashes(html);
        // sha256("alert(1)") and sha256("a\nb"), base64.
        assert_eq!(
            hashes,
            [
                "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=",
                "sha256-fhj3NzEbLcOy8mndeDlrA1HxT7Zu+oefdoyyMYGIPHg=",
            ]
        );
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
    }
}
