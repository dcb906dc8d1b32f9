//! Work counters: the parsers and the shell analysis count the items they visit (physical lines,
//! syntax nodes, parser steps, YAML nodes), so tests can check that the work grows linearly with
//! the input without timing anything.
//!
//! The count is per thread and costs one addition per item; nothing reads it in a normal run.

use std::cell::Cell;

thread_local! {
    static ITEMS: Cell<u64> = const { Cell::new(0) };
}

/// Records `items` units of work done on this thread.
pub fn count(items: u64) {
    ITEMS.with(|cell| cell.set(cell.get().wrapping_add(items)));
}

/// Runs `task` and returns its result with the work items it counted on this thread.
pub fn counted<T>(task: impl FnOnce() -> T) -> (T, u64) {
    let before = ITEMS.with(Cell::get);
    let result = task();
    let after = ITEMS.with(Cell::get);
    (result, after.wrapping_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_counts_add_up() {
        let ((inner, inner_items), outer_items) = counted(|| {
            count(2);
            counted(|| count(3))
        });

        assert_eq!(inner, ());
        assert_eq!(inner_items, 3);
        assert_eq!(outer_items, 5);
    }
}
