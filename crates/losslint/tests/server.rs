//! `losslint server` end to end, in process: the client side of the protocol is driven by hand
//! over `lsp_server::Connection::memory()` (the test with a real client not written here,
//! pygls, is `cargo xtask lsp`).

use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

/// A Python training script: a criterion without `reduction` (LL001, a safe fix) and softmax
/// output into `F.cross_entropy` (LL003) on a line with non-ASCII text before the call.
const TRAIN: &str = "\
import torch.nn.functional as F
from torch import nn

criterion = nn.CrossEntropyLoss()

def step(model, x, y):
    étiquette = \"😀\"; loss = F.cross_entropy(F.softmax(model(x), dim=1), y, reduction=\"mean\")
    return loss
";

struct Client {
    connection: Connection,
    next_id: i32,
}

impl Client {
    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => return response,
                _ => {}
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    fn receive(&self) -> Message {
        self.connection
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answered within 30 s")
    }

    /// The next `publishDiagnostics`' parameters.
    fn diagnostics(&self) -> Value {
        loop {
            if let Message::Notification(n) = self.receive()
                && n.method == "textDocument/publishDiagnostics"
            {
                return n.params;
            }
        }
    }
}

fn start(encodings: &[&str]) -> (Client, std::thread::JoinHandle<anyhow::Result<()>>, Value) {
    let (server, client) = Connection::memory();
    let handle = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || losslint::server::serve(&server))
        .unwrap();
    let mut client = Client {
        connection: client,
        next_id: 0,
    };
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": { "general": { "positionEncodings": encodings } },
        }),
    );
    let result = init.response_result.expect("initialize succeeded");
    client.notify("initialized", json!({}));
    (client, handle, result)
}

fn shut_down(mut client: Client, handle: std::thread::JoinHandle<anyhow::Result<()>>) {
    let response = client.request("shutdown", Value::Null);
    assert!(response.response_result.is_ok());
    client.notify("exit", Value::Null);
    handle.join().unwrap().unwrap();
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn diagnostic<'a>(params: &'a Value, code: &str) -> &'a Value {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {params:#}"))
}

fn open(client: &Client, uri: &str, text: &str) -> Value {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "python", "version": 1, "text": text } }),
    );
    client.diagnostics()
}

#[test]
fn diagnostics_and_quick_fixes_in_utf16() {
    let (mut client, handle, init) = start(&["utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "losslint");
    let dir = std::env::temp_dir().join(format!("losslint-server-{}", std::process::id()));
    let uri = format!("file://{}/train.py", dir.display());
    let published = open(&client, &uri, TRAIN);
    assert_eq!(published["uri"], uri.as_str());
    assert_eq!(published["version"], 1);
    let mut found = codes(&published);
    found.sort();
    assert_eq!(found, ["LL001", "LL003"], "{published:#}");

    // LL003 is on line 6 (0-based), under `F.softmax(..)`, after the 44 characters of
    // `    étiquette = "😀"; loss = F.cross_entropy(`: 45 UTF-16 units (the emoji is 2), where
    // UTF-8 counts 48 bytes (`é` is 2, the emoji 4) and code points 44.
    let ll003 = diagnostic(&published, "LL003");
    assert_eq!(
        ll003["range"]["start"],
        json!({ "line": 6, "character": 45 })
    );
    assert_eq!(ll003["severity"], 1);
    assert_eq!(ll003["source"], "losslint");
    let ll001 = diagnostic(&published, "LL001");
    assert_eq!(ll001["range"]["start"]["line"], 3);
    assert_eq!(ll001["severity"], 2);

    // The cursor on the criterion: LL001's safe fix, preferred.
    let cursor = json!({ "line": 3, "character": 16 });
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": cursor, "end": cursor },
            "context": { "diagnostics": [ll001] },
        }),
    );
    let actions = actions.response_result.unwrap();
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix", "{actions:#}");
    assert_eq!(action["isPreferred"], true);
    assert_eq!(action["diagnostics"][0]["code"], "LL001");
    let edits = &action["edit"]["changes"][uri.as_str()];
    assert_eq!(edits.as_array().unwrap().len(), 1, "{actions:#}");
    assert!(
        edits[0]["newText"].as_str().unwrap().contains("reduction"),
        "{edits:#}"
    );

    // A half-typed file: diagnostics again (a syntax error, no crash), then the fix typed in.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": "import torch.nn.functional as F\ndef step(x, y:\n    return F.cross_entropy(F.softmax(" }],
        }),
    );
    let broken = client.diagnostics();
    assert_eq!(broken["version"], 2);
    let fixed = TRAIN
        .replace(
            "nn.CrossEntropyLoss()",
            "nn.CrossEntropyLoss(reduction=\"mean\")",
        )
        .replace("F.softmax(model(x), dim=1)", "model(x)");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": fixed }] }),
    );
    let clean = client.diagnostics();
    assert_eq!(codes(&clean), Vec::<String>::new(), "{clean:#}");

    // Closing the file clears its diagnostics; an unknown request is an error, not a crash.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));
    let unknown = client.request("textDocument/hover", json!({}));
    assert!(unknown.response_result.is_err());
    shut_down(client, handle);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let (client, handle, init) = start(&["utf-8", "utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let published = open(&client, "file:///nowhere/train.py", TRAIN);
    let ll003 = diagnostic(&published, "LL003");
    assert_eq!(
        ll003["range"]["start"],
        json!({ "line": 6, "character": 48 })
    );
    // Not a file on disk, or not a language losslint reads: nothing published for it.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///nowhere/notes.md", "languageId": "markdown", "version": 1, "text": "# F.softmax" } }),
    );
    shut_down(client, handle);
}
