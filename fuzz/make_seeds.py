#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under fuzz/corpus/<target>/ (deterministic).

Run from anywhere: python3 fuzz/make_seeds.py. The seeds are real inputs from the repository
(fixtures, the demo project, its label files) in each target's input format (see the module
documentation of fuzz/src/<target>.rs), plus a few random byte strings for the targets that
read their input through `arbitrary`.
"""

import random
import struct
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
FIXTURES = ROOT / "crates/losslint/resources/fixtures"
DEMO = ROOT / "examples/train_digits"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def head(path, lines):
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def npy(descr, shape, values, fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr,
        "True" if fortran else "False",
        "".join(f"{d}, " for d in shape) if len(shape) != 1 else f"{shape[0]},",
    )
    size = {1: 2, 2: 4}[version]
    pad = 64 - (10 + size - 2 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    fmt = {"<i8": "<q", "|u1": "<B", "<i4": "<i", "|b1": "<B", "<u2": "<H"}[descr]
    body = b"".join(struct.pack(fmt, v) for v in values)
    length = struct.pack("<H" if version == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode() + body


def main():
    rng = random.Random(20240601)
    sources = sorted(FIXTURES.glob("*.rs")) + sorted((DEMO / "src").glob("*.rs"))

    # frontend, lint_source: Rust files as they are.
    for path in sources:
        write("frontend", path.name, path.read_bytes())
        write("lint_source", path.name, path.read_bytes())
    write("lint_source", "directive.rs", (
        "use lossfit::functional::{cross_entropy, CrossEntropyOptions};\n"
        "fn step(x: &ndarray::Array2<f32>, y: &ndarray::Array1<i64>) -> f32 {\n"
        "    // losslint: labels = \"labels/digits_counts.json\"\n"
        "    let loss = cross_entropy(x, y, &CrossEntropyOptions::default()).unwrap();\n"
        "    loss.value.sum()\n}\n"))

    # label_readers: [format, flags, a, b] + content.
    EXT = {"csv": 0, "tsv": 1, "txt": 2, "labels": 3, "json": 4, "npy": 5}
    labels = [
        (FIXTURES / "labels/balanced_counts.json", 4, 0x00),
        (FIXTURES / "labels/diagnosis_balanced.csv", 0, 0x03),  # binary
        (FIXTURES / "labels/diagnosis_counts.json", 4, 0x00),
        (FIXTURES / "labels/digits_counts.json", 4, 0x05),  # multi-class, classes a % 17
        (FIXTURES / "labels/tags_balanced.json", 4, 0x02),  # multi-label
        (FIXTURES / "labels/tags_positives.json", 4, 0x00),
        (DEMO / "data/train_labels.csv", 0, 0x11),  # column `label`
        (DEMO / "data/diagnosis_labels.txt", 2, 0x00),
        (DEMO / "data/breast_cancer.csv", 0, 0xC2),  # multi-label, header columns
    ]
    for path, fmt, flags in labels:
        write("label_readers", f"{path.stem}-{fmt}-{flags:02x}",
              bytes([fmt, flags, 10, 0]) + head(path, 40))
    write("label_readers", "tsv", bytes([1, 0x21, 0, 0]) + b"path\tlabel\na.png\tcat\nb.png\tdog\n")
    write("label_readers", "names.labels", bytes([3, 0, 0, 0]) + b"\xef\xbb\xbfcat\r\ndog\n\n cat \n")
    write("label_readers", "array.json", bytes([4, 0, 0, 0]) + b'["cat", "dog", "cat", 3]')
    write("label_readers", "ids.json", bytes([10, 0x04, 3, 0]) + b"[0, 1, 2, 1, 0]")
    write("label_readers", "multilabel.csv", bytes([6, 0x02, 0, 0]) + b"id,a,b\n1,0,1\n2,1,1\n")
    write("label_readers", "ids.npy", bytes([5, 0, 0, 0]) + npy("<i8", [6], [0, 1, 2, 2, 1, 0]))
    write("label_readers", "multilabel.npy",
          bytes([5, 0, 0, 0]) + npy("|u1", [3, 2], [0, 1, 1, 1, 0, 0]))
    write("label_readers", "fortran-v2.npy",
          bytes([11, 0x02, 0, 0]) + npy("|b1", [2, 3], [1, 0, 0, 1, 1, 1], fortran=True, version=2))
    write("label_readers", "binary-i4.npy", bytes([5, 0x03, 0, 0]) + npy("<i4", [4], [0, 1, 1, 0]))
    write("label_readers", "declared-u2.npy", bytes([5, 0x05, 8, 0]) + npy("<u2", [3], [7, 1, 1]))

    # config_loader: [name] + content (0 losslint.toml, 1 .losslint.toml, 2 pyproject, 3 Cargo).
    write("config_loader", "demo-losslint.toml", b"\x00" + (DEMO / "losslint.toml").read_bytes())
    write("config_loader", "overrides.toml", b"\x01" + b"""
[labels]
path = "labels.csv"
label_columns = ["a", "b"]
task = "multilabel"

[rules]
all = "warn"
LL003 = "allow"

[[overrides]]
files = ["src/detector/**", "*.rs"]
labels = { path = "boxes.json", classes = 4 }
imbalance = { max_ratio = 10, weights = "effective_number:0.99" }
rules = { implicit-reduction = "deny" }
""")
    write("config_loader", "pyproject.toml", b"\x02" + b"""
[project]
name = "x"

[tool.losslint.labels]
path = "data/y.npy"
classes = 3

[tool.losslint.imbalance]
max_ratio = 2.5
weights = "inverse_sqrt_frequency"
""")
    write("config_loader", "Cargo.toml", b"\x03" + b"""
[package]
name = "x"
version = "0.1.0"

[package.metadata.losslint]
rules = { LL002 = "deny" }
labels = { path = "data/train_labels.csv", column = "label", task = "multiclass" }
""")
    write("config_loader", "workspace-Cargo.toml", b"\x03" + b"""
[workspace]
members = ["a"]

[workspace.metadata.losslint.imbalance]
max_ratio = 4
""")

    # fix_apply: [len lo, len hi] + text + edit bytes.
    texts = [
        (FIXTURES / "LL001.rs").read_bytes()[:600],
        "fn é() {}\r\nlet ü = \"🦀\";\n\n".encode(),
        b"",
        b"no newline at the end",
        ("x" * 70 + "é" * 70 + "\n").encode() * 3,
    ]
    for i, text in enumerate(texts):
        for j in range(2):
            edits = bytes(rng.randrange(256) for _ in range(48))
            write("fix_apply", f"text{i}-{j}", struct.pack("<H", len(text)) + text + edits)

    # functional: random bytes (backend, dtype, case, then tensors and options).
    for case in range(26):
        for j in range(2):
            data = bytes([rng.randrange(256), rng.randrange(2), case]) + bytes(
                rng.randrange(256) for _ in range(rng.choice([48, 160, 400]))
            )
            write("functional", f"case{case:02}-{j}", data)


if __name__ == "__main__":
    main()
