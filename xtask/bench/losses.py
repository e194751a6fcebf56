#!/usr/bin/env python3
"""Times lossfit's loss kernels against PyTorch CPU in one process, interleaved.

Run by `cargo xtask bench losses`, once per thread count and allocator mode; it can also be run
by hand:

    RAYON_NUM_THREADS=2 python losses.py --lib target/release/liblossfit_bench.so --threads 2

Both sides read the same bytes: inputs are numpy arrays, PyTorch sees them through
torch.from_numpy and lossfit through the lossfit-bench cdylib (ctypes). Each case runs ours
and PyTorch alternately (A, B, A, B, ...): 3 warm-up pairs, then --pairs timed pairs, one
time.perf_counter_ns() around each call. The forward+backward PyTorch call is what a training
step pays: a fresh leaf tensor, the loss, loss.backward() (PyTorch allocates the gradient; ours
writes into a buffer allocated once). After the timed pairs one untimed pair checks the values
and gradients (ours written into a NaN-filled buffer), so a fast wrong kernel cannot pass.

Memory bandwidth (STREAM triad, and a read-only sum) is measured on rayon's pool in the same
process, right before the loss cases and again right after them; the medians of both series
together are the reference each case's GB/s is compared with.

Exit status: 0 when every check passed, 1 when one failed (the JSON is written anyway), 2 on a
usage error.
"""

import argparse
import ctypes
import datetime
import gc
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
WARMUP_PAIRS = 3
MIN_PAIRS = 21
IGNORE_INDEX = -100
# Values: relative error of ours against PyTorch's. Gradients: the largest absolute difference
# against a tolerance scaled by the largest PyTorch gradient (f32 rounding in two different
# summation orders stays orders of magnitude below it; a wrong formula does not).
VALUE_RTOL = 1e-4
GRAD_RTOL_OF_MAX = 1e-5
GRAD_ATOL = 1e-12

# Shapes.
CE_SMALL = (8192, 1000)
CE_LARGE = (2048, 32000)
POINTWISE = (8192, 1000)
BANDWIDTH_LEN = 2048 * 32000

# lf_pointwise_fwd_bwd kinds, their lossfit-bench parameters and PyTorch's loss.
POINTWISE_KINDS = [
    ("mse", 0, (0.0, 0.0)),
    ("l1", 1, (0.0, 0.0)),
    ("smooth_l1", 2, (1.0, 0.0)),
    ("huber", 3, (1.0, 0.0)),
    ("bce_logits", 4, (0.0, 0.0)),
    ("sigmoid_focal", 5, (0.25, 2.0)),
]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lib", required=True, help="path of liblossfit_bench.so")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS, help="timed pairs per case (>= 21)")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--quick", action="store_true", help="only ce fwd+bwd (both shapes), the ce buffer forms and triad")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.pairs < MIN_PAIRS:
        parser.error(f"--pairs must be at least {MIN_PAIRS} (got {args.pairs})")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


class Lib:
    """The lossfit-bench exports, with their C signatures."""

    def __init__(self, path):
        lib = ctypes.CDLL(os.path.abspath(path))
        p, size, f64, i64 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_double, ctypes.c_int64
        lib.lf_ce_fwd_bwd.argtypes = [p, p, size, size, p, i64, f64, p]
        lib.lf_ce_fwd_bwd.restype = f64
        lib.lf_ce_fwd.argtypes = [p, p, size, size, p, i64, f64]
        lib.lf_ce_fwd.restype = f64
        lib.lf_pointwise_fwd_bwd.argtypes = [ctypes.c_uint32, p, p, size, f64, f64, p]
        lib.lf_pointwise_fwd_bwd.restype = f64
        lib.lf_triad.argtypes = [p, p, p, size, ctypes.c_float]
        lib.lf_triad.restype = None
        lib.lf_read_sum.argtypes = [p, size]
        lib.lf_read_sum.restype = f64
        lib.lf_threads.argtypes = []
        lib.lf_threads.restype = size
        lib.lf_backend.argtypes = [p, size]
        lib.lf_backend.restype = size
        lib.lf_ce_typed_into.argtypes = [p, p, size, size, p]
        lib.lf_ce_typed_into.restype = f64
        lib.lf_ce_in_place.argtypes = [p, p, size, size]
        lib.lf_ce_in_place.restype = f64
        lib.lf_step_new.argtypes = [p, p, size, size]
        lib.lf_step_new.restype = p
        for name in ("lf_step_reload",):
            getattr(lib, name).argtypes = [p, p]
            getattr(lib, name).restype = f64
        for name in ("lf_step_loss_into", "lf_step_loss_in_place", "lf_step_typed_in_place"):
            getattr(lib, name).argtypes = [p]
            getattr(lib, name).restype = f64
        lib.lf_step_grad.argtypes = [p, ctypes.c_uint32, p]
        lib.lf_step_grad.restype = f64
        lib.lf_step_free.argtypes = [p]
        lib.lf_step_free.restype = None
        self.lib = lib

    def __getattr__(self, name):
        return getattr(self.lib, name)

    def threads(self):
        return self.lib.lf_threads()

    def backend(self):
        buf = ctypes.create_string_buffer(128)
        n = self.lib.lf_backend(ctypes.addressof(buf), len(buf))
        return buf.raw[: min(n, len(buf))].decode("utf-8", "replace")


def ptr(array):
    """The data pointer of a C-contiguous numpy array (or None for no array)."""
    if array is None:
        return None
    assert array.flags["C_CONTIGUOUS"], "buffers must be C-contiguous"
    return array.ctypes.data


def ns_stats(times_ns):
    ms = [t / 1e6 for t in times_ns]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "times_ms": ms}


def series(calls, pairs):
    """Runs the timed callables round-robin; returns one list of ns per callable."""
    times = [[] for _ in calls]
    gc.collect()
    gc.disable()
    try:
        for i in range(WARMUP_PAIRS + pairs):
            for k, call in enumerate(calls):
                dt = call()
                if i >= WARMUP_PAIRS:
                    times[k].append(dt)
    finally:
        gc.enable()
    return times


def timed(fn, restore=None):
    """A callable that times one call of fn (and stores its result on itself); restore, when
    given, runs untimed right before (an in-place form's logits are written back)."""

    def call():
        if restore is not None:
            restore()
        t0 = time.perf_counter_ns()
        result = fn()
        t1 = time.perf_counter_ns()
        call.results.append(result)
        return t1 - t0

    call.results = []
    return call


def timed_torch_backward(make_loss, xnp):
    """Times one PyTorch forward + backward on a fresh leaf viewing xnp.

    The leaf (and its gradient) is dropped on return, as in a training step, so the next call's
    allocations see the same free memory; call(keep=True) keeps it in call.last for the check.
    """

    def call(keep=False):
        x = torch.from_numpy(xnp).requires_grad_()
        t0 = time.perf_counter_ns()
        loss = make_loss(x)
        loss.backward()
        t1 = time.perf_counter_ns()
        if keep:
            call.last = (loss.detach(), x)
        return t1 - t0

    call.last = None
    return call


# ---------------------------------------------------------------------------------------------
# Checks.


def check_value(ours_values, torch_value):
    torch_value = float(torch_value)
    worst = 0.0
    for v in ours_values:
        v = float(v)
        err = abs(v - torch_value) / max(abs(torch_value), 1e-30) if v == v else float("inf")
        worst = max(worst, err)
    return {"value_ours": float(ours_values[-1]), "value_torch": torch_value,
            "value_rel_err": worst, "value_rtol": VALUE_RTOL, "ok": worst <= VALUE_RTOL}


def check_grad(check, ours_grad, torch_grad):
    torch_grad = torch_grad.numpy()
    scale = float(np.max(np.abs(torch_grad)))
    tol = GRAD_RTOL_OF_MAX * scale + GRAD_ATOL
    with np.errstate(invalid="ignore"):
        diff = np.abs(ours_grad.astype(np.float64) - torch_grad.astype(np.float64))
    finite = bool(np.isfinite(ours_grad).all())
    worst = float(np.max(diff)) if finite else float("inf")
    check.update({"grad_max_abs_diff": worst, "grad_max_abs_torch": scale, "grad_tol": tol})
    check["ok"] = check["ok"] and finite and worst <= tol
    return check


def describe_check(check):
    text = f"value rel err {check['value_rel_err']:.1e} (<= {check['value_rtol']:.0e})"
    if "grad_max_abs_diff" in check:
        text += (f", grad max |diff| {check['grad_max_abs_diff']:.2e} <= {check['grad_tol']:.2e}"
                 f" (1e-5 x max|grad| {check['grad_max_abs_torch']:.2e} + 1e-12)")
    return text


# ---------------------------------------------------------------------------------------------
# Inputs (numpy, shared byte for byte with PyTorch).


def logits(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(2.0)


def class_targets(rng, n, c, ignored_fraction=0.0):
    t = rng.integers(0, c, size=n, dtype=np.int64)
    if ignored_fraction > 0:
        t[rng.random(n) < ignored_fraction] = IGNORE_INDEX
    return t


# ---------------------------------------------------------------------------------------------
# Cases.


def ce_case(lib, rng, shape, pairs, opts):
    """ce fwd+bwd (plain), or ce +w+ii+ls with ours-plain interleaved as a third call."""
    n, c = shape
    xnp = logits(rng, shape)
    t_plain = class_targets(rng, n, c)
    grad = np.empty(shape, dtype=np.float32)
    tt_plain = torch.from_numpy(t_plain)

    def ours_plain():
        return lib.lf_ce_fwd_bwd(ptr(xnp), ptr(t_plain), n, c, None, IGNORE_INDEX, 0.0, ptr(grad))

    if not opts:
        ours = timed(ours_plain)
        theirs = timed_torch_backward(lambda x: F.cross_entropy(x, tt_plain), xnp)
        calls = [ours, theirs]
        verify_ours, verify_torch = ours_plain, theirs
    else:
        t = class_targets(rng, n, c, ignored_fraction=0.05)
        w = rng.uniform(0.5, 2.0, size=c).astype(np.float32)
        tt, wt = torch.from_numpy(t), torch.from_numpy(w)

        def ours_opts():
            return lib.lf_ce_fwd_bwd(ptr(xnp), ptr(t), n, c, ptr(w), IGNORE_INDEX, 0.1, ptr(grad))

        ours = timed(ours_opts)
        theirs = timed_torch_backward(
            lambda x: F.cross_entropy(x, tt, weight=wt, ignore_index=IGNORE_INDEX,
                                      label_smoothing=0.1), xnp)
        plain = timed(ours_plain)
        calls = [ours, theirs, plain]
        verify_ours, verify_torch = ours_opts, theirs
    times = series(calls, pairs)

    # Untimed check: ours into a poisoned buffer, then PyTorch.
    grad.fill(np.nan)
    ours_value = verify_ours()
    verify_torch(keep=True)
    torch_loss, x = verify_torch.last
    check = check_grad(check_value(ours.results[WARMUP_PAIRS:] + [ours_value], torch_loss.item()),
                       grad, x.grad)
    result = case_result("ce +w+ii+ls" if opts else "ce fwd+bwd", shape, times[0], times[1],
                         bytes_moved=2 * n * c * 4 + n * 8, reference="triad", check=check)
    if opts:
        plain_stats = ns_stats(times[2])
        result["ours_plain"] = plain_stats
        result["opts_over_plain_median"] = result["ours"]["median_ms"] / plain_stats["median_ms"]
        result["opts_over_plain_min"] = result["ours"]["min_ms"] / plain_stats["min_ms"]
        result["note"] = "ours-opts, torch-opts, ours-plain interleaved in one series"
    return result


def ce_forms_case(lib, rng, shape, pairs):
    """The buffer forms of cross-entropy against PyTorch, all in one interleaved series.

    Into a gradient buffer the caller keeps: the functional kernel (lf_ce_fwd_bwd), the typed
    layer (CrossEntropy::compute_into on a borrowed LogitsView) and the derive
    (ModelOutput::loss_into on an output struct the step owns). In place (the logits become the
    gradient): the functional kernel, CrossEntropy::compute_in_place and
    ModelOutput::loss_in_place. Before each in-place call the logits are restored, untimed,
    as the next forward pass would write them. One row per form, each with its ratio to
    PyTorch and to the functional into-buffer kernel of the same series.
    """
    n, c = shape
    xnp = logits(rng, shape)
    t = class_targets(rng, n, c)
    tt = torch.from_numpy(t)
    grad = np.empty(shape, dtype=np.float32)
    scratch = np.empty(shape, dtype=np.float32)
    step_into = lib.lf_step_new(ptr(xnp), ptr(t), n, c)
    step_in_place = lib.lf_step_new(ptr(xnp), ptr(t), n, c)
    if not step_into or not step_in_place:
        raise RuntimeError("lf_step_new failed (message above)")
    try:
        def restore_scratch():
            np.copyto(scratch, xnp)

        def restore_step():
            lib.lf_step_reload(step_in_place, ptr(xnp))

        forms = [
            # (case, restore before the call or None, the call, where its gradient is)
            ("ce into fn", None,
             lambda: lib.lf_ce_fwd_bwd(ptr(xnp), ptr(t), n, c, None, IGNORE_INDEX, 0.0, ptr(grad)),
             lambda out: np.copyto(out, grad)),
            ("ce into typed", None,
             lambda: lib.lf_ce_typed_into(ptr(xnp), ptr(t), n, c, ptr(grad)),
             lambda out: np.copyto(out, grad)),
            ("ce into derive", None,
             lambda: lib.lf_step_loss_into(step_into),
             lambda out: lib.lf_step_grad(step_into, 0, ptr(out))),
            ("ce in-place fn", restore_scratch,
             lambda: lib.lf_ce_in_place(ptr(scratch), ptr(t), n, c),
             lambda out: np.copyto(out, scratch)),
            ("ce in-place typed", restore_step,
             lambda: lib.lf_step_typed_in_place(step_in_place),
             lambda out: lib.lf_step_grad(step_in_place, 1, ptr(out))),
            ("ce in-place derive", restore_step,
             lambda: lib.lf_step_loss_in_place(step_in_place),
             lambda out: lib.lf_step_grad(step_in_place, 1, ptr(out))),
        ]

        calls = [timed(fn, restore) for _, restore, fn, _ in forms]
        theirs = timed_torch_backward(lambda x: F.cross_entropy(x, tt), xnp)
        times = series(calls + [theirs], pairs)

        theirs(keep=True)
        torch_loss, x = theirs.last
        out = np.empty(shape, dtype=np.float32)
        fn_stats = ns_stats(times[0])
        results = []
        for k, (case, restore, fn, read_grad) in enumerate(forms):
            grad.fill(np.nan)
            if restore is not None:
                restore()
            value = fn()
            out.fill(np.nan)
            read_grad(out)
            check = check_grad(check_value(calls[k].results[WARMUP_PAIRS:] + [value],
                                           torch_loss.item()), out, x.grad)
            result = case_result(case, shape, times[k], times[-1],
                                 bytes_moved=2 * n * c * 4 + n * 8, reference="triad", check=check)
            result["over_fn_into_median"] = result["ours"]["median_ms"] / fn_stats["median_ms"]
            result["over_fn_into_min"] = result["ours"]["min_ms"] / fn_stats["min_ms"]
            result["note"] = ("six lossfit forms and torch interleaved in one series; in-place "
                              "forms restore their logits untimed before each call")
            results.append(result)
        return results
    finally:
        lib.lf_step_free(step_into)
        lib.lf_step_free(step_in_place)


def ce_forward_case(lib, rng, shape, pairs):
    n, c = shape
    xnp = logits(rng, shape)
    t = class_targets(rng, n, c)
    xt, tt = torch.from_numpy(xnp), torch.from_numpy(t)

    ours = timed(lambda: lib.lf_ce_fwd(ptr(xnp), ptr(t), n, c, None, IGNORE_INDEX, 0.0))

    def torch_forward():
        with torch.no_grad():
            return F.cross_entropy(xt, tt)

    theirs = timed(torch_forward)
    times = series([ours, theirs], pairs)
    check = check_value(ours.results[WARMUP_PAIRS:], theirs.results[-1].item())
    return case_result("ce fwd", shape, times[0], times[1], bytes_moved=n * c * 4 + n * 8,
                       reference="read_sum", check=check)


def torch_sigmoid_focal(x, y, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss, written out in torch ops, with reduction="mean"."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        loss = alpha_t * loss
    return loss.mean()


def torch_pointwise(name, params):
    p1, p2 = params
    return {
        "mse": lambda x, y: F.mse_loss(x, y),
        "l1": lambda x, y: F.l1_loss(x, y),
        "smooth_l1": lambda x, y: F.smooth_l1_loss(x, y, beta=p1),
        "huber": lambda x, y: F.huber_loss(x, y, delta=p1),
        "bce_logits": lambda x, y: F.binary_cross_entropy_with_logits(x, y),
        "sigmoid_focal": lambda x, y: torch_sigmoid_focal(x, y, p1, p2),
    }[name]


def pointwise_case(lib, rng, name, kind, params, shape, pairs):
    length = shape[0] * shape[1]
    xnp = logits(rng, shape)
    if name in ("bce_logits", "sigmoid_focal"):
        ynp = (rng.random(shape) < 0.5).astype(np.float32)
    else:
        ynp = rng.standard_normal(shape, dtype=np.float32)
    grad = np.empty(shape, dtype=np.float32)
    yt = torch.from_numpy(ynp)
    loss_fn = torch_pointwise(name, params)

    def ours_call():
        return lib.lf_pointwise_fwd_bwd(kind, ptr(xnp), ptr(ynp), length, params[0], params[1],
                                        ptr(grad))

    ours = timed(ours_call)
    theirs = timed_torch_backward(lambda x: loss_fn(x, yt), xnp)
    times = series([ours, theirs], pairs)
    grad.fill(np.nan)
    ours_value = ours_call()
    theirs(keep=True)
    torch_loss, x = theirs.last
    check = check_grad(check_value(ours.results[WARMUP_PAIRS:] + [ours_value], torch_loss.item()),
                       grad, x.grad)
    return case_result(name, shape, times[0], times[1], bytes_moved=3 * length * 4,
                       reference="triad", check=check)


def case_result(case, shape, ours_ns, torch_ns, bytes_moved, reference, check):
    ours, theirs = ns_stats(ours_ns), ns_stats(torch_ns)
    return {
        "case": case,
        "shape": list(shape),
        "ours": ours,
        "torch": theirs,
        "ratio_median": theirs["median_ms"] / ours["median_ms"],
        "ratio_min": theirs["min_ms"] / ours["min_ms"],
        "bytes": bytes_moved,
        "ours_gbps": bytes_moved / (ours["median_ms"] * 1e6),
        "torch_gbps": bytes_moved / (theirs["median_ms"] * 1e6),
        "reference": reference,
        "check": check,
    }


def bandwidth(lib, pairs, with_read_sum):
    """Triad (and read-sum) runs, alternating; returns ns lists. Frees its arrays on return."""
    n = BANDWIDTH_LEN
    b = np.full(n, 1.0, dtype=np.float32)
    c = np.full(n, 2.0, dtype=np.float32)
    a = np.zeros(n, dtype=np.float32)

    triad = timed(lambda: lib.lf_triad(ptr(a), ptr(b), ptr(c), n, 3.0))
    calls = [triad]
    if with_read_sum:
        calls.append(timed(lambda: lib.lf_read_sum(ptr(b), n)))
    times = series(calls, pairs)
    ok = bool(a[0] == 7.0 and a[-1] == 7.0)
    if with_read_sum:
        sums = calls[1].results
        ok = ok and all(s == float(n) for s in sums)
    return times, ok


def bandwidth_results(before, after, ok, with_read_sum):
    n = BANDWIDTH_LEN
    out = []
    names = [("triad", 3 * n * 4)] + ([("read_sum", n * 4)] if with_read_sum else [])
    for k, (name, nbytes) in enumerate(names):
        both = before[k] + after[k]
        stats = ns_stats(both)
        out.append({
            "case": name,
            "shape": [2048, 32000],
            "bytes": nbytes,
            "ours": stats,
            "gbps": nbytes / (stats["median_ms"] * 1e6),
            "gbps_best": nbytes / (stats["min_ms"] * 1e6),
            # bytes per ns is GB/s.
            "gbps_before": nbytes / statistics.median(before[k]),
            "gbps_after": nbytes / statistics.median(after[k]),
            "check": {"ok": ok},
        })
    return out


# ---------------------------------------------------------------------------------------------
# Report.


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def allocator_mode():
    mmap_max = os.environ.get("MALLOC_MMAP_MAX_")
    if mmap_max is None:
        return "default"
    trim = os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset")
    return f"warm (MALLOC_MMAP_MAX_={mmap_max} MALLOC_TRIM_THRESHOLD_={trim})"


def row(r, refs):
    shape = "x".join(str(d) for d in r["shape"])
    ours, theirs = r["ours"], r["torch"]
    ref = refs.get(r["reference"])
    frac = f"{r['ours_gbps'] / ref:5.2f} of {r['reference']}" if ref else "-"
    status = "OK" if r["check"]["ok"] else "FAIL"
    return (f"{r['case']:<18} {shape:>10}  {ours['median_ms']:9.3f} {ours['min_ms']:9.3f}  "
            f"{theirs['median_ms']:9.3f} {theirs['min_ms']:9.3f}  {r['ratio_median']:6.2f} "
            f"{r['ratio_min']:6.2f}  {r['ours_gbps']:7.1f}  {frac:<17} {status}")


HEADER = (f"{'case':<18} {'shape':>10}  {'ours med':>9} {'ours min':>9}  {'torch med':>9} "
          f"{'torch min':>9}  {'t/o med':>6} {'t/o min':>6}  {'GB/s':>7}  {'of same-run bw':<17} check")


def main(argv):
    args = parse_args(argv)
    lib = Lib(args.lib)
    torch.set_num_threads(args.threads)
    rayon_threads = lib.threads()
    header = {
        "cpu": cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "lossfit_threads": rayon_threads,
        "backend": lib.backend(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "allocator": allocator_mode(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "pairs": args.pairs,
        "warmup_pairs": WARMUP_PAIRS,
        "quick": args.quick,
        "seed": args.seed,
        "bandwidth": "triad/read-sum series right before and right after the loss cases",
    }
    print(f"# {header['cpu']} | threads torch {header['torch_threads']} lossfit {rayon_threads} | "
          f"backend {header['backend']} | torch {header['torch']} | allocator {header['allocator']}"
          f" | {header['date']}", flush=True)
    if rayon_threads != args.threads:
        print(f"warning: lossfit runs on {rayon_threads} rayon threads, PyTorch on {args.threads}: "
              f"set RAYON_NUM_THREADS={args.threads}", flush=True)

    rng = np.random.default_rng(args.seed)
    with_read_sum = not args.quick
    before, ok_before = bandwidth(lib, args.pairs, with_read_sum)
    print(f"bandwidth (before): triad {3 * BANDWIDTH_LEN * 4 / statistics.median(before[0]):.1f} GB/s"
          + (f", read-sum {BANDWIDTH_LEN * 4 / statistics.median(before[1]):.1f} GB/s"
             if with_read_sum else ""), flush=True)

    cases = []

    def run(label, fn):
        print(f"... {label}", end="", flush=True)
        started = time.perf_counter()
        result = fn()
        cases.extend(result if isinstance(result, list) else [result])
        print(f" {time.perf_counter() - started:.1f} s", flush=True)

    run("ce fwd+bwd 8192x1000", lambda: ce_case(lib, rng, CE_SMALL, args.pairs, opts=False))
    run("ce fwd+bwd 2048x32000", lambda: ce_case(lib, rng, CE_LARGE, args.pairs, opts=False))
    run("ce buffer forms 2048x32000", lambda: ce_forms_case(lib, rng, CE_LARGE, args.pairs))
    if not args.quick:
        run("ce fwd 2048x32000", lambda: ce_forward_case(lib, rng, CE_LARGE, args.pairs))
        run("ce +w+ii+ls 8192x1000", lambda: ce_case(lib, rng, CE_SMALL, args.pairs, opts=True))
        run("ce +w+ii+ls 2048x32000", lambda: ce_case(lib, rng, CE_LARGE, args.pairs, opts=True))
        for name, kind, params in POINTWISE_KINDS:
            run(f"{name} 8192x1000",
                lambda name=name, kind=kind, params=params:
                pointwise_case(lib, rng, name, kind, params, POINTWISE, args.pairs))

    after, ok_after = bandwidth(lib, args.pairs, with_read_sum)
    bw = bandwidth_results(before, after, ok_before and ok_after, with_read_sum)
    refs = {b["case"]: b["gbps"] for b in bw}

    print()
    print(HEADER)
    for r in cases:
        r["frac_of_reference"] = r["ours_gbps"] / refs[r["reference"]] if r["reference"] in refs else None
        print(row(r, refs))
    for b in bw:
        print(f"{b['case']:<18} {'2048x32000':>10}  {b['ours']['median_ms']:9.3f} "
              f"{b['ours']['min_ms']:9.3f}  {'':>9} {'':>9}  {'':>6} {'':>6}  {b['gbps']:7.1f}  "
              f"before {b['gbps_before']:.1f} after {b['gbps_after']:.1f} GB/s"
              f"  {'OK' if b['check']['ok'] else 'FAIL'}")
    print("\nms per call; t/o = torch / ours (> 1: ours faster); GB/s from our median "
          "(ce fwd+bwd 2*n*c*4 + n*8, ce fwd n*c*4 + n*8, pointwise 3*len*4 bytes), as a fraction "
          "of the same run's triad (fwd+bwd) or read-sum (fwd) median GB/s.")
    for r in cases:
        if "opts_over_plain_median" in r:
            print(f"{r['case']} {'x'.join(map(str, r['shape']))}: {r['opts_over_plain_median']:.2f}x "
                  f"our plain ce fwd+bwd (medians; {r['opts_over_plain_min']:.2f}x of minima), "
                  f"{r['note']}")
    for r in cases:
        if "over_fn_into_median" in r:
            print(f"{r['case']} {'x'.join(map(str, r['shape']))}: {r['over_fn_into_median']:.3f}x "
                  f"the functional into-buffer kernel's time (medians; "
                  f"{r['over_fn_into_min']:.3f}x of minima), {r['note']}")
    print("checks:")
    for r in cases:
        print(f"  {r['case']:<18} {'x'.join(map(str, r['shape'])):>10}  "
              f"{'OK  ' if r['check']['ok'] else 'FAIL'}  {describe_check(r['check'])}")

    failed = [r for r in cases + bw if not r["check"]["ok"]]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"header": header, "cases": cases, "bandwidth": bw,
                       "failed": len(failed)}, f, indent=1)
    if failed:
        names = ", ".join(f"{r['case']} {'x'.join(map(str, r['shape']))}" for r in failed)
        message = f"FAIL: {len(failed)} case(s) disagree with PyTorch: {names}"
        print(f"\n{'!' * len(message)}\n{message}\n{'!' * len(message)}", flush=True)
        print(message, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
