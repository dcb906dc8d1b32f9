//! JSON output: a snapshot of a mixed fixture, the interface that scripts rely on.

use assert_cmd::Command;

#[test]
fn json_of_a_service_building_a_setuid_image() {
    let output = Command::cargo_bin("escalint")
        .expect("the binary is built")
        .args([
            "check",
            "--format",
            "json",
            "fixtures/no-new-privileges-missing/compose-build-user",
        ])
        .output()
        .expect("the binary runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");

    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("json_compose_build_user", json);
    });
}
