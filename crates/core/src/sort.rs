//! [`stable_sorted`]: the stable sort the crate uses instead of std's (see its doc).

/// `items` ordered by `le` (whether `a` may come before `b`), equal ones in their original order: a
/// bottom-up merge sort of indices. std's stable sort is ~12 KB of WASM per element type; the vectors
/// sorted here (reports, maps read out of order) are short or already sorted, and even 10,000 items
/// sort in a few milliseconds.
pub(crate) fn stable_sorted<T>(items: Vec<T>, le: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let n = items.len();
    if n < 2 {
        return items;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut merged[start..end] {
                if i < mid && (j >= end || le(&items[order[i]], &items[order[j]])) {
                    *slot = order[i];
                    i += 1;
                } else {
                    *slot = order[j];
                    j += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::stable_sorted;

    proptest::proptest! {
        /// The merge sort orders as std's stable sort does, ties included.
        #[test]
        fn stable_sorted_is_a_stable_sort(items in proptest::collection::vec((0u8..8, 0u32..1000), 0..200)) {
            let mut expected = items.clone();
            expected.sort_by_key(|&(k, _)| k);
            proptest::prop_assert_eq!(stable_sorted(items, |a, b| a.0 <= b.0), expected);
        }
    }
}
