//! The labeled cases in `../shared/cases`, scored by `../shared/tools/score-cases.py` against
//! this build of the binary: every case must pass.

use std::path::Path;
use std::process::Command;

#[test]
fn every_labeled_case_passes() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let script = shared.join("tools/score-cases.py");
    if !script.exists() {
        eprintln!("skipped: {} is absent", script.display());
        return;
    }

    let output = Command::new("python3")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_escalint"))
        .arg(shared.join("cases"))
        .output()
        .expect("python3 runs the scoring script");
    let report = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "labeled cases failed:\n{report}");
    assert!(
        report.contains(" passed, 0 failed"),
        "unexpected score:\n{report}"
    );
}
