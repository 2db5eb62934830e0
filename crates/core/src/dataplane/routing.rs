//! Matching a request to a deployed resource and method, as API Gateway does (docs/aws-behaviour.md §8.1).
//!
//! - A literal path part beats a `{param}` sibling, which beats a `{proxy+}` sibling; the search is
//!   method-aware and backtracks (`GET /part1/y` with `GET /part1`, `GET /part1/x` and `GET /{p+}`
//!   reaches `{p+}`).
//! - `ANY` serves DELETE, GET, HEAD, OPTIONS, PATCH, POST and PUT. *stagecraft*: a resource's exact verb
//!   wins over its `ANY` (not recorded).
//! - Empty segments are skipped (`/stage//hardcoded` reaches `/hardcoded`); `{proxy+}` takes one or more
//!   segments, never the root, and its value has no trailing `/`.

use std::collections::HashMap;

/// The verbs `ANY` stands for.
pub const ANY_VERBS: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

#[derive(Debug, Default)]
struct Node {
    literal: HashMap<String, usize>,
    param: Option<(String, usize)>,
    greedy: Option<(String, usize)>,
    /// The resource index and its verbs, when a resource ends here.
    resource: Option<(usize, Vec<String>)>,
}

/// A deployment's resource tree, built once and matched per request.
#[derive(Debug)]
pub struct RouteTable {
    nodes: Vec<Node>,
}

/// A matched method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch<'t> {
    /// Index of the resource in the order given to [`RouteTable::new`].
    pub resource: usize,
    /// The method's verb as defined (`GET`, or `ANY`).
    pub method: &'t str,
    /// Path parameters by name (`petId` → `7`, `proxy` → `a/b`).
    pub path_parameters: Vec<(String, String)>,
}

fn variable(part: &str) -> Option<(&str, bool)> {
    let inner = part.strip_prefix('{')?.strip_suffix('}')?;
    Some(match inner.strip_suffix('+') {
        Some(name) => (name, true),
        None => (inner, false),
    })
}

impl RouteTable {
    /// Builds the tree from `(resource path, verbs)` pairs (`"/pets/{petId}"`, `["GET", "ANY"]`).
    pub fn new<'a, I, V>(resources: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, V)>,
        V: IntoIterator<Item = &'a str>,
    {
        let mut table = Self {
            nodes: vec![Node::default()],
        };
        for (index, (path, verbs)) in resources.into_iter().enumerate() {
            let mut at = 0;
            for part in path.split('/').filter(|p| !p.is_empty()) {
                at = table.child(at, part);
            }
            table.nodes[at].resource =
                Some((index, verbs.into_iter().map(str::to_owned).collect()));
        }
        table
    }

    fn child(&mut self, at: usize, part: &str) -> usize {
        let next = self.nodes.len();
        let node = &mut self.nodes[at];
        let slot = match variable(part) {
            Some((name, true)) => node.greedy.get_or_insert_with(|| (name.to_owned(), next)).1,
            Some((name, false)) => node.param.get_or_insert_with(|| (name.to_owned(), next)).1,
            None => *node.literal.entry(part.to_owned()).or_insert(next),
        };
        if slot == next {
            self.nodes.push(Node::default());
        }
        slot
    }

    fn method(&self, at: usize, verb: &str) -> Option<(usize, &str)> {
        let (index, verbs) = self.nodes[at].resource.as_ref()?;
        let defined = |wanted: &str| verbs.iter().find(|v| *v == wanted).map(String::as_str);
        if let Some(v) = defined(verb) {
            return Some((*index, v));
        }
        if ANY_VERBS.contains(&verb) {
            return defined("ANY").map(|v| (*index, v));
        }
        None
    }

    fn walk(
        &self,
        at: usize,
        segments: &[&str],
        verb: &str,
        params: &mut Vec<(String, String)>,
    ) -> Option<(usize, &str)> {
        let Some((first, rest)) = segments.split_first() else {
            return self.method(at, verb);
        };
        let node = &self.nodes[at];
        if let Some(&next) = node.literal.get(*first)
            && let Some(found) = self.walk(next, rest, verb, params)
        {
            return Some(found);
        }
        if let Some((name, next)) = &node.param {
            params.push((name.clone(), (*first).to_owned()));
            if let Some(found) = self.walk(*next, rest, verb, params) {
                return Some(found);
            }
            params.pop();
        }
        let (name, next) = node.greedy.as_ref()?;
        let found = self.method(*next, verb)?;
        params.push((name.clone(), segments.join("/")));
        Some(found)
    }

    /// The method serving `verb` on `path` (the path below the stage: `/pets/7`), if any.
    #[must_use]
    pub fn find(&self, verb: &str, path: &str) -> Option<RouteMatch<'_>> {
        let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let mut params = Vec::new();
        let (resource, method) = self.walk(0, &segments, verb, &mut params)?;
        Some(RouteMatch {
            resource,
            method,
            path_parameters: params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(defs: &[(&'static str, &[&'static str])]) -> RouteTable {
        RouteTable::new(defs.iter().map(|(p, v)| (*p, v.iter().copied())))
    }

    type Hit = (usize, String, Vec<(String, String)>);

    fn hit(t: &RouteTable, verb: &str, path: &str) -> Option<Hit> {
        t.find(verb, path)
            .map(|m| (m.resource, m.method.to_owned(), m.path_parameters))
    }

    #[test]
    fn literal_before_param_before_proxy() {
        let t = table(&[
            ("/", &["GET"]),
            ("/pets", &["GET"]),
            ("/pets/mine", &["GET"]),
            ("/pets/{petId}", &["GET"]),
            ("/{proxy+}", &["ANY"]),
        ]);
        assert_eq!(hit(&t, "GET", "/").map(|h| h.0), Some(0));
        assert_eq!(hit(&t, "GET", "/pets/mine").map(|h| h.0), Some(2));
        assert_eq!(
            hit(&t, "GET", "/pets/7"),
            Some((3, "GET".into(), vec![("petId".into(), "7".into())]))
        );
        assert_eq!(
            hit(&t, "POST", "/pets/7/toys/"),
            Some((
                4,
                "ANY".into(),
                vec![("proxy".into(), "pets/7/toys".into())]
            ))
        );
        assert_eq!(
            hit(&t, "POST", "/").map(|h| h.0),
            None,
            "{{proxy+}} does not serve the root"
        );
    }

    #[test]
    fn method_aware_backtracking() {
        let t = table(&[("/test", &["POST"]), ("/{proxy+}", &["OPTIONS"])]);
        assert_eq!(hit(&t, "OPTIONS", "/test").map(|h| h.0), Some(1));
        let t = table(&[
            ("/part1", &["GET"]),
            ("/part1/x", &["GET"]),
            ("/{param+}", &["GET"]),
        ]);
        assert_eq!(hit(&t, "GET", "/part1/y").map(|h| h.0), Some(2));
        assert_eq!(hit(&t, "GET", "//part1").map(|h| h.0), Some(0));
    }

    #[test]
    fn exact_verb_beats_any_and_unknown_verbs_miss() {
        let t = table(&[("/a", &["ANY", "GET"])]);
        assert_eq!(hit(&t, "GET", "/a").map(|h| h.1), Some("GET".into()));
        assert_eq!(hit(&t, "PUT", "/a").map(|h| h.1), Some("ANY".into()));
        assert_eq!(hit(&t, "TRACE", "/a"), None);
        assert_eq!(hit(&t, "GET", "/b"), None);
    }
}
