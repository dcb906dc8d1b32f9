//! Builds the Compose model from the YAML tree: services, their users, security options,
//! capabilities and builds, with interpolation and `extends` applied.

use crate::diagnostic::Diagnostic;
use crate::model::Compose;
use crate::source::{SourceId, Sources};

/// Options that decide where interpolated values come from.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Extra `--env-file` files, read after the project's `.env`.
    pub env_files: Vec<std::path::PathBuf>,
    /// Read variables from the process environment too (`--use-env`).
    pub use_process_env: bool,
}

/// A loaded Compose file and the diagnostics met while loading it (`parse-error` and the like).
#[derive(Debug)]
pub struct Loaded {
    pub compose: Compose,
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the Compose file `id` (already in `sources`); files it pulls in (`extends` files, the
/// project's `.env`) are read and added to `sources` so diagnostics can point into them.
pub fn load(sources: &mut Sources, id: SourceId, options: &LoadOptions) -> Loaded {
    let _ = (sources.get(id), options);
    Loaded {
        compose: Compose {
            source: id,
            services: Vec::new(),
        },
        diagnostics: Vec::new(),
    }
}
