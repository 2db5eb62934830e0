//! Rows of the method-settings matrix: `*/*`, one per resource/method of the API, then stored keys
//! that match no method (flagged), plus keyboard navigation over the grid.

use stagecraft_core::{
    ALL_METHODS_KEY, METHOD_SETTINGS, method_setting_key, parse_method_setting_key,
};

/// Settings whose columns are folded away unless all columns are shown, so that the common ones fit
/// a 1400 px window without scrolling sideways.
pub const FOLDED: [&str; 3] = [
    "dataTraceEnabled",
    "cacheDataEncrypted",
    "requireAuthorizationForCacheControl",
];

/// Whether the column of `METHOD_SETTINGS[col]` is one of the [`FOLDED`] ones.
#[must_use]
pub fn is_folded(col: usize) -> bool {
    METHOD_SETTINGS
        .get(col)
        .is_some_and(|s| FOLDED.contains(&s.field))
}

/// The columns (indexes into `METHOD_SETTINGS`) shown: all, or all but the [`FOLDED`] ones.
#[must_use]
pub fn columns(all: bool) -> Vec<usize> {
    (0..METHOD_SETTINGS.len())
        .filter(|c| all || !is_folded(*c))
        .collect()
}

/// The CSS grid columns of the matrix for the `shown` setting columns: the method, the settings (the
/// cache-control strategy wider, its labels are words), the override action; and the sum of their
/// minimum widths in px.
#[must_use]
pub fn grid_columns(shown: &[usize]) -> (String, u32) {
    let mut template = String::from("minmax(160px, 1.5fr)");
    let mut min = 160 + 132;
    for c in shown {
        let wide = METHOD_SETTINGS[*c].field == "unauthorizedCacheControlHeaderStrategy";
        let (px, fr) = if wide { (150, "1.6fr") } else { (78, "1fr") };
        template.push_str(&format!(" minmax({px}px, {fr})"));
        min += px;
    }
    template.push_str(" 132px");
    (template, min)
}

/// The height of one matrix row in px (`.mbody .mrow`'s `min-height` in style.css): rows outside
/// the drawn window are stood in for by this much padding each.
pub const ROW_PX: usize = 36;

/// [`ROW_PX`] as a float, for scroll geometry.
pub const ROW_H: f64 = ROW_PX as f64;

/// Rows drawn above and below the ones in view.
pub const OVERSCAN: usize = 8;

/// The rows to draw, `start..end`, of `len` rows when the first one in view is `first` and the view
/// is `view_h` px tall: the rows in view and [`OVERSCAN`] more on each side.
#[must_use]
pub fn window_for(first: usize, view_h: f64, len: usize) -> (usize, usize) {
    let in_view = (view_h.max(0.0) / ROW_H).ceil() as usize + 1;
    let end = first.saturating_add(in_view + OVERSCAN).min(len);
    (first.saturating_sub(OVERSCAN).min(end), end)
}

/// How far (in rows) from the window the focused row is still drawn by [`keep_drawn`]: a row
/// scrolled further away by the mouse wheel is let go.
pub const KEEP_FOCUSED: usize = 64;

/// `window` (rows `start..end`) widened to contain row `focused` when it lies within [`KEEP_FOCUSED`]
/// rows of it, so that a redraw never removes the cell that has the keyboard focus.
#[must_use]
pub fn keep_drawn(window: (usize, usize), focused: Option<usize>) -> (usize, usize) {
    let (start, end) = window;
    match focused {
        Some(f) if f < start && start - f <= KEEP_FOCUSED => (f, end),
        Some(f) if f >= end && f - end < KEEP_FOCUSED => (start, f + 1),
        _ => window,
    }
}

/// What a row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// `*/*`: the stage-wide defaults.
    AllMethods,
    /// A method of the API.
    Method,
    /// `*/GET` and the like: stored, applies to one verb everywhere.
    Wildcard,
    /// A stored key that matches no method of the API (or is not in canonical form).
    Orphan,
}

/// One matrix row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The method-settings key (`~1pets/GET`).
    pub key: String,
    /// HTTP method as shown (`GET`, `*`).
    pub method: String,
    /// Resource path as shown (`/pets`, `*`).
    pub path: String,
    /// What the row stands for.
    pub kind: RowKind,
}

/// A resource path and one of its HTTP methods, as GetResources lists them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MethodRef {
    /// `/pets/{petId}`.
    pub path: String,
    /// `GET`.
    pub method: String,
}

/// The rows for an API's methods and the keys stored on the stage. With `methods` unknown (`None`,
/// GetResources failed), stored keys are listed without the "no matching method" flag.
#[must_use]
pub fn build_rows(methods: Option<&[MethodRef]>, stored: &[String]) -> Vec<Row> {
    let known_methods = methods.is_some();
    let methods = methods.unwrap_or_default();
    let mut rows = vec![Row {
        key: ALL_METHODS_KEY.to_owned(),
        method: "*".into(),
        path: "*".into(),
        kind: RowKind::AllMethods,
    }];
    let mut sorted: Vec<&MethodRef> = methods.iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut known = Vec::with_capacity(sorted.len());
    for m in sorted {
        let key = method_setting_key(&m.path, &m.method);
        known.push(key.clone());
        rows.push(Row {
            key,
            method: m.method.to_ascii_uppercase(),
            path: m.path.clone(),
            kind: RowKind::Method,
        });
    }
    known.sort_unstable();
    for key in stored {
        if key == ALL_METHODS_KEY || known.binary_search(key).is_ok() {
            continue;
        }
        let (method, path, kind) = match parse_method_setting_key(key) {
            Some(k) if k.resource_path == "*" => {
                (k.http_method, k.resource_path, RowKind::Wildcard)
            }
            Some(k) if known_methods => (k.http_method, k.resource_path, RowKind::Orphan),
            Some(k) => (k.http_method, k.resource_path, RowKind::Method),
            None => (String::new(), key.clone(), RowKind::Orphan),
        };
        rows.push(Row {
            key: key.clone(),
            method,
            path,
            kind,
        });
    }
    rows
}

/// A key press in the grid, reduced to what navigation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// ↑
    Up,
    /// ↓
    Down,
    /// ←
    Left,
    /// →
    Right,
    /// Home: first column.
    Home,
    /// End: last column.
    End,
    /// Ctrl+Home: first cell.
    First,
    /// Ctrl+End: last cell.
    Last,
    /// PageUp: ten rows up.
    PageUp,
    /// PageDown: ten rows down.
    PageDown,
}

impl Nav {
    /// Maps a `KeyboardEvent.key` (and whether Ctrl/Meta is held).
    #[must_use]
    pub fn from_key(key: &str, ctrl: bool) -> Option<Self> {
        Some(match key {
            "ArrowUp" => Self::Up,
            "ArrowDown" => Self::Down,
            "ArrowLeft" => Self::Left,
            "ArrowRight" => Self::Right,
            "Home" if ctrl => Self::First,
            "End" if ctrl => Self::Last,
            "Home" => Self::Home,
            "End" => Self::End,
            "PageUp" => Self::PageUp,
            "PageDown" => Self::PageDown,
            _ => return None,
        })
    }

    /// The column reached from setting column `col` when only the `shown` columns are visible (the
    /// row is unchanged; use [`Self::apply`] for it).
    #[must_use]
    pub fn column(self, col: usize, shown: &[usize]) -> usize {
        let at = shown.iter().position(|c| *c >= col).unwrap_or(0);
        let (_, to) = self.apply((0, at), 1, shown.len());
        shown.get(to).copied().unwrap_or(col)
    }

    /// The cell reached from `(row, col)` in a `rows × cols` grid (clamped).
    #[must_use]
    pub fn apply(self, (row, col): (usize, usize), rows: usize, cols: usize) -> (usize, usize) {
        let (last_r, last_c) = (rows.saturating_sub(1), cols.saturating_sub(1));
        let (r, c) = match self {
            Self::Up => (row.saturating_sub(1), col),
            Self::Down => (row + 1, col),
            Self::Left => (row, col.saturating_sub(1)),
            Self::Right => (row, col + 1),
            Self::Home => (row, 0),
            Self::End => (row, last_c),
            Self::First => (0, 0),
            Self::Last => (last_r, last_c),
            Self::PageUp => (row.saturating_sub(10), col),
            Self::PageDown => (row + 10, col),
        };
        (r.min(last_r), c.min(last_c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(path: &str, method: &str) -> MethodRef {
        MethodRef {
            path: path.into(),
            method: method.into(),
        }
    }

    #[test]
    fn rows_are_all_methods_then_methods_then_strays() {
        let methods = [
            m("/pets", "POST"),
            m("/pets", "GET"),
            m("/", "GET"),
            m("/pets", "GET"),
        ];
        let stored = ["*/*", "~1pets/GET", "~1gone/DELETE", "*/GET", "test/GET"].map(String::from);
        let rows = build_rows(Some(&methods), &stored);
        let got: Vec<(&str, &str, &str, RowKind)> = rows
            .iter()
            .map(|r| (r.key.as_str(), r.method.as_str(), r.path.as_str(), r.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("*/*", "*", "*", RowKind::AllMethods),
                ("~1/GET", "GET", "/", RowKind::Method),
                ("~1pets/GET", "GET", "/pets", RowKind::Method),
                ("~1pets/POST", "POST", "/pets", RowKind::Method),
                ("~1gone/DELETE", "DELETE", "/gone", RowKind::Orphan),
                ("*/GET", "GET", "*", RowKind::Wildcard),
                ("test/GET", "GET", "/test", RowKind::Orphan),
            ]
        );
    }

    #[test]
    fn unknown_methods_flag_nothing() {
        let rows = build_rows(None, &["~1gone/GET".to_owned()]);
        assert_eq!(rows[1].kind, RowKind::Method);
    }

    #[test]
    fn folded_columns_are_skipped() {
        let common = columns(false);
        assert_eq!(common.len(), METHOD_SETTINGS.len() - FOLDED.len());
        assert_eq!(columns(true).len(), METHOD_SETTINGS.len());
        let trace = METHOD_SETTINGS
            .iter()
            .position(|s| s.field == "dataTraceEnabled")
            .unwrap();
        assert!(!common.contains(&trace));
        // → from the column before a folded one lands on the one after it.
        assert_eq!(Nav::Right.column(trace - 1, &common), trace + 1);
        assert_eq!(Nav::Left.column(trace + 1, &common), trace - 1);
        assert_eq!(Nav::End.column(0, &common), *common.last().unwrap());
        let (template, min) = grid_columns(&common);
        assert_eq!(template.matches("minmax").count(), common.len() + 1);
        assert!(min < 1000, "{min}");
    }

    #[test]
    fn the_window_covers_the_view_and_some_more() {
        // 10 rows in a 360 px view (+1 for a row cut in half), 8 more on each side.
        assert_eq!(window_for(0, 360.0, 1000), (0, 19));
        assert_eq!(window_for(100, 360.0, 1000), (92, 119));
        assert_eq!(window_for(995, 360.0, 1000), (987, 1000));
        assert_eq!(window_for(2000, 360.0, 1000), (1000, 1000));
        assert_eq!(window_for(0, 360.0, 3), (0, 3));
        assert_eq!(window_for(0, -5.0, 0), (0, 0));
    }

    #[test]
    fn the_focused_row_stays_drawn_unless_far_away() {
        assert_eq!(keep_drawn((92, 119), None), (92, 119));
        assert_eq!(keep_drawn((92, 119), Some(100)), (92, 119));
        assert_eq!(keep_drawn((92, 119), Some(91)), (91, 119));
        assert_eq!(keep_drawn((92, 119), Some(119)), (92, 120));
        assert_eq!(
            keep_drawn((92, 119), Some(92 - KEEP_FOCUSED)),
            (92 - KEEP_FOCUSED, 119)
        );
        assert_eq!(keep_drawn((92, 119), Some(91 - KEEP_FOCUSED)), (92, 119));
        assert_eq!(
            keep_drawn((92, 119), Some(118 + KEEP_FOCUSED)),
            (92, 119 + KEEP_FOCUSED)
        );
        assert_eq!(keep_drawn((92, 119), Some(119 + KEEP_FOCUSED)), (92, 119));
    }

    #[test]
    fn navigation_is_clamped() {
        assert_eq!(Nav::Up.apply((0, 3), 5, 10), (0, 3));
        assert_eq!(Nav::Down.apply((4, 3), 5, 10), (4, 3));
        assert_eq!(Nav::Right.apply((1, 9), 5, 10), (1, 9));
        assert_eq!(Nav::PageDown.apply((1, 2), 5, 10), (4, 2));
        assert_eq!(Nav::Last.apply((1, 2), 5, 10), (4, 9));
        assert_eq!(Nav::from_key("Home", true), Some(Nav::First));
        assert_eq!(Nav::from_key("Home", false), Some(Nav::Home));
        assert_eq!(Nav::from_key("a", false), None);
    }
}
