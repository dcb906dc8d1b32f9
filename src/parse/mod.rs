//! Parsers: the text of one format to its syntax, with byte spans and no interpretation.

pub mod dockerfile;
pub mod interpolate;
pub mod yaml;
