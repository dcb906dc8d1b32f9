//! Compose variable interpolation: `$VAR`, `${VAR:-default}` and the other forms of the Compose
//! specification, applied to scalar values after YAML parsing.
