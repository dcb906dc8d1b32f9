//! escalint: finds privilege-escalation paths in Dockerfiles and Docker Compose files.
//!
//! The pipeline: discover files, parse them, build the model, run the rules, report.

pub mod diagnostic;
pub mod model;
pub mod parse;
pub mod shell;
pub mod source;
pub mod text;
