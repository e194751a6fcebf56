#!/usr/bin/env python3
"""Regenerates the golden parity fixtures (DESIGN.md section 3) from real PyTorch.

    python3 tests/golden/generate.py [--out DIR] [--only GROUP ...]

Each module in `cases/` (one per family of losses) yields case specs through `Gen.case`; this
script evaluates each spec with PyTorch, takes gradients with autograd and writes
`<group>.jsonl` next to itself (or into --out). Everything is seeded: running it twice gives
identical files. `cargo xtask golden` runs it with the project's PyTorch virtualenv.
"""

import argparse
import importlib
import json
import math
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
GROUPS = ["core", "binary", "multiclass", "regression", "ranking"]
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def number(x):
    """A JSON-ready number: ints stay ints, non-finite floats become strings."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def tensor_json(t):
    t = t.detach().cpu()
    data = t.reshape(-1).tolist()
    return {"shape": list(t.shape), "data": [number(x) for x in data]}


def param_json(v):
    if isinstance(v, torch.Tensor):
        return [number(x) for x in v.detach().reshape(-1).tolist()] if v.dim() <= 1 else tensor_json(v)
    if isinstance(v, float):
        return number(v)
    return v


class Gen:
    """Collects the cases of one group; `torch.manual_seed` is set per group for stability."""

    def __init__(self, group):
        self.group = group
        self.cases = []
        self.generator = torch.Generator().manual_seed(sum(map(ord, group)))

    # Random tensors drawn from the group's own generator (float64, cast per case).
    def randn(self, *shape, scale=1.0):
        return torch.randn(tuple(shape), generator=self.generator, dtype=torch.float64) * scale

    def rand(self, *shape, low=0.0, high=1.0):
        return low + (high - low) * torch.rand(tuple(shape), generator=self.generator, dtype=torch.float64)

    def randint(self, high, shape, low=0):
        return torch.randint(low, high, tuple(shape), generator=self.generator, dtype=torch.int64)

    def case(self, id, loss, fn, inputs, params=None, grads=(), dtype="float64", call_params=None):
        """Evaluates `fn(**inputs, **call_params)` and records the case.

        id:          unique, slash-separated (`ce/weighted/f64/0/none`); the dtype is appended.
        loss:        the `loss` field (torch.nn.functional name or one of DESIGN.md's own).
        fn:          the reference, taking the inputs as keyword arguments plus `call_params`.
        inputs:      name -> tensor (float tensors are cast to `dtype`; int64 stay int64).
        params:      the JSON params (torch keyword names); tensors become lists.
        grads:       names of inputs whose gradient is recorded.
        call_params: what `fn` receives instead of `params` when they differ (e.g. tensors
                     built from lists); default: `params` with float lists as tensors.
        """
        torch_dtype = DTYPES[dtype]
        params = dict(params or {})
        cast = {}
        for name, t in inputs.items():
            t = t.detach()
            if t.is_floating_point():
                t = t.to(torch_dtype)
            if name in grads:
                t = t.clone().requires_grad_(True)
            cast[name] = t
        if call_params is None:
            call_params = {
                k: (v.to(torch_dtype) if isinstance(v, torch.Tensor) and v.is_floating_point() else v)
                for k, v in params.items()
            }
        value = fn(**cast, **call_params)
        record = {
            "id": f"{id}/{'f32' if dtype == 'float32' else 'f64'}",
            "loss": loss,
            "dtype": dtype,
            "params": {k: param_json(v) for k, v in params.items()},
            "inputs": {k: tensor_json(v) for k, v in cast.items()},
        }
        grad_names = [n for n in grads if n in cast]
        if value.dim() > 0:
            upstream = self.randn(*value.shape).to(torch_dtype)
            record["upstream"] = tensor_json(upstream)
            seed = (value * upstream).sum()
        else:
            seed = value
        grad_values = {}
        if grad_names:
            got = torch.autograd.grad(seed, [cast[n] for n in grad_names], allow_unused=True)
            for n, g in zip(grad_names, got):
                grad_values[n] = tensor_json(g if g is not None else torch.zeros_like(cast[n]))
        record["expected"] = {"value": tensor_json(value), "grad": grad_values}
        self.cases.append(record)

    def both(self, *args, **kwargs):
        """Records the case in float64 and float32."""
        for dtype in ("float64", "float32"):
            self.case(*args, dtype=dtype, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE)
    parser.add_argument("--only", nargs="*", default=GROUPS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    sys.path.insert(0, str(HERE))
    for group in args.only:
        module = importlib.import_module(f"cases.{group}")
        gen = Gen(group)
        module.cases(gen)
        ids = [c["id"] for c in gen.cases]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise SystemExit(f"{group}: duplicate case ids {sorted(dupes)}")
        out = args.out / f"{group}.jsonl"
        with out.open("w") as f:
            for record in gen.cases:
                f.write(json.dumps(record, separators=(",", ":")) + "\n")
        losses = sorted({c["loss"] for c in gen.cases})
        print(f"{out}: {len(gen.cases)} cases ({', '.join(losses)}); torch {torch.__version__}")


if __name__ == "__main__":
    main()
