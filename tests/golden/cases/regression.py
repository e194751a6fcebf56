"""Golden cases for the regression losses: l1, smooth_l1, huber, poisson_nll, gaussian_nll."""

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")
SHAPES = {"1d": (7,), "2d": (4, 3), "3d": (2, 3, 4), "scalar": ()}
NAN, INF = float("nan"), float("inf")


def cases(gen):
    l1_cases(gen)
    smooth_l1_cases(gen)
    huber_cases(gen)
    poisson_cases(gen)
    gaussian_cases(gen)


def pair(gen, shape, scale=1.0):
    return gen.randn(*shape, scale=scale), gen.randn(*shape, scale=scale)


def special_pair():
    """Exact hits, signed zeros, huge magnitudes, infinities and NaN, element by element."""
    x = torch.tensor([0.0, -0.0, 1.5, -2.0, 1e30, -1e30, INF, -INF, INF, NAN, 3.0, 0.25],
                     dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 1.5, -2.0, -1e30, 1e30, 0.0, 5.0, INF, 1.0, NAN, 0.25],
                     dtype=torch.float64)
    return x, y


def l1_cases(gen):
    for red in REDUCTIONS:
        for name, shape in SHAPES.items():
            x, y = pair(gen, shape)
            gen.both(f"l1/{name}/{red}", "l1_loss", F.l1_loss, {"input": x, "target": y},
                     {"reduction": red}, grads=["input", "target"])
            w = gen.rand(*shape, low=0.1, high=3.0)
            gen.both(f"l1/{name}/weighted/{red}", "l1_loss", F.l1_loss,
                     {"input": x, "target": y}, {"reduction": red, "weight": w},
                     grads=["input", "target"])
        # exact predictions: sign(0) = 0 gives no gradient
        x = gen.randn(3, 4)
        y = x.clone()
        y[0] += 1.0
        gen.both(f"l1/exact-hits/{red}", "l1_loss", F.l1_loss, {"input": x, "target": y},
                 {"reduction": red, "weight": None}, grads=["input", "target"])
        x, y = special_pair()
        gen.both(f"l1/special/{red}", "l1_loss", F.l1_loss, {"input": x, "target": y},
                 {"reduction": red}, grads=["input", "target"])
        x, y = pair(gen, (40, 25), scale=1e3)
        gen.both(f"l1/large/{red}", "l1_loss", F.l1_loss, {"input": x, "target": y},
                 {"reduction": red, "weight": gen.rand(40, 25)}, grads=["input", "target"])
        # zero weights mixed in, and an empty batch (mean of nothing is NaN)
        w = gen.rand(5, 2)
        w[1] = 0.0
        gen.both(f"l1/zero-weights/{red}", "l1_loss", F.l1_loss,
                 {"input": gen.randn(5, 2), "target": gen.randn(5, 2)},
                 {"reduction": red, "weight": w}, grads=["input", "target"])
        gen.both(f"l1/empty/{red}", "l1_loss", F.l1_loss,
                 {"input": gen.randn(0, 3), "target": gen.randn(0, 3)}, {"reduction": red},
                 grads=["input", "target"])


def smooth_l1_cases(gen):
    for red in REDUCTIONS:
        for beta in (1.0, 0.5, 2.5, 0.0, 1e-3, 1e4):
            for name, shape in SHAPES.items():
                x, y = pair(gen, shape, scale=2.0)
                gen.both(f"smooth_l1/{name}/beta{beta}/{red}", "smooth_l1_loss",
                         F.smooth_l1_loss, {"input": x, "target": y},
                         {"reduction": red, "beta": beta}, grads=["input", "target"])
        # differences exactly at +-beta, at zero, and just inside / outside
        x = torch.tensor([1.5, -0.5, 1.0, 0.75, 1.25, 0.0, 2.0], dtype=torch.float64)
        y = torch.tensor([1.0, 0.0, 1.0, 0.5, 0.5, 0.0, 1.5], dtype=torch.float64)
        for beta in (0.5, 0.0):
            gen.both(f"smooth_l1/threshold/beta{beta}/{red}", "smooth_l1_loss",
                     F.smooth_l1_loss, {"input": x, "target": y},
                     {"reduction": red, "beta": beta}, grads=["input", "target"])
        x, y = special_pair()
        for beta in (1.0, 0.0):
            gen.both(f"smooth_l1/special/beta{beta}/{red}", "smooth_l1_loss", F.smooth_l1_loss,
                     {"input": x, "target": y}, {"reduction": red, "beta": beta},
                     grads=["input", "target"])
        # an infinite beta: all quadratic, so zero for finite differences (not on special_pair:
        # float32 PyTorch overflows d^2 for |d| ~ 1e30 where lossfit's float64 does not)
        x, y = pair(gen, (3, 4), scale=10.0)
        x[0, 0], y[1, 1] = INF, NAN
        gen.both(f"smooth_l1/beta-inf/{red}", "smooth_l1_loss", F.smooth_l1_loss,
                 {"input": x, "target": y}, {"reduction": red, "beta": INF},
                 grads=["input", "target"])
        x, y = pair(gen, (30, 20), scale=1e2)
        gen.both(f"smooth_l1/large/{red}", "smooth_l1_loss", F.smooth_l1_loss,
                 {"input": x, "target": y}, {"reduction": red, "beta": 50.0},
                 grads=["input", "target"])
    # beta left at its default
    x, y = pair(gen, (6,))
    gen.both("smooth_l1/default-beta/mean", "smooth_l1_loss", F.smooth_l1_loss,
             {"input": x, "target": y}, {"reduction": "mean"},
             grads=["input", "target"])


def huber_cases(gen):
    for red in REDUCTIONS:
        for delta in (1.0, 0.3, 2.5, 1e-4, 1e3):
            for name, shape in SHAPES.items():
                x, y = pair(gen, shape, scale=2.0)
                gen.both(f"huber/{name}/delta{delta}/{red}", "huber_loss", F.huber_loss,
                         {"input": x, "target": y}, {"reduction": red, "delta": delta},
                         grads=["input", "target"])
                gen.both(f"huber/{name}/delta{delta}/weighted/{red}", "huber_loss", F.huber_loss,
                         {"input": x, "target": y},
                         {"reduction": red, "delta": delta,
                          "weight": gen.rand(*shape, low=0.0, high=2.0)},
                         grads=["input", "target"])
        x = torch.tensor([1.5, -0.5, 1.0, 0.75, 1.25, 0.0, 2.0], dtype=torch.float64)
        y = torch.tensor([1.0, 0.0, 1.0, 0.5, 0.5, 0.0, 1.5], dtype=torch.float64)
        gen.both(f"huber/threshold/{red}", "huber_loss", F.huber_loss, {"input": x, "target": y},
                 {"reduction": red, "delta": 0.5, "weight": None}, grads=["input", "target"])
        x, y = special_pair()
        for delta in (1.0, INF):
            gen.both(f"huber/special/delta{delta}/{red}", "huber_loss", F.huber_loss,
                     {"input": x, "target": y}, {"reduction": red, "delta": delta},
                     grads=["input", "target"])
        x, y = pair(gen, (30, 20), scale=1e2)
        gen.both(f"huber/large/{red}", "huber_loss", F.huber_loss, {"input": x, "target": y},
                 {"reduction": red, "delta": 50.0, "weight": gen.rand(30, 20)},
                 grads=["input", "target"])
    x, y = pair(gen, (6,))
    gen.both("huber/default-delta/mean", "huber_loss", F.huber_loss, {"input": x, "target": y},
             {"reduction": "mean"}, grads=["input", "target"])


def counts(gen, shape, high=8):
    """Count targets 0..high-1 with a few fractional values (PyTorch allows any real target)."""
    t = gen.randint(high, shape).double()
    if t.numel() > 2:
        t.view(-1)[1] = 0.5
        t.view(-1)[2] = 1.0
    return t


def poisson_cases(gen):
    for red in REDUCTIONS:
        for log_input in (True, False):
            for full in (False, True):
                for name, shape in SHAPES.items():
                    t = counts(gen, shape)
                    # avoid t == 0 with full: autograd's target gradient is NaN there
                    if full:
                        t = t.clamp(min=0.25)
                    x = gen.randn(*shape) if log_input else gen.rand(*shape, low=0.05, high=6.0)
                    eps = 1e-8 if name != "2d" else 0.1
                    base = f"poisson/{name}/log{int(log_input)}/full{int(full)}"
                    gen.both(f"{base}/{red}", "poisson_nll_loss", F.poisson_nll_loss,
                             {"input": x, "target": t},
                             {"log_input": log_input, "full": full, "eps": eps,
                              "reduction": red},
                             grads=["input", "target"])
        # zero rates (eps keeps the log finite), zero and non-positive targets with full
        x = torch.tensor([0.0, 0.0, 1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
        t = torch.tensor([0.0, 2.0, 0.0, -1.0, 1.0, 1.0000001], dtype=torch.float64)
        for full in (False, True):
            for eps in (1e-8, 0.5):
                gen.both(f"poisson/edge/full{int(full)}/eps{eps}/{red}", "poisson_nll_loss",
                         F.poisson_nll_loss, {"input": x, "target": t},
                         {"log_input": False, "full": full, "eps": eps, "reduction": red},
                         grads=["input", "target"])
            gen.both(f"poisson/edge-log/full{int(full)}/{red}", "poisson_nll_loss",
                     F.poisson_nll_loss, {"input": x - 1.0, "target": t},
                     {"log_input": True, "full": full, "eps": 1e-8, "reduction": red},
                     grads=["input", "target"])
        # large counts (Stirling term dominates) and large rates. float64 only: the value is a
        # small difference of terms ~ 1e4, which float32 PyTorch rounds term by term (errors
        # ~ 1e-4 absolute), while lossfit computes in float64 and rounds once.
        t = gen.randint(1000, (5, 4)).double() + 2.0
        gen.case(f"poisson/large-counts/{red}", "poisson_nll_loss", F.poisson_nll_loss,
                 {"input": torch.log(t) + gen.randn(5, 4, scale=0.1), "target": t},
                 {"log_input": True, "full": True, "eps": 1e-8, "reduction": red},
                 grads=["input", "target"])
        gen.case(f"poisson/large-rates/{red}", "poisson_nll_loss", F.poisson_nll_loss,
                 {"input": gen.rand(5, 4, low=1.0, high=1e4), "target": t},
                 {"log_input": False, "full": True, "eps": 1e-8, "reduction": red},
                 grads=["input", "target"])
        # moderate counts in both dtypes
        t = gen.randint(30, (4, 3)).double() + 2.0
        gen.both(f"poisson/moderate-counts/{red}", "poisson_nll_loss", F.poisson_nll_loss,
                 {"input": torch.log(t) + gen.randn(4, 3, scale=0.3), "target": t},
                 {"log_input": True, "full": True, "eps": 1e-8, "reduction": red},
                 grads=["input", "target"])
    # every option left at its default
    gen.both("poisson/defaults/mean", "poisson_nll_loss", F.poisson_nll_loss,
             {"input": gen.randn(3, 5), "target": counts(gen, (3, 5))}, {},
             grads=["input", "target"])


def gaussian_cases(gen):
    layouts = {
        # name: (input shape, var shape)
        "hetero-2d": ((4, 3), (4, 3)),
        "per-row": ((4, 3), (4,)),
        "per-row-keepdim": ((4, 3), (4, 1)),
        "per-column": ((4, 3), (1, 3)),
        "hetero-1d": ((6,), (6,)),
        "shared-1d": ((6,), (1,)),
        "scalar-var-1d": ((6,), ()),
        "scalar": ((), ()),
        "image-channels": ((2, 3, 2, 2), (2, 1, 2, 2)),
        "image-per-pixel-row": ((2, 3, 2, 2), (2, 3, 2)),
        "3d-middle": ((2, 3, 4), (2, 1, 4)),
    }
    for red in REDUCTIONS:
        for full in (False, True):
            for name, (shape, var_shape) in layouts.items():
                x, y = pair(gen, shape)
                v = gen.rand(*var_shape, low=0.05, high=3.0)
                gen.both(f"gnll/{name}/full{int(full)}/{red}", "gaussian_nll_loss",
                         F.gaussian_nll_loss, {"input": x, "target": y, "var": v},
                         {"full": full, "eps": 1e-6, "reduction": red},
                         grads=["input", "target", "var"])
            # a Python float var (no gradient)
            x, y = pair(gen, (3, 4))
            gen.both(f"gnll/float-var/full{int(full)}/{red}", "gaussian_nll_loss",
                     F.gaussian_nll_loss, {"input": x, "target": y},
                     {"var": 0.7, "full": full, "eps": 1e-6, "reduction": red},
                     grads=["input", "target"])
        # variances below eps (and zero) are clamped; autograd still passes a var gradient
        x, y = pair(gen, (2, 4))
        v = torch.tensor([[0.0, 1e-9, 1e-3, 0.5], [2e-2, 0.0, 1.0, 1e-7]], dtype=torch.float64)
        for eps in (1e-6, 1e-2):
            gen.both(f"gnll/clamped/eps{eps}/{red}", "gaussian_nll_loss", F.gaussian_nll_loss,
                     {"input": x, "target": y, "var": v},
                     {"full": True, "eps": eps, "reduction": red},
                     grads=["input", "target", "var"])
        gen.both(f"gnll/float-var-clamped/{red}", "gaussian_nll_loss", F.gaussian_nll_loss,
                 {"input": x, "target": y}, {"var": 0.0, "eps": 0.1, "reduction": red},
                 grads=["input", "target"])
        # exact predictions and large errors
        x = gen.randn(3, 3)
        y = x.clone()
        y[1] += 1e3
        gen.both(f"gnll/exact-and-far/{red}", "gaussian_nll_loss", F.gaussian_nll_loss,
                 {"input": x, "target": y, "var": gen.rand(3, low=0.5, high=2.0)},
                 {"full": False, "eps": 1e-6, "reduction": red},
                 grads=["input", "target", "var"])
    gen.both("gnll/defaults/mean", "gaussian_nll_loss", F.gaussian_nll_loss,
             {"input": gen.randn(5, 2), "target": gen.randn(5, 2),
              "var": gen.rand(5, 1, low=0.1, high=1.0)}, {},
             grads=["input", "target", "var"])
