//! File modes: which `chmod`, `install -m`, `mkdir -m` and `--chmod` steps set the setuid or
//! setgid bit.

use std::ops::Range;

use crate::shell::Command;

/// The special bits a mode sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpecialBits {
    pub setuid: bool,
    pub setgid: bool,
}

impl SpecialBits {
    pub fn any(self) -> bool {
        self.setuid || self.setgid
    }
}

/// Why a mode step's targets are directories: setgid on a directory only makes new files
/// inherit its group, and setuid on a directory does nothing on Linux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryEvidence {
    /// Every target ends in `/`.
    TrailingSlash,
    /// `mkdir -m`: the command creates directories.
    MkdirMode,
    /// Every target was created by `mkdir` earlier in the same script.
    CreatedByMkdir,
}

/// A command in a script that gives files the setuid or setgid bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeStep {
    /// The mode operand as written: `4755`, `u+s`, `--mode=6755`.
    pub mode: String,
    /// Where the mode operand stands in the script.
    pub mode_range: Range<usize>,
    pub bits: SpecialBits,
    /// The files the command applies to, literal ones only.
    pub targets: Vec<String>,
    /// Why every target is evidently a directory, when it is.
    pub directory: Option<DirectoryEvidence>,
}

/// The special bits an octal (`4755`) or symbolic (`u+s,g-w`) mode sets; `None` when the text
/// is not a mode.
pub fn special_bits(mode: &str) -> Option<SpecialBits> {
    let _ = mode;
    None
}

/// The steps in a script's commands that set special bits.
pub fn mode_steps(commands: &[Command]) -> Vec<ModeStep> {
    let _ = commands;
    Vec::new()
}
