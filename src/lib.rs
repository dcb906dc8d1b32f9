//! escalint: finds privilege-escalation paths in Dockerfiles and Docker Compose files.
//!
//! The pipeline: discover files, parse them, build the model, run the rules, report.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod fix;
pub mod fuzzing;
pub mod lint;
pub mod logging;
pub mod model;
pub mod parallel;
pub mod parse;
pub mod paths;
pub mod read;
pub mod report;
pub mod rules;
pub mod server;
pub mod shell;
pub mod source;
pub mod suppress;
pub mod text;
pub mod work;
