#!/usr/bin/env python3
"""`losslint server` driven by a real client not written here: pygls' LanguageClient.

Run by `cargo xtask lsp` (which installs pygls into a virtual environment outside the
repository); by hand:

    python client.py --server target/debug/losslint

Initializes (offering UTF-16 only, so non-ASCII positions are converted), opens a PyTorch file
with a double softmax, waits for LL003 (and LL001), asks for the code actions on LL001's range,
applies the preferred one's edit to the text, sends the change and waits for LL001 to be gone,
then shuts the server down and checks that it exits with status 0. Prints each step; exits 1 on
the first failed expectation.
"""

import argparse
import asyncio
import os
import sys
import tempfile

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 30

SOURCE = """\
import torch.nn.functional as F
from torch import nn

criterion = nn.CrossEntropyLoss()

def step(model, x, y):
    logits = model(x); probs = F.softmax(logits, dim=1)
    # non-ASCII before the call: UTF-16 positions differ from bytes and code points
    tag = "é😀"; loss = F.cross_entropy(probs, y, reduction="mean")
    return loss + criterion(logits, y)
"""


def offset(text, position):
    """The index into `text` of an LSP position counted in UTF-16 code units."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: position.line])
    units = 0
    for i, ch in enumerate(lines[position.line]):
        if units >= position.character:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(lines[position.line])


def apply(text, edits):
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(text, edit.range.start)] + edit.new_text + text[offset(text, edit.range.end):]
    return text


class Failure(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Failure(what)
    print(f"  ok: {what}", flush=True)


async def main(server):
    client = LanguageClient("losslint-pygls-test", "v1")
    published = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        published.put_nowait(params)

    await client.start_io(server, "server")
    try:
        result = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(
                        general=types.GeneralClientCapabilities(
                            position_encodings=[types.PositionEncodingKind.Utf16]
                        )
                    ),
                    client_info=types.ClientInfo(name="pygls", version="2"),
                )
            ),
            TIMEOUT,
        )
        expect(result.server_info.name == "losslint", f"initialize: server {result.server_info.name} {result.server_info.version}")
        expect(result.capabilities.position_encoding == types.PositionEncodingKind.Utf16, "position encoding negotiated: utf-16")
        client.initialized(types.InitializedParams())

        directory = tempfile.mkdtemp(prefix="losslint-lsp-")
        uri = "file://" + os.path.join(directory, "train.py")
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE)
            )
        )
        diagnostics = (await asyncio.wait_for(published.get(), TIMEOUT)).diagnostics
        codes = sorted(str(d.code) for d in diagnostics)
        print(f"  diagnostics: {codes}")
        expect("LL003" in codes, "LL003 (softmax before cross-entropy) published on open")
        ll003 = next(d for d in diagnostics if d.code == "LL003")
        line = SOURCE.split("\n")[ll003.range.start.line]
        start = offset(SOURCE, ll003.range.start) - offset(SOURCE, types.Position(line=ll003.range.start.line, character=0))
        expect(line[start:].startswith("probs"), f"LL003 at line {ll003.range.start.line}, UTF-16 character {ll003.range.start.character}: `{line[start:start + 5]}`")
        expect("LL001" in codes, "LL001 (implicit reduction) published on open")
        ll001 = next(d for d in diagnostics if d.code == "LL001")

        actions = await asyncio.wait_for(
            client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=ll001.range,
                    context=types.CodeActionContext(diagnostics=[ll001]),
                )
            ),
            TIMEOUT,
        )
        preferred = [a for a in actions or [] if getattr(a, "is_preferred", False)]
        expect(len(preferred) >= 1, f"code actions for LL001: {[a.title for a in actions or []]}")
        action = preferred[0]
        expect(action.kind == types.CodeActionKind.QuickFix, f"preferred action is a quick fix: {action.title!r}")
        fixed = apply(SOURCE, action.edit.changes[uri])
        expect("CrossEntropyLoss(reduction=" in fixed, "the edit writes the reduction explicitly")
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
            )
        )
        after = (await asyncio.wait_for(published.get(), TIMEOUT)).diagnostics
        codes = sorted(str(d.code) for d in after)
        expect("LL001" not in codes and "LL003" in codes, f"after applying the fix: {codes}")

        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
        code = await asyncio.wait_for(client._server.wait(), TIMEOUT)
        expect(code == 0, f"server exited with status {code}")
    finally:
        await client.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--server", required=True, help="the losslint executable")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.server))
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print("pygls LanguageClient: every expectation met")
