//! The app's URLs: a tiny history-API router (no `leptos_router`, to keep the download small).
//!
//! | path | page |
//! |---|---|
//! | `/` | pick a REST API |
//! | `/apis/{id}` | the API's stages (create, delete) |
//! | `/apis/{id}/stages/{name}` | the stage editor, method-settings tab |
//! | `/apis/{id}/stages/{name}/settings` | the stage editor, stage-settings tab |
//! | `/apis/{id}/stages/{name}/authorizers` | the stage editor, authorizers tab |
//!
//! `?embed=1` hides the chrome (for iframes) and is kept on every link.

/// A tab of the stage editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The method-settings matrix.
    Methods,
    /// Stage-level settings.
    Settings,
    /// Authorizers, test-invoke and cache flushes.
    Authorizers,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 3] = [Tab::Methods, Tab::Settings, Tab::Authorizers];

    /// The path segment after the stage name (`""` for the default tab).
    #[must_use]
    pub const fn segment(self) -> &'static str {
        match self {
            Self::Methods => "",
            Self::Settings => "settings",
            Self::Authorizers => "authorizers",
        }
    }

    /// The tab's title.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Methods => "Method settings",
            Self::Settings => "Stage settings",
            Self::Authorizers => "Authorizers & cache",
        }
    }
}

/// A page of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The list of REST APIs.
    Home,
    /// One API's stages.
    Api {
        /// REST API id.
        api: String,
    },
    /// The stage editor.
    Stage {
        /// REST API id.
        api: String,
        /// Stage name.
        stage: String,
        /// Which tab.
        tab: Tab,
    },
    /// Anything else.
    NotFound(String),
}

fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes one path segment (everything outside `A-Za-z0-9-_.~`).
#[must_use]
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Route {
    /// Parses a location path (without query string).
    #[must_use]
    pub fn parse(path: &str) -> Self {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        match s.as_slice() {
            [] => Self::Home,
            ["apis", api] => Self::Api {
                api: (*api).to_owned(),
            },
            ["apis", api, "stages", stage] => Self::Stage {
                api: (*api).to_owned(),
                stage: (*stage).to_owned(),
                tab: Tab::Methods,
            },
            ["apis", api, "stages", stage, tab] => {
                match Tab::ALL
                    .into_iter()
                    .find(|t| !t.segment().is_empty() && t.segment() == *tab)
                {
                    Some(tab) => Self::Stage {
                        api: (*api).to_owned(),
                        stage: (*stage).to_owned(),
                        tab,
                    },
                    None => Self::NotFound(path.to_owned()),
                }
            }
            _ => Self::NotFound(path.to_owned()),
        }
    }

    /// The path of this page (without query string).
    #[must_use]
    pub fn path(&self) -> String {
        match self {
            Self::Home => "/".to_owned(),
            Self::Api { api } => format!("/apis/{}", encode(api)),
            Self::Stage { api, stage, tab } => {
                let base = format!("/apis/{}/stages/{}", encode(api), encode(stage));
                if tab.segment().is_empty() {
                    base
                } else {
                    format!("{base}/{}", tab.segment())
                }
            }
            Self::NotFound(p) => p.clone(),
        }
    }

    /// The href of this page, keeping `?embed=1` when the app is embedded.
    #[must_use]
    pub fn href(&self, embed: bool) -> String {
        if embed {
            format!("{}?embed=1", self.path())
        } else {
            self.path()
        }
    }

    /// The stage this page edits, if any (`(api, stage)`; tabs of one stage share it).
    #[must_use]
    pub fn stage(&self) -> Option<(&str, &str)> {
        match self {
            Self::Stage { api, stage, .. } => Some((api, stage)),
            _ => None,
        }
    }

    /// The API id of this page, if any.
    #[must_use]
    pub fn api(&self) -> Option<&str> {
        match self {
            Self::Api { api } | Self::Stage { api, .. } => Some(api),
            _ => None,
        }
    }
}

/// Whether a query string (`?a=b&embed=1`) asks for the embedded mode.
#[must_use]
pub fn is_embed(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| matches!(kv, "embed=1" | "embed=true" | "embed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_every_page() {
        let cases = [
            ("/", Route::Home),
            ("/apis/a1b2", Route::Api { api: "a1b2".into() }),
            (
                "/apis/a1b2/stages/prod",
                Route::Stage {
                    api: "a1b2".into(),
                    stage: "prod".into(),
                    tab: Tab::Methods,
                },
            ),
            (
                "/apis/a1b2/stages/prod/settings",
                Route::Stage {
                    api: "a1b2".into(),
                    stage: "prod".into(),
                    tab: Tab::Settings,
                },
            ),
            (
                "/apis/a1b2/stages/prod/authorizers",
                Route::Stage {
                    api: "a1b2".into(),
                    stage: "prod".into(),
                    tab: Tab::Authorizers,
                },
            ),
        ];
        for (path, route) in cases {
            assert_eq!(Route::parse(path), route, "{path}");
            assert_eq!(route.path(), path);
        }
    }

    #[test]
    fn tolerates_trailing_slashes_and_rejects_unknown_pages() {
        assert_eq!(Route::parse("/apis/x/"), Route::Api { api: "x".into() });
        assert_eq!(
            Route::parse("/apis/x/stages/p/nope"),
            Route::NotFound("/apis/x/stages/p/nope".into())
        );
        assert_eq!(
            Route::parse("/elsewhere"),
            Route::NotFound("/elsewhere".into())
        );
    }

    #[test]
    fn encodes_segments() {
        let r = Route::Stage {
            api: "a b".into(),
            stage: "p%".into(),
            tab: Tab::Methods,
        };
        assert_eq!(r.path(), "/apis/a%20b/stages/p%25");
        assert_eq!(Route::parse(&r.path()), r);
    }

    #[test]
    fn embed_mode_is_kept_in_links() {
        assert!(is_embed("?embed=1"));
        assert!(is_embed("?x=2&embed=1"));
        assert!(!is_embed("?embedded=1"));
        assert_eq!(Route::Api { api: "x".into() }.href(true), "/apis/x?embed=1");
    }
}
