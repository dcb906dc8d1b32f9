//! `escalint server`: a Language Server Protocol server on standard input and output. It lints
//! each open Dockerfile and Compose file through the same `lint` entry point as `check`, from the
//! editor's unsaved text, and publishes the diagnostics on open, change and save. Fixes are
//! offered as code actions.

mod actions;
mod convert;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, MarkupContent, MarkupKind, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use crate::discover::{self, Kind};
use crate::lint::{self, LintOptions};
use crate::rules::rule_docs;

/// Serves one editor on standard input and output until it shuts the server down.
pub fn run() -> anyhow::Result<()> {
    let (connection, io_threads) = Connection::stdio();

    let capabilities =
        serde_json::to_value(capabilities()).context("cannot encode capabilities")?;
    let initialize = connection
        .initialize(capabilities)
        .context("the editor did not initialise the server")?;
    enter_workspace(&initialize);

    let mut server = Server {
        connection,
        documents: HashMap::new(),
    };
    server.serve()?;

    drop(server);
    io_threads
        .join()
        .context("cannot close standard input and output")?;
    log::debug!("server stopped");
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// Works from the workspace's root folder, as `escalint check` run there would: displayed paths
/// and the search for context end there when no git repository is found.
fn enter_workspace(initialize: &serde_json::Value) {
    let root = initialize["workspaceFolders"][0]["uri"]
        .as_str()
        .or_else(|| initialize["rootUri"].as_str());
    let Some(folder) = root
        .and_then(|text| text.parse::<Uri>().ok())
        .and_then(|uri| convert::path_of(&uri))
    else {
        return;
    };

    match crate::paths::set_working_directory(&folder) {
        Ok(()) => log::debug!("working in {}", folder.display()),
        Err(err) => log::warn!("cannot enter the workspace {}: {err}", folder.display()),
    }
}

/// An open document.
struct Document {
    uri: Uri,
    kind: Kind,
    version: i32,
    text: String,
    /// The files its last lint read (context included): a change to one of them changes this
    /// document's diagnostics.
    reads: HashSet<PathBuf>,
    /// The diagnostics last published, for hover.
    published: Vec<lsp_types::Diagnostic>,
    /// The quick fixes of the diagnostics last published.
    quick_fixes: Vec<actions::QuickFix>,
}

struct Server {
    connection: Connection,
    /// Open documents by absolute path, symbolic links resolved, as `lint` names sources.
    documents: HashMap<PathBuf, Document>,
}

impl Server {
    /// Handles messages until the editor shuts the server down; an editor that goes away
    /// without `shutdown` makes the run fail, as the protocol asks.
    fn serve(&mut self) -> anyhow::Result<()> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.answer(request)?;
                }
                Message::Notification(notification) => self.notice(notification),
                Message::Response(_) => {}
            }
        }
        anyhow::bail!("the editor ended the session without `shutdown`")
    }

    fn answer(&mut self, request: Request) -> anyhow::Result<()> {
        let response = match request.method.as_str() {
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(request.params) {
                Ok(params) => Response::new_ok(request.id, self.hover(&params)),
                Err(err) => {
                    Response::new_err(request.id, ErrorCode::InvalidParams as i32, err.to_string())
                }
            },
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => Response::new_ok(request.id, self.code_actions(&params)),
                    Err(err) => Response::new_err(
                        request.id,
                        ErrorCode::InvalidParams as i32,
                        err.to_string(),
                    ),
                }
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("escalint does not handle `{}`", request.method),
            ),
        };
        self.connection
            .sender
            .send(response.into())
            .context("cannot answer the editor")
    }

    fn notice(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let handled = match method.as_str() {
            DidOpenTextDocument::METHOD => notification
                .extract::<DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                .map(|params| self.open(params)),
            DidChangeTextDocument::METHOD => notification
                .extract::<DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                .map(|params| self.change(params)),
            DidSaveTextDocument::METHOD => notification
                .extract::<DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                .map(|params| self.save(params)),
            DidCloseTextDocument::METHOD => notification
                .extract::<DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                .map(|params| self.close(params)),
            _ => return,
        };
        if let Err(err) = handled {
            log::warn!("ignoring a malformed `{method}` notification: {err}");
        }
    }

    fn open(&mut self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let Some(path) = convert::path_of(&item.uri).map(|path| resolve(&path)) else {
            log::debug!("not linting {}: not a local file", item.uri.as_str());
            return;
        };
        let Some(kind) = kind_of(&path, &item.language_id) else {
            log::debug!(
                "not linting {}: neither a Dockerfile nor a Compose file",
                path.display()
            );
            return;
        };

        let document = Document {
            uri: item.uri,
            kind,
            version: item.version,
            text: item.text,
            reads: HashSet::new(),
            published: Vec::new(),
            quick_fixes: Vec::new(),
        };
        self.documents.insert(path.clone(), document);
        self.relint_around(&path);
    }

    fn change(&mut self, params: DidChangeTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        let Some(document) = self.documents.get_mut(&path) else {
            return;
        };

        document.version = params.text_document.version;
        for change in params.content_changes {
            match change.range {
                // Whole-text changes are what the server asks for; a client that sends ranges
                // anyway gets them applied.
                None => document.text = change.text,
                Some(range) => {
                    let start = convert::offset(&document.text, range.start);
                    let end = convert::offset(&document.text, range.end).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
        }
        self.relint_around(&path);
    }

    fn save(&mut self, params: DidSaveTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        let Some(document) = self.documents.get_mut(&path) else {
            return;
        };

        if let Some(text) = params.text {
            document.text = text;
        }
        self.relint_around(&path);
    }

    fn close(&mut self, params: DidCloseTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        let Some(document) = self.documents.remove(&path) else {
            return;
        };

        // A closed document's problems leave the editor's list; the documents that read it now
        // read the file on disk.
        self.publish(document.uri, Vec::new(), None);
        for dependent in self.readers_of(&path) {
            self.lint_document(&dependent);
        }
    }

    /// Lints a document that changed, then the open documents its diagnostics depend on or that
    /// depend on it: the Compose files that build a Dockerfile, the Dockerfiles a Compose file
    /// builds, the files a Compose file extends.
    fn relint_around(&mut self, path: &Path) {
        let mut affected: BTreeSet<PathBuf> = self.readers_of(path).into_iter().collect();
        for read in self.lint_document(path) {
            if self.documents.contains_key(&read) {
                affected.insert(read);
            }
        }
        affected.remove(path);

        for other in affected {
            self.lint_document(&other);
        }
    }

    /// The open documents whose last lint read `path`.
    fn readers_of(&self, path: &Path) -> Vec<PathBuf> {
        self.documents
            .iter()
            .filter(|(other, document)| other.as_path() != path && document.reads.contains(path))
            .map(|(other, _)| other.clone())
            .collect()
    }

    /// Lints one open document, with every open document's text in place of its file, publishes
    /// its diagnostics and returns the files the lint read.
    fn lint_document(&mut self, path: &Path) -> HashSet<PathBuf> {
        let Some(document) = self.documents.get(path) else {
            return HashSet::new();
        };
        let kind = document.kind;

        let options = LintOptions {
            paths: vec![path.to_path_buf()],
            kind: Some(kind),
            overlay: self
                .documents
                .iter()
                .map(|(path, document)| (path.clone(), document.text.clone()))
                .collect(),
            ..LintOptions::default()
        };
        // LIMITATION: Compose `extends` files and `.env` files are read from disk, so their
        // unsaved text counts only once it is saved.
        let result = match lint::lint(&options) {
            Ok(result) => result,
            Err(err) => {
                log::warn!("cannot lint {}: {err}", path.display());
                return HashSet::new();
            }
        };
        for failure in &result.failures {
            log::warn!("{failure}");
        }

        let mut diagnostics = Vec::new();
        let mut quick_fixes = Vec::new();
        for diagnostic in &result.diagnostics {
            if result.sources.get(diagnostic.span.source).path != path {
                continue;
            }
            let published = convert::diagnostic(&result.sources, diagnostic);
            quick_fixes.extend(actions::quick_fix(
                &result.sources,
                diagnostic,
                &published,
                (path, kind),
            ));
            diagnostics.push(published);
        }
        let reads: HashSet<PathBuf> = result
            .sources
            .iter()
            .map(|(_, source)| source.path.clone())
            .filter(|read| !read.as_os_str().is_empty())
            .collect();
        log::debug!(
            "{}: {} diagnostics, {} files read",
            path.display(),
            diagnostics.len(),
            reads.len()
        );

        let Some(document) = self.documents.get_mut(path) else {
            return reads;
        };
        document.reads = reads.clone();
        document.published = diagnostics.clone();
        document.quick_fixes = quick_fixes;
        let (uri, version) = (document.uri.clone(), document.version);
        self.publish(uri, diagnostics, Some(version));
        reads
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        if self.connection.sender.send(notification.into()).is_err() {
            log::warn!("cannot publish diagnostics: the editor has gone");
        }
    }

    /// The document of a rule whose diagnostic covers the hovered position.
    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let position = &params.text_document_position_params;
        let path = self.path_of(&position.text_document.uri)?;
        let document = self.documents.get(&path)?;
        let at = position.position;
        let diagnostic = document
            .published
            .iter()
            .find(|diagnostic| diagnostic.range.start <= at && at <= diagnostic.range.end)?;

        let Some(lsp_types::NumberOrString::String(rule)) = &diagnostic.code else {
            return None;
        };
        let doc = rule_docs().iter().find(|doc| doc.name == rule)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!(
                    "**{}** ({}): {}\n\n{}",
                    doc.name,
                    doc.severity.as_str(),
                    doc.summary,
                    doc.body
                ),
            }),
            range: Some(diagnostic.range),
        })
    }

    /// The quick fixes of the diagnostics in the requested range, and "fix all".
    fn code_actions(&self, params: &CodeActionParams) -> Option<CodeActionResponse> {
        let path = self.path_of(&params.text_document.uri)?;
        let document = self.documents.get(&path)?;
        let fix_all = || {
            let overlay = self
                .documents
                .iter()
                .map(|(path, document)| (path.clone(), document.text.clone()))
                .collect();
            actions::fix_all(&path, &document.uri, document.kind, &document.text, overlay)
        };
        Some(actions::answer(params, &document.quick_fixes, fix_all))
    }

    fn path_of(&self, uri: &Uri) -> Option<PathBuf> {
        let path = resolve(&convert::path_of(uri)?);
        self.documents.contains_key(&path).then_some(path)
    }
}

/// A document's kind: by file name as discovery decides it, else by the editor's language.
fn kind_of(path: &Path, language_id: &str) -> Option<Kind> {
    let by_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(discover::classify);
    by_name.or(match language_id {
        "dockerfile" => Some(Kind::Dockerfile),
        "dockercompose" => Some(Kind::Compose),
        _ => None,
    })
}

/// The path as `lint` records sources: symbolic links resolved when the file exists.
fn resolve(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_name_then_the_language() {
        assert_eq!(
            kind_of(Path::new("/a/Dockerfile.dev"), "plaintext"),
            Some(Kind::Dockerfile)
        );
        assert_eq!(
            kind_of(Path::new("/a/compose.yaml"), "yaml"),
            Some(Kind::Compose)
        );
        assert_eq!(
            kind_of(Path::new("/a/build/Base"), "dockerfile"),
            Some(Kind::Dockerfile)
        );
        assert_eq!(
            kind_of(Path::new("/a/stack.yml"), "dockercompose"),
            Some(Kind::Compose)
        );
        assert_eq!(kind_of(Path::new("/a/values.yaml"), "yaml"), None);
    }
}
