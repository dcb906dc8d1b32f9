//! `escalint server` as an editor runs it: a child process spoken to over standard input and
//! output with the Language Server Protocol's framing (`Content-Length` headers, JSON-RPC).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(60);

/// A minimal editor: it frames messages, numbers requests and keeps what the server sent until a
/// test asks for it.
struct Editor {
    server: Child,
    input: ChildStdin,
    received: Receiver<Value>,
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Editor {
    fn start(workspace: &Path) -> Self {
        let mut server = Command::new(env!("CARGO_BIN_EXE_escalint"))
            .arg("server")
            .current_dir(workspace)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let input = server.stdin.take().expect("a piped standard input");
        let output = server.stdout.take().expect("a piped standard output");

        let (sender, received) = mpsc::channel();
        std::thread::spawn(move || {
            let mut output = BufReader::new(output);
            while let Some(message) = read_message(&mut output) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });

        let mut editor = Self {
            server,
            input,
            received,
            pending: VecDeque::new(),
            next_id: 0,
        };
        let root = uri_of(workspace);
        let initialized = editor.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": [{ "uri": root, "name": "workspace" }],
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
                        "hover": { "contentFormat": ["markdown", "plaintext"] }
                    }
                }
            }),
        );
        assert_eq!(
            initialized["capabilities"]["textDocumentSync"]["change"], 1,
            "the server asks for whole texts: {initialized}"
        );
        assert_eq!(
            initialized["capabilities"]["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.fixAll.escalint"]),
            "the server offers fixes: {initialized}"
        );
        editor.notify("initialized", json!({}));
        editor
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("sent");
        self.input.flush().expect("flushed");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, keeping notifications that arrive meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));

        let response = self.wait_for(&format!("the answer to {method}"), |message| {
            message["id"] == id && message.get("method").is_none()
        });
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    fn open(&mut self, path: &Path, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri_of(path), "languageId": language, "version": 1, "text": text
            }}),
        );
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri_of(path), "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    /// The next diagnostics published for `path`.
    fn diagnostics_for(&mut self, path: &Path) -> Value {
        let uri = uri_of(path);
        let message = self.wait_for(&format!("diagnostics for {uri}"), |message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
        });
        message["params"].clone()
    }

    /// Waits until the server has handled everything sent so far, then forgets what it sent: a
    /// request's answer comes after the notifications it published before it.
    fn settle(&mut self) {
        self.request(
            "textDocument/hover",
            json!({
                "textDocument": { "uri": "file:///settle/Dockerfile" },
                "position": { "line": 0, "character": 0 }
            }),
        );
        self.pending.clear();
    }

    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.pending.iter().position(&wanted) {
            return self.pending.remove(index).expect("the index is in range");
        }

        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .received
                .recv_timeout(left)
                .unwrap_or_else(|err| panic!("no {what}: {err}; kept {:?}", self.pending));
            if wanted(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Shuts the server down as an editor does and returns whether it exited successfully.
    fn shut_down(mut self) -> bool {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);

        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.server.try_wait().expect("the server's status") {
                return status.success();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Reads one framed message; `None` when the server closed its output.
fn read_message(output: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if output.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }

    let mut body = vec![0; length?];
    output.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri_of(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_str().expect("a UTF-8 path").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(byte));
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// A workspace in a temporary folder, its path with symbolic links resolved as the server
/// resolves them.
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path().canonicalize().expect("a resolvable folder");
    std::fs::create_dir(root.join(".git")).expect("created");
    for (name, text) in files {
        std::fs::write(root.join(name), text).expect("written");
    }
    (folder, root)
}

fn rules_and_ranges(published: &Value) -> Vec<(String, [u64; 4])> {
    published["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|diagnostic| {
            let range = &diagnostic["range"];
            let number = |value: &Value| value.as_u64().expect("a number");
            (
                diagnostic["code"].as_str().expect("a rule").to_owned(),
                [
                    number(&range["start"]["line"]),
                    number(&range["start"]["character"]),
                    number(&range["end"]["line"]),
                    number(&range["end"]["character"]),
                ],
            )
        })
        .collect()
}

#[test]
fn diagnostics_follow_the_unsaved_text_with_utf16_ranges() {
    // The file on disk is clean; the editor's buffer is not.
    let (_folder, root) = workspace(&[("Dockerfile", "FROM alpine:3.20\n")]);
    let dockerfile = root.join("Dockerfile");
    let mut editor = Editor::start(&root);

    // `é` is one UTF-16 unit and `😀` two: `4755` starts at unit 24, character 23, byte 27.
    editor.open(
        &dockerfile,
        "dockerfile",
        "FROM alpine:3.20\nRUN echo \"é😀\" && chmod 4755 /bin/busybox\nUSER 10001\n",
    );
    let opened = editor.diagnostics_for(&dockerfile);
    assert_eq!(opened["version"], 1);
    assert_eq!(
        rules_and_ranges(&opened),
        [
            ("setuid-bit".to_owned(), [1, 24, 1, 28]),
            ("no-new-privileges-missing".to_owned(), [2, 0, 2, 10]),
        ]
    );
    let setuid = &opened["diagnostics"][0];
    assert_eq!(setuid["severity"], 1);
    assert_eq!(setuid["source"], "escalint");
    assert_eq!(setuid["message"], "`4755` makes `/bin/busybox` setuid root");
    assert!(
        setuid["codeDescription"]["href"]
            .as_str()
            .is_some_and(|href| href.ends_with("/rules/setuid-bit.md")),
        "{setuid}"
    );
    let user = &opened["diagnostics"][1];
    assert_eq!(
        user["relatedInformation"][0]["location"]["range"]["start"],
        json!({ "line": 1, "character": 24 })
    );

    editor.change(
        &dockerfile,
        2,
        "FROM alpine:3.20\nRUN echo \"é😀\"\nUSER 10001\n",
    );
    let changed = editor.diagnostics_for(&dockerfile);
    assert_eq!(changed["version"], 2);
    assert_eq!(
        rules_and_ranges(&changed),
        [("no-new-privileges-missing".to_owned(), [2, 0, 2, 10])]
    );
    assert_eq!(changed["diagnostics"][0]["severity"], 2, "a warning now");

    // A client that sends a range anyway, in UTF-16 units: an insertion after the emoji.
    editor.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri_of(&dockerfile), "version": 3 },
            "contentChanges": [{
                "range": { "start": { "line": 1, "character": 14 }, "end": { "line": 1, "character": 14 } },
                "text": " && chmod u+s /bin/busybox"
            }]
        }),
    );
    let ranged = editor.diagnostics_for(&dockerfile);
    assert_eq!(ranged["version"], 3);
    assert_eq!(
        rules_and_ranges(&ranged),
        [
            ("setuid-bit".to_owned(), [1, 24, 1, 27]),
            ("no-new-privileges-missing".to_owned(), [2, 0, 2, 10]),
        ]
    );

    // Saving publishes again, from the saved text.
    editor.notify(
        "textDocument/didSave",
        json!({
            "textDocument": { "uri": uri_of(&dockerfile) },
            "text": "FROM alpine:3.20\nRUN echo \"é😀\"\nUSER 10001\n"
        }),
    );
    let saved = editor.diagnostics_for(&dockerfile);
    assert_eq!(
        rules_and_ranges(&saved),
        [("no-new-privileges-missing".to_owned(), [2, 0, 2, 10])]
    );

    let hover = editor.request(
        "textDocument/hover",
        json!({
            "textDocument": { "uri": uri_of(&dockerfile) },
            "position": { "line": 2, "character": 3 }
        }),
    );
    let text = hover["contents"]["value"].as_str().expect("hover text");
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(text.contains("no-new-privileges-missing"), "{text}");
    assert!(text.contains("## Why it matters"), "{text}");
    let nothing = editor.request(
        "textDocument/hover",
        json!({
            "textDocument": { "uri": uri_of(&dockerfile) },
            "position": { "line": 0, "character": 2 }
        }),
    );
    assert_eq!(nothing, Value::Null);

    assert!(editor.shut_down(), "the server exits with status 0");
}

#[test]
fn compose_and_dockerfile_relint_each_other_from_unsaved_text() {
    let compose_text = "services:\n  app:\n    build: .\n    security_opt: [\"no-new-privileges:true\"]\n    cap_drop: [ALL]\n";
    let (_folder, root) = workspace(&[
        ("Dockerfile", "FROM alpine:3.20\nUSER 10001\n"),
        ("compose.yaml", compose_text),
    ]);
    let dockerfile = root.join("Dockerfile");
    let compose = root.join("compose.yaml");
    let mut editor = Editor::start(&root);

    editor.open(&compose, "yaml", compose_text);
    assert_eq!(rules_and_ranges(&editor.diagnostics_for(&compose)), []);
    editor.open(&dockerfile, "dockerfile", "FROM alpine:3.20\nUSER 10001\n");
    assert_eq!(rules_and_ranges(&editor.diagnostics_for(&dockerfile)), []);

    // Dropping `no-new-privileges` from the unsaved Compose file flags its service.
    editor.settle();
    editor.change(
        &compose,
        2,
        "services:\n  app:\n    build: .\n    cap_drop: [ALL]\n",
    );
    assert_eq!(
        rules_and_ranges(&editor.diagnostics_for(&compose)),
        [("no-new-privileges-missing".to_owned(), [1, 2, 1, 5])]
    );

    // A setuid step in the unsaved Dockerfile re-lints the Compose file that builds it.
    editor.settle();
    editor.change(
        &dockerfile,
        2,
        "FROM alpine:3.20\nRUN chmod u+s /bin/busybox\nUSER 10001\n",
    );
    assert_eq!(
        rules_and_ranges(&editor.diagnostics_for(&dockerfile)),
        [("setuid-bit".to_owned(), [1, 10, 1, 13])]
    );
    let compose_after = editor.diagnostics_for(&compose);
    assert_eq!(
        compose_after["diagnostics"][0]["severity"], 1,
        "the setuid step makes the missing option an error: {compose_after}"
    );
    assert_eq!(
        compose_after["diagnostics"][0]["relatedInformation"][1]["location"]["uri"],
        uri_of(&dockerfile)
    );

    // Closing the Compose buffer falls back to the file on disk, which sets the option.
    editor.settle();
    editor.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri_of(&compose) } }),
    );
    assert_eq!(rules_and_ranges(&editor.diagnostics_for(&compose)), []);
    assert_eq!(
        rules_and_ranges(&editor.diagnostics_for(&dockerfile)),
        [("setuid-bit".to_owned(), [1, 10, 1, 13])]
    );

    assert!(editor.shut_down(), "the server exits with status 0");
}

#[test]
fn ending_the_session_without_shutdown_is_a_failure() {
    let (_folder, root) = workspace(&[]);
    let mut editor = Editor::start(&root);

    editor.notify("exit", Value::Null);
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = editor.server.try_wait().expect("the server's status") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };

    assert_eq!(status.code(), Some(2));
}

#[test]
fn unknown_requests_get_an_error_and_other_files_no_diagnostics() {
    let (_folder, root) = workspace(&[("values.yaml", "a: 1\n")]);
    let mut editor = Editor::start(&root);

    editor.open(&root.join("values.yaml"), "yaml", "a: 1\n");
    editor.next_id += 1;
    let id = editor.next_id;
    editor.send(&json!({
        "jsonrpc": "2.0", "id": id, "method": "textDocument/formatting",
        "params": { "textDocument": { "uri": uri_of(&root.join("values.yaml")) }, "options": {} }
    }));
    let response = editor.wait_for("the formatting answer", |message| message["id"] == id);
    assert_eq!(response["error"]["code"], -32601);
    assert!(
        editor.pending.is_empty(),
        "nothing is published for values.yaml: {:?}",
        editor.pending
    );

    assert!(editor.shut_down(), "the server exits with status 0");
}

/// `text` with the protocol's text edits applied; the texts here are ASCII, so UTF-16 units are
/// bytes.
fn apply_text_edits(text: &str, edits: &Value) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().expect("a line") as usize;
        let character = position["character"].as_u64().expect("a character") as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        line_start + character
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .expect("an array of edits")
        .iter()
        .map(|edit| {
            let start = offset(&edit["range"]["start"]);
            let end = offset(&edit["range"]["end"]);
            let new_text = edit["newText"].as_str().expect("new text").to_owned();
            (start, end, new_text)
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));

    let mut fixed = text.to_owned();
    for (start, end, new_text) in edits {
        fixed.replace_range(start..end, &new_text);
    }
    fixed
}

#[test]
fn a_fix_that_would_break_the_file_is_not_offered() {
    // The fix adds `cap_drop: [ALL]` to the service, which already writes the key to reset it.
    let text = "x-base: &base\n  cap_drop: [ALL]\nservices:\n  app:\n    <<: *base\n    \
                image: registry.example/app:1.0\n    user: \"1000\"\n    cap_drop: !reset []\n    \
                security_opt: [\"no-new-privileges:true\"]\n";
    let (_folder, root) = workspace(&[("compose.yaml", text)]);
    let compose = root.join("compose.yaml");
    let mut editor = Editor::start(&root);
    editor.open(&compose, "yaml", text);
    let published = editor.diagnostics_for(&compose);
    assert_eq!(
        rules_and_ranges(&published),
        [("cap-drop-all-missing".to_owned(), [3, 2, 3, 5])]
    );

    let quick_fixes = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri_of(&compose) },
            "range": { "start": { "line": 3, "character": 3 }, "end": { "line": 3, "character": 3 } },
            "context": { "diagnostics": [published["diagnostics"][0]], "only": ["quickfix"] }
        }),
    );

    assert_eq!(quick_fixes, json!([]));
    assert!(editor.shut_down(), "the server exits with status 0");
}

#[test]
fn code_actions_apply_one_fix_or_every_safe_fix() {
    let text = "services:\n  app:\n    image: registry.example/app:1.0\n    user: \"1000\"\n";
    let (_folder, root) = workspace(&[("compose.yaml", text)]);
    let compose = root.join("compose.yaml");
    let uri = uri_of(&compose);
    let mut editor = Editor::start(&root);
    editor.open(&compose, "yaml", text);
    let published = editor.diagnostics_for(&compose);
    assert_eq!(
        rules_and_ranges(&published),
        [
            ("cap-drop-all-missing".to_owned(), [1, 2, 1, 5]),
            ("no-new-privileges-missing".to_owned(), [3, 10, 3, 16]),
        ]
    );

    let quick_fixes = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 1, "character": 3 }, "end": { "line": 1, "character": 3 } },
            "context": { "diagnostics": [published["diagnostics"][0]], "only": ["quickfix"] }
        }),
    );
    let actions = quick_fixes.as_array().expect("a list of actions");
    assert_eq!(actions.len(), 1, "{quick_fixes}");
    let action = &actions[0];
    assert_eq!(action["title"], "Add `cap_drop: [ALL]` to the service");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    assert_eq!(action["diagnostics"][0]["code"], "cap-drop-all-missing");
    let edits = &action["edit"]["changes"][uri.as_str()];
    assert_eq!(
        *edits,
        json!([{
            "range": { "start": { "line": 4, "character": 0 }, "end": { "line": 4, "character": 0 } },
            "newText": "    cap_drop:\n      - ALL\n"
        }])
    );
    assert_eq!(
        apply_text_edits(text, edits),
        "services:\n  app:\n    image: registry.example/app:1.0\n    user: \"1000\"\n    \
         cap_drop:\n      - ALL\n"
    );

    let fix_all = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        }),
    );
    let actions = fix_all.as_array().expect("a list of actions");
    assert_eq!(actions.len(), 1, "{fix_all}");
    assert_eq!(actions[0]["kind"], "source.fixAll.escalint");
    let fixed = apply_text_edits(text, &actions[0]["edit"]["changes"][uri.as_str()]);
    assert_eq!(
        fixed,
        "services:\n  app:\n    image: registry.example/app:1.0\n    user: \"1000\"\n    \
         cap_drop:\n      - ALL\n    security_opt:\n      - no-new-privileges:true\n"
    );

    // The fixed text, once the editor has it, has nothing left to fix.
    editor.change(&compose, 2, &fixed);
    assert_eq!(rules_and_ranges(&editor.diagnostics_for(&compose)), []);
    let nothing = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 8, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(nothing, json!([]));

    assert!(editor.shut_down(), "the server exits with status 0");
}
