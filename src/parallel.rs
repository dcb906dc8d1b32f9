//! Runs the work of a run that items do independently of each other (reading, parsing and
//! modelling files, loading Compose projects, running rules) on every core, and hands the
//! results back in input order so the rest of the run, and its output, do not depend on
//! scheduling.

use std::num::NonZeroUsize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Applies `task` to every item, on up to one thread per core; results are in input order.
///
/// A single item, or a machine with one core, runs on the calling thread: a small run pays for
/// no thread. Workers have the default stack: the parsers keep their nesting on the heap.
pub fn map<T: Sync, R: Send>(items: &[T], task: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(task).collect();
    }
    let workers = cores().min(items.len());
    if workers <= 1 {
        return items.iter().map(task).collect();
    }

    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    thread::scope(|scope| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else {
                    return done;
                };
                done.push((index, task(item)));
            }
        };
        let mut handles = Vec::new();
        for number in 0..workers {
            let spawned = thread::Builder::new()
                .name(format!("escalint-worker-{number}"))
                .spawn_scoped(scope, work);
            match spawned {
                Ok(handle) => handles.push(handle),
                // The items no worker takes are done below, on this thread.
                Err(err) => log::debug!("cannot start a worker thread: {err}"),
            }
        }
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (index, result) in done {
                        results[index] = Some(result);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });

    results
        .into_iter()
        .zip(items)
        .map(|(result, item)| result.unwrap_or_else(|| task(item)))
        .collect()
}

/// The cores this process may use; asked once, since the answer reads cgroup files.
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<usize> = (0..1_000).collect();

        let squares = map(&items, |item| item * item);

        let expected: Vec<usize> = items.iter().map(|item| item * item).collect();
        assert_eq!(squares, expected);
    }

    #[test]
    fn empty_and_single_inputs_run_in_place() {
        let none: Vec<u8> = Vec::new();

        assert!(map(&none, |item| *item).is_empty());
        assert_eq!(map(&[7], |item| item + 1), [8]);
    }
}
