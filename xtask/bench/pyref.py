#!/usr/bin/env python3
"""An independent reference for three losslint rules on Python sources, written with the
standard library's `ast` only (no code shared with losslint):

- LL001: every construction of a `torch.nn` loss module (`nn.CrossEntropyLoss(...)`,
  `torch.nn.modules.loss.MSELoss(...)`, `from torch.nn import BCEWithLogitsLoss` then
  `BCEWithLogitsLoss(...)`) and every call of a `torch.nn.functional` loss (`F.cross_entropy`,
  `nn.functional.mse_loss`, `from torch.nn.functional import kl_div`) or of
  `torchvision.ops.sigmoid_focal_loss` without a `reduction` argument, by keyword or at its
  position in PyTorch's signature, and without a legacy `size_average` / `reduce` argument other
  than a literal `None` (PyTorch then takes the reduction from the legacy pair: it is chosen,
  and LL007 is the finding).
- LL007: each `size_average` / `reduce` argument of those APIs, by keyword or at its position,
  one finding per argument; a literal `None` (PyTorch's default, which changes nothing) is not
  one (it is counted).
- LL008: `KLDivLoss` / `F.kl_div` whose reduction is `"mean"`, written or by default; when a
  legacy argument is given (anything but a literal `None`) the reduction is derived from the
  legacy pair as PyTorch does (`reduce=False`: none, `size_average=False`: sum, else mean).

Names are resolved per file through imports (`import torch.nn as nn`, `from torch import nn`,
`from torch.nn import functional as F`, `from torch.nn import *`), in Python's scopes (module,
function, lambda, comprehension; a class body is not visible from its methods). A name that the
same scope also binds any other way (assignment, parameter, `for`, `with ... as`, `except ... as`,
`def`, `class`, `del`, walrus, `match` capture) is not the import, wherever the binding is.
A call whose `reduction` may come from `*args` or `**kwargs` is not judged (LL001, LL008) and
is counted as such.

Usage: python3 xtask/bench/pyref.py TREE [TREE..] [--json]
With --json, one JSON object per finding on stdout ({"path", "line", "column", "code"}; line
and column 1-based, the column counted in characters, of the loss's name token for LL001 and
LL008, except an LL008 whose `"mean"` is written, which is at the reduction's value, and of the
argument for LL007); otherwise `path:line:column: CODE message`. Per-code
counts and the files read go to stderr with --json, to stdout otherwise. Paths are printed as
the tree was given, joined with the walked part, as losslint prints them.
"""

import argparse
import ast
import json
import os
import sys
import tokenize
from collections import Counter

# PyTorch 2.8's signatures (torch/nn/modules/loss.py and torch/nn/functional.py). Each entry
# lists the parameters a caller can pass by position, in order (`self` left out), then `*` and
# the keyword-only ones.
MODULES = {
    "L1Loss": "size_average reduce reduction",
    "NLLLoss": "weight size_average ignore_index reduce reduction",
    "NLLLoss2d": "weight size_average ignore_index reduce reduction",
    "PoissonNLLLoss": "log_input full size_average eps reduce reduction",
    "GaussianNLLLoss": "* full eps reduction",
    "KLDivLoss": "size_average reduce reduction log_target",
    "MSELoss": "size_average reduce reduction",
    "BCELoss": "weight size_average reduce reduction",
    "BCEWithLogitsLoss": "weight size_average reduce reduction pos_weight",
    "HingeEmbeddingLoss": "margin size_average reduce reduction",
    "MultiLabelMarginLoss": "size_average reduce reduction",
    "SmoothL1Loss": "size_average reduce reduction beta",
    "HuberLoss": "reduction delta",
    "SoftMarginLoss": "size_average reduce reduction",
    "CrossEntropyLoss": "weight size_average ignore_index reduce reduction label_smoothing",
    "MultiLabelSoftMarginLoss": "weight size_average reduce reduction",
    "CosineEmbeddingLoss": "margin size_average reduce reduction",
    "MarginRankingLoss": "margin size_average reduce reduction",
    "MultiMarginLoss": "p margin weight size_average reduce reduction",
    "TripletMarginLoss": "margin p eps swap size_average reduce reduction",
    "TripletMarginWithDistanceLoss": "* distance_function margin swap reduction",
    "CTCLoss": "blank reduction zero_infinity",
}

FUNCTIONAL = {
    "l1_loss": "input target size_average reduce reduction weight",
    "nll_loss": "input target weight size_average ignore_index reduce reduction",
    "poisson_nll_loss": "input target log_input full size_average eps reduce reduction",
    "gaussian_nll_loss": "input target var full eps reduction",
    "kl_div": "input target size_average reduce reduction log_target",
    "mse_loss": "input target size_average reduce reduction weight",
    "binary_cross_entropy": "input target weight size_average reduce reduction",
    "binary_cross_entropy_with_logits": (
        "input target weight size_average reduce reduction pos_weight"
    ),
    "hinge_embedding_loss": "input target margin size_average reduce reduction",
    "multilabel_margin_loss": "input target size_average reduce reduction",
    "smooth_l1_loss": "input target size_average reduce reduction beta",
    "huber_loss": "input target reduction delta weight",
    "soft_margin_loss": "input target size_average reduce reduction",
    "cross_entropy": (
        "input target weight size_average ignore_index reduce reduction label_smoothing"
    ),
    "multilabel_soft_margin_loss": "input target weight size_average reduce reduction",
    "cosine_embedding_loss": "input1 input2 target margin size_average reduce reduction",
    "margin_ranking_loss": "input1 input2 target margin size_average reduce reduction",
    "multi_margin_loss": "input target p margin weight size_average reduce reduction",
    "triplet_margin_loss": (
        "anchor positive negative margin p eps swap size_average reduce reduction"
    ),
    "triplet_margin_with_distance_loss": (
        "anchor positive negative * distance_function margin swap reduction"
    ),
    "ctc_loss": "log_probs targets input_lengths target_lengths blank reduction zero_infinity",
}

# torchvision.ops.sigmoid_focal_loss: its default reduction is "none".
TORCHVISION = {"sigmoid_focal_loss": "inputs targets alpha gamma reduction"}

MODULE_PATHS = ("torch.nn", "torch.nn.modules", "torch.nn.modules.loss")
FUNCTIONAL_PATHS = ("torch.nn.functional",)
TORCHVISION_PATHS = ("torchvision.ops", "torchvision.ops.focal_loss")


def _signature(text):
    """(positional parameters in order, keyword-only parameters)."""
    words = text.split()
    if "*" in words:
        star = words.index("*")
        return words[:star], words[star + 1 :]
    return words, []


# Fully qualified name -> (short name, positional params, keyword-only params, kind).
APIS = {}
for _paths, _table, _kind in (
    (MODULE_PATHS, MODULES, "module"),
    (FUNCTIONAL_PATHS, FUNCTIONAL, "functional"),
    (TORCHVISION_PATHS, TORCHVISION, "torchvision"),
):
    for _path in _paths:
        for _name, _sig in _table.items():
            _positional, _keyword_only = _signature(_sig)
            APIS[f"{_path}.{_name}"] = (_name, _positional, _keyword_only, _kind)

# What `from MODULE import *` brings, for the modules that matter here.
STAR_EXPORTS = {path: set(MODULES) for path in MODULE_PATHS}
STAR_EXPORTS["torch.nn"].add("functional")
STAR_EXPORTS["torch.nn.functional"] = set(FUNCTIONAL)
for _path in TORCHVISION_PATHS:
    STAR_EXPORTS[_path] = set(TORCHVISION)


class Scope:
    """One Python scope and every name it binds (flow-insensitively)."""

    def __init__(self, kind, parent):
        self.kind = kind  # module | function | class | comprehension
        self.parent = parent
        self.imports = {}  # name -> set of qualified names
        self.others = set()  # names bound any other way
        self.globals = set()
        self.nonlocals = set()
        self.star_imports = []

    def module(self):
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def bind_import(self, name, qualified):
        self.imports.setdefault(name, set()).add(qualified)

    def bind_other(self, name):
        self.others.add(name)


class Binder:
    """Walks a module once: builds the scopes and records every call with its scope."""

    def __init__(self):
        self.calls = []

    def visit(self, node, scope):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is not None:
            method(node, scope)
        else:
            self.generic(node, scope)

    def generic(self, node, scope):
        for child in ast.iter_child_nodes(node):
            self.visit(child, scope)

    def visit_list(self, nodes, scope):
        for node in nodes:
            if node is not None:
                self.visit(node, scope)

    # Bindings.

    def visit_Import(self, node, scope):
        for alias in node.names:
            if alias.asname:
                scope.bind_import(alias.asname, alias.name)
            else:
                top = alias.name.split(".")[0]
                scope.bind_import(top, top)

    def visit_ImportFrom(self, node, scope):
        if node.level or not node.module:
            # A relative import never reaches torch; it still binds the names.
            for alias in node.names:
                if alias.name != "*":
                    scope.bind_other(alias.asname or alias.name)
            return
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(node.module)
            else:
                scope.bind_import(alias.asname or alias.name, f"{node.module}.{alias.name}")

    def visit_Name(self, node, scope):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            scope.bind_other(node.id)

    def visit_Global(self, node, scope):
        scope.globals.update(node.names)

    def visit_Nonlocal(self, node, scope):
        scope.nonlocals.update(node.names)

    def visit_ExceptHandler(self, node, scope):
        if node.name:
            scope.bind_other(node.name)
        self.generic(node, scope)

    def visit_MatchAs(self, node, scope):
        if node.name:
            scope.bind_other(node.name)
        self.generic(node, scope)

    def visit_MatchStar(self, node, scope):
        if node.name:
            scope.bind_other(node.name)

    def visit_MatchMapping(self, node, scope):
        if node.rest:
            scope.bind_other(node.rest)
        self.generic(node, scope)

    def visit_NamedExpr(self, node, scope):
        # The walrus binds in the closest scope that is not a comprehension.
        target = scope
        while target.kind == "comprehension" and target.parent is not None:
            target = target.parent
        target.bind_other(node.target.id)
        self.visit(node.value, scope)

    # New scopes.

    def _arguments(self, args, outer, inner):
        """Defaults and annotations are evaluated outside; parameters bind inside."""
        self.visit_list(args.defaults, outer)
        self.visit_list(args.kw_defaults, outer)
        every = args.posonlyargs + args.args + args.kwonlyargs
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            inner.bind_other(arg.arg)
            if arg.annotation is not None:
                self.visit(arg.annotation, outer)

    def visit_FunctionDef(self, node, scope):
        scope.bind_other(node.name)
        self.visit_list(node.decorator_list, scope)
        inner = Scope("function", scope)
        self._arguments(node.args, scope, inner)
        if node.returns is not None:
            self.visit(node.returns, scope)
        self.visit_list(node.body, inner)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node, scope):
        inner = Scope("function", scope)
        self._arguments(node.args, scope, inner)
        self.visit(node.body, inner)

    def visit_ClassDef(self, node, scope):
        scope.bind_other(node.name)
        self.visit_list(node.decorator_list, scope)
        self.visit_list(node.bases, scope)
        self.visit_list(node.keywords, scope)
        inner = Scope("class", scope)
        self.visit_list(node.body, inner)

    def _comprehension(self, node, scope, results):
        generators = node.generators
        self.visit(generators[0].iter, scope)
        inner = Scope("comprehension", scope)
        for index, generator in enumerate(generators):
            self.visit(generator.target, inner)
            if index:
                self.visit(generator.iter, inner)
            self.visit_list(generator.ifs, inner)
        self.visit_list(results, inner)

    def visit_ListComp(self, node, scope):
        self._comprehension(node, scope, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node, scope):
        self._comprehension(node, scope, [node.key, node.value])

    # Uses.

    def visit_Call(self, node, scope):
        self.calls.append((node, scope))
        self.generic(node, scope)


def resolve_name(name, scope):
    """The qualified name an imported `name` stands for at a use in `scope`, or None."""
    current = scope
    at_use = True
    while current is not None:
        if current.kind == "class" and not at_use:
            current = current.parent
            continue
        at_use = False
        if name in current.globals:
            current = current.module()
            continue
        if name in current.nonlocals:
            current = current.parent
            continue
        if name in current.others:
            return None
        if name in current.imports:
            targets = current.imports[name]
            return next(iter(targets)) if len(targets) == 1 else None
        if current.parent is None:
            for module in current.star_imports:
                if name in STAR_EXPORTS.get(module, ()):
                    return f"{module}.{name}"
        current = current.parent
    return None


def qualified(expr, scope):
    if isinstance(expr, ast.Name):
        return resolve_name(expr.id, scope)
    if isinstance(expr, ast.Attribute):
        base = qualified(expr.value, scope)
        return f"{base}.{expr.attr}" if base else None
    return None


MAYBE = object()


def argument(call, positional, name):
    """The node that passes parameter `name`, None when nothing does, MAYBE when `*args` or
    `**kwargs` might."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword
    index = positional.index(name) if name in positional else None
    maybe = any(k.arg is None for k in call.keywords)
    if index is not None:
        for position, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                maybe = True
                break
            if position == index:
                return arg
    return MAYBE if maybe else None


def legacy_reduction(size_average, reduce):
    """PyTorch's `_Reduction.legacy_get_string`, on literal values; None when not literal."""
    values = []
    for node in (size_average, reduce):
        if node is None:
            values.append(None)
            continue
        value = node.value if isinstance(node, ast.keyword) else node
        if not isinstance(value, ast.Constant):
            return None
        values.append(value.value)
    size_average, reduce = values
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    if reduce:
        return "sum"
    return "none"


def effective_reduction(call, positional):
    """The reduction a KL call computes with: a string, or None when it cannot be known."""
    legacy = [argument(call, positional, p) for p in ("size_average", "reduce")]
    if any(a is MAYBE for a in legacy):
        return None

    def is_none(node):
        value = node.value if isinstance(node, ast.keyword) else node
        return isinstance(value, ast.Constant) and value.value is None

    given = [a for a in legacy if a is not None and not is_none(a)]
    if given:
        return legacy_reduction(*legacy)
    reduction = argument(call, positional, "reduction")
    if reduction is MAYBE:
        return None
    if reduction is None:
        return "mean"
    value = reduction.value if isinstance(reduction, ast.keyword) else reduction
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


class Columns:
    """Converts `ast`'s UTF-8 byte columns to 1-based character columns."""

    def __init__(self, text):
        self.lines = text.splitlines(keepends=True)

    def column(self, line, byte_offset):
        try:
            raw = self.lines[line - 1].encode("utf-8")
        except IndexError:
            return byte_offset + 1
        return len(raw[:byte_offset].decode("utf-8", errors="replace")) + 1


def name_token(func, columns):
    """(line, column) of the loss's name: the attribute of `a.b.Loss`, or the bare name."""
    if isinstance(func, ast.Attribute):
        line = func.end_lineno
        byte = func.end_col_offset - len(func.attr.encode("utf-8"))
        return line, columns.column(line, byte)
    return func.lineno, columns.column(func.lineno, func.col_offset)


def check_file(path, display, stats):
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError) as error:
        stats["files that do not parse"] += 1
        print(f"{display}: does not parse: {error}", file=sys.stderr)
        return []
    try:
        with open(path, "rb") as handle:
            encoding, _ = tokenize.detect_encoding(handle.readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text = data.decode("utf-8", errors="replace")
    columns = Columns(text)
    binder = Binder()
    module = Scope("module", None)
    binder.visit_list(tree.body, module)
    findings = []
    for call, scope in binder.calls:
        name = qualified(call.func, scope)
        api = APIS.get(name) if name else None
        if api is None:
            continue
        short, positional, keyword_only, kind = api
        stats[f"calls of {kind} losses"] += 1
        line, column = name_token(call.func, columns)
        reduction = argument(call, positional, "reduction")
        legacy_given = False
        for legacy in ("size_average", "reduce"):
            if legacy not in positional and legacy not in keyword_only:
                continue
            node = argument(call, positional, legacy)
            if node is None or node is MAYBE:
                continue
            value = node.value if isinstance(node, ast.keyword) else node
            if isinstance(value, ast.Constant) and value.value is None:
                stats["legacy arguments that are a literal None (not LL007)"] += 1
                continue
            legacy_given = True
            findings.append(
                (
                    display,
                    node.lineno,
                    columns.column(node.lineno, node.col_offset),
                    "LL007",
                    f"{short}: legacy argument `{legacy}`",
                )
            )
        if reduction is None and not legacy_given:
            findings.append((display, line, column, "LL001", f"{short} without reduction"))
        elif reduction is None:
            stats["calls whose reduction comes from legacy arguments"] += 1
        elif reduction is MAYBE:
            stats["calls whose reduction may come from *args/**kwargs"] += 1
        if short in ("KLDivLoss", "kl_div") and effective_reduction(call, positional) == "mean":
            at_line, at_column = line, column
            if reduction is not None and reduction is not MAYBE and not legacy_given:
                # Written out: the finding is at the reduction's value, what is to change.
                value = reduction.value if isinstance(reduction, ast.keyword) else reduction
                at_line = value.lineno
                at_column = columns.column(value.lineno, value.col_offset)
            findings.append((display, at_line, at_column, "LL008", f"{short} reduced with mean"))
    return findings


def walk(tree):
    """Every .py/.pyi file under `tree` (hidden files and directories left out), sorted."""
    if os.path.isfile(tree):
        yield tree
        return
    for directory, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".pyi")) and not name.startswith("."):
                yield os.path.join(directory, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", metavar="TREE")
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout")
    options = parser.parse_args()
    sys.setrecursionlimit(100_000)
    stats = Counter()
    findings = []
    for tree in options.trees:
        if not os.path.exists(tree):
            parser.error(f"{tree} does not exist")
        for path in walk(tree):
            stats["files read"] += 1
            findings.extend(check_file(path, path, stats))
    findings.sort(key=lambda f: (f[0], f[1], f[2], f[3]))
    summary = sys.stderr if options.json else sys.stdout
    for path, line, column, code, message in findings:
        if options.json:
            print(json.dumps({"path": path, "line": line, "column": column, "code": code}))
        else:
            print(f"{path}:{line}:{column}: {code} {message}")
    codes = Counter(f[3] for f in findings)
    for code in ("LL001", "LL007", "LL008"):
        print(f"{code}: {codes.get(code, 0)}", file=summary)
    for key in sorted(stats):
        print(f"{key}: {stats[key]}", file=summary)


if __name__ == "__main__":
    main()
