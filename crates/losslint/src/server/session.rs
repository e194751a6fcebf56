//! The server's state: the open documents, their findings, and the answers to the client.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    InitializeParams, Location, NumberOrString, PublishDiagnosticsParams, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use super::encoding::{Encoding, LineIndex};
use crate::config::Discovery;
use crate::diagnostic::{Applicability, Diagnostic};
use crate::engine::{Engine, LabelCache};
use crate::rules::Level;
use crate::settings::{CliOverrides, FileSettings};

/// The configuration files whose saving changes the settings of the open documents.
const CONFIG_FILES: [&str; 3] = ["losslint.toml", "pyproject.toml", "Cargo.toml"];

/// The open documents and how to lint them.
pub struct Session {
    engine: Engine,
    encoding: Encoding,
    /// Workspace folders: a file outside any configuration reads label files relative to the
    /// folder it is in.
    roots: Vec<PathBuf>,
    documents: HashMap<Uri, Document>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("encoding", &self.encoding)
            .field("roots", &self.roots)
            .field("documents", &self.documents.len())
            .finish_non_exhaustive()
    }
}

/// An open document: the editor's text and what linting it found.
struct Document {
    text: String,
    version: Option<i32>,
    /// What was last published for it, with each finding's fix.
    published: Vec<Published>,
}

struct Published {
    diagnostic: lsp_types::Diagnostic,
    /// The fix's title, whether it keeps behaviour, and its edits.
    fix: Option<(String, bool, Vec<TextEdit>)>,
}

impl Session {
    #[must_use]
    pub fn new(encoding: Encoding, roots: Vec<PathBuf>) -> Self {
        Self {
            engine: Engine::standard(),
            encoding,
            roots,
            documents: HashMap::new(),
        }
    }

    /// Answers a request (code actions; anything else is "method not found").
    pub fn request(&mut self, request: Request) -> Response {
        if request.method != CodeActionRequest::METHOD {
            return Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("losslint does not handle `{}`", request.method),
            );
        }
        match serde_json::from_value::<CodeActionParams>(request.params) {
            Ok(params) => Response::new_ok(request.id, self.code_actions(&params)),
            Err(e) => Response::new_err(
                request.id,
                ErrorCode::InvalidParams as i32,
                format!("malformed code action parameters: {e}"),
            ),
        }
    }

    /// Handles a notification; returns the notifications to send (diagnostics).
    pub fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        let params = notification.params;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidOpenTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let document = params.text_document;
                self.documents.insert(
                    document.uri.clone(),
                    Document {
                        text: document.text,
                        version: Some(document.version),
                        published: Vec::new(),
                    },
                );
                self.lint(&document.uri).into_iter().collect()
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidChangeTextDocumentParams>(params)
                else {
                    return Vec::new();
                };
                let encoding = self.encoding;
                let Some(document) = self.documents.get_mut(&params.text_document.uri) else {
                    return Vec::new();
                };
                for change in params.content_changes {
                    match change.range {
                        Some(range) => {
                            let index = LineIndex::new(&document.text);
                            let start = index.offset(range.start, encoding);
                            let end = index.offset(range.end, encoding).max(start);
                            document.text.replace_range(start..end, &change.text);
                        }
                        None => document.text = change.text,
                    }
                }
                document.version = Some(params.text_document.version);
                self.lint(&params.text_document.uri).into_iter().collect()
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidSaveTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let uri = params.text_document.uri;
                if let (Some(text), Some(document)) = (params.text, self.documents.get_mut(&uri)) {
                    document.text = text;
                }
                let saved_config = file_path(&uri)
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .is_some_and(|name| CONFIG_FILES.contains(&name.as_str()));
                if saved_config {
                    let open: Vec<Uri> = self.documents.keys().cloned().collect();
                    open.iter().filter_map(|uri| self.lint(uri)).collect()
                } else {
                    self.lint(&uri).into_iter().collect()
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidCloseTextDocumentParams>(params)
                else {
                    return Vec::new();
                };
                let uri = params.text_document.uri;
                self.documents.remove(&uri);
                vec![publish(uri, Vec::new(), None)]
            }
            _ => Vec::new(),
        }
    }

    /// Lints an open document and returns its diagnostics notification (none for a file that
    /// is not Rust or Python, or not a file on disk: untitled buffers have no settings).
    fn lint(&mut self, uri: &Uri) -> Option<Notification> {
        let path = file_path(uri)?;
        let language = match crate::walk::language_of(&path) {
            // Notebooks arrive as cells, not as the `.ipynb` text: not linted here.
            Some(language) if path.extension().is_none_or(|e| e != "ipynb") => language,
            _ => return None,
        };
        let encoding = self.encoding;
        let root = self.root_of(&path);
        let document = self.documents.get_mut(uri)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let registry = self.engine.registry();
        let mut notes = Vec::new();
        // The configuration `losslint check` would use for this file; a broken one is shown
        // and the file is linted with the defaults.
        let config = match Discovery::new(registry).closest(&dir) {
            Ok(config) => config,
            Err(e) => {
                notes.push((DiagnosticSeverity::ERROR, "config", e.to_string()));
                None
            }
        };
        let settings = FileSettings::resolve(
            registry,
            config.as_deref(),
            &path,
            &root,
            &CliOverrides::default(),
        );
        let engine = &self.engine;
        let text = document.text.as_str();
        let linted = catch_unwind(AssertUnwindSafe(|| {
            engine.lint_source(language, text, &dir, &settings, &LabelCache::default())
        }))
        .ok()?;
        for error in linted.errors {
            notes.push((DiagnosticSeverity::WARNING, "labels", error));
        }
        let index = LineIndex::new(text);
        let mut published: Vec<Published> = notes
            .into_iter()
            .map(|(severity, code, message)| Published {
                diagnostic: lsp_types::Diagnostic {
                    range: Range::default(),
                    severity: Some(severity),
                    code: Some(NumberOrString::String(code.to_string())),
                    source: Some("losslint".to_string()),
                    message,
                    ..lsp_types::Diagnostic::default()
                },
                fix: None,
            })
            .collect();
        published.extend(
            linted
                .findings
                .iter()
                .map(|(level, finding)| to_lsp(uri, &index, encoding, *level, finding)),
        );
        let diagnostics = published.iter().map(|p| p.diagnostic.clone()).collect();
        document.published = published;
        Some(publish(uri.clone(), diagnostics, document.version))
    }

    /// The workspace folder a file is in (the deepest), else its directory.
    fn root_of(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf())
    }

    /// The fixes of the findings in the requested range: safe ones first and preferred, unsafe
    /// ones labelled as such; fixes that are only shown are not offered.
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(document) = self.documents.get(uri) else {
            return Vec::new();
        };
        let mut actions: Vec<(bool, CodeAction)> = document
            .published
            .iter()
            .filter(|p| overlaps(p.diagnostic.range, params.range))
            .filter_map(|p| {
                let (title, safe, edits) = p.fix.as_ref()?;
                let action = CodeAction {
                    title: if *safe {
                        title.clone()
                    } else {
                        format!("{title} (unsafe: changes what the loss computes)")
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![p.diagnostic.clone()]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), edits.clone())])),
                        ..WorkspaceEdit::default()
                    }),
                    is_preferred: Some(*safe),
                    ..CodeAction::default()
                };
                Some((*safe, action))
            })
            .collect();
        actions.sort_by_key(|(safe, _)| !safe);
        actions
            .into_iter()
            .map(|(_, action)| CodeActionOrCommand::CodeAction(action))
            .collect()
    }
}

/// A finding as the editor shows it, with its fix.
fn to_lsp(
    uri: &Uri,
    index: &LineIndex<'_>,
    encoding: Encoding,
    level: Level,
    finding: &Diagnostic,
) -> Published {
    let mut message = format!("{} [{}]", finding.message, finding.name);
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .secondary
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: index.range(*span, encoding),
            },
            message: label.clone(),
        })
        .collect();
    let diagnostic = lsp_types::Diagnostic {
        range: index.range(finding.span, encoding),
        severity: Some(match level {
            Level::Deny => DiagnosticSeverity::ERROR,
            _ => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(finding.code.to_string())),
        source: Some("losslint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    };
    let fix = finding.fix.as_ref().and_then(|fix| {
        let safe = match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => false,
            Applicability::DisplayOnly => return None,
        };
        let edits = fix
            .edits
            .iter()
            .map(|edit| TextEdit {
                range: index.range(edit.span, encoding),
                new_text: edit.content.clone(),
            })
            .collect();
        Some((fix.title.clone(), safe, edits))
    });
    Published { diagnostic, fix }
}

fn publish(
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}

/// Whether two ranges share a position (an empty range touching a diagnostic counts: it is the
/// cursor on it).
fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: lsp_types::Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// The workspace folders of `initialize` (or its root URI), as paths.
#[must_use]
pub(super) fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| file_path(&folder.uri))
        .collect();
    #[allow(deprecated)] // older clients send only `rootUri`
    if roots.is_empty()
        && let Some(uri) = &params.root_uri
    {
        roots.extend(file_path(uri));
    }
    roots
}

/// The path of a `file:` URI (percent-decoded; `file:///C:/x` is `C:/x` on Windows), or `None`
/// for another scheme (`untitled:`, remote files).
#[must_use]
pub(super) fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority (`localhost`, a UNC host) ends at the path's first slash.
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    if cfg!(windows) {
        let bytes = decoded.as_bytes();
        if bytes.len() >= 3 && bytes[0] == b'/' && bytes[2] == b':' {
            return Some(PathBuf::from(&decoded[1..]));
        }
    }
    Some(PathBuf::from(decoded))
}

/// `%XX` escapes decoded; `None` when the result is not UTF-8 or an escape is malformed.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            file_path(&uri("file:///home/me/my%20project/train.py")),
            Some(PathBuf::from("/home/me/my project/train.py"))
        );
        assert_eq!(
            file_path(&uri("file://localhost/srv/x.rs")),
            Some(PathBuf::from("/srv/x.rs"))
        );
        assert_eq!(
            file_path(&uri("file:///tmp/%C3%A9t%C3%A9.py")),
            Some(PathBuf::from("/tmp/été.py"))
        );
        assert_eq!(file_path(&uri("untitled:Untitled-1")), None);
        // (The URI parser refuses a malformed escape before it gets here; the decoder too.)
        assert_eq!(percent_decode("/bad%2"), None);
        assert_eq!(percent_decode("/bad%zz"), None);
        assert_eq!(percent_decode("/%FF"), None); // not UTF-8
    }

    #[test]
    fn ranges_overlap_when_they_share_a_position() {
        let r = |a: u32, b: u32, c: u32, d: u32| {
            Range::new(
                lsp_types::Position::new(a, b),
                lsp_types::Position::new(c, d),
            )
        };
        assert!(overlaps(r(1, 4, 1, 9), r(1, 6, 1, 6)));
        assert!(overlaps(r(1, 4, 1, 9), r(0, 0, 5, 0)));
        assert!(!overlaps(r(1, 4, 1, 9), r(2, 0, 2, 3)));
    }
}
