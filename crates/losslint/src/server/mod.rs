//! `losslint server`: a language server (over stdio, on `lsp-server`) that shows losslint's
//! findings in the editor as the file is typed, with its fixes as quick fixes.
//!
//! Every open Rust or Python file is linted from the editor's text (saved or not) on open,
//! change and save, with the settings `losslint check` would use for it: the configuration file
//! found above it (`losslint.toml`, `pyproject.toml`, `Cargo.toml`), its overrides, the
//! suppression comments in the text. Nothing is cached between edits, so a changed
//! configuration or label file counts on the next keystroke.

mod encoding;
mod session;

use anyhow::Context;
use lsp_server::{Connection, Message};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams,
    InitializeResult, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

pub use encoding::{Encoding, LineIndex};
pub use session::Session;

/// Serves one client on stdin/stdout until it shuts down.
///
/// # Errors
/// The connection broke, or the client broke the protocol (a malformed `initialize`).
pub fn run() -> anyhow::Result<()> {
    let (connection, io_threads) = Connection::stdio();
    // Deeply nested files are analysed recursively: the session runs where the engine's
    // workers do, on a thread with the analysis stack.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("losslint-server".into())
            .stack_size(crate::frontend::ANALYSIS_STACK)
            .spawn_scoped(scope, || {
                crate::frontend::mark_large_stack();
                serve(&connection)
            })
            .context("cannot start the server thread")?
            .join()
            .map_err(|_| anyhow::anyhow!("the server thread panicked"))?
    })?;
    drop(connection);
    io_threads.join().context("the stdio threads failed")?;
    Ok(())
}

/// The server on any connection (`Connection::memory()` in tests): the `initialize` handshake,
/// then messages until `shutdown` and `exit`.
///
/// # Errors
/// As [`run`].
pub fn serve(connection: &Connection) -> anyhow::Result<()> {
    let (id, params) = connection
        .initialize_start()
        .context("no `initialize` request")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("the `initialize` parameters are malformed")?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "losslint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let mut session = Session::new(encoding, session::workspace_roots(&params));
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                connection
                    .sender
                    .send(Message::Response(session.request(request)))?;
            }
            Message::Notification(notification) => {
                for out in session.notification(notification) {
                    connection.sender.send(Message::Notification(out))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// What the server does: full-text sync (open, change, save with text, close) and quick fixes.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
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
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}
