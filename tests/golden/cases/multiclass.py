"""Golden cases for multi_margin_loss, softmax_focal_loss and kl_div."""

import warnings

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")
KL_REDUCTIONS = ("none", "mean", "sum", "batchmean")

# kl_div warns on reduction="mean" (LL008 in losslint); the cases use it on purpose.
warnings.filterwarnings("ignore", message="reduction: .mean. divides the total loss")


def cases(gen):
    multi_margin_cases(gen)
    softmax_focal_cases(gen)
    kl_div_cases(gen)


# --- multi_margin_loss --------------------------------------------------------------------------

def multi_margin_cases(gen):
    shapes = {"5x4": (5, 4), "3x7": (3, 7), "8x2": (8, 2)}
    for name, (n, c) in shapes.items():
        for red in REDUCTIONS:
            x = gen.randn(n, c)
            t = gen.randint(c, (n,))
            w = gen.rand(c, low=0.2, high=2.0)
            for p in (1, 2):
                base = f"mm/{name}/p{p}"
                gen.both(f"{base}/default-margin/{red}", "multi_margin_loss", F.multi_margin_loss,
                         {"input": x, "target": t},
                         {"p": p, "margin": 1.0, "weight": None, "reduction": red},
                         grads=["input"])
                gen.both(f"{base}/weighted-margin/{red}", "multi_margin_loss", F.multi_margin_loss,
                         {"input": x, "target": t},
                         {"p": p, "margin": 0.6, "weight": w, "reduction": red}, grads=["input"])
                gen.both(f"{base}/wide-margin/{red}", "multi_margin_loss", F.multi_margin_loss,
                         {"input": x, "target": t},
                         {"p": p, "margin": 2.5, "weight": w, "reduction": red}, grads=["input"])
    for red in REDUCTIONS:
        for p in (1, 2):
            # unbatched (C,) input with a 0-d target, and with a (1,) target
            x = gen.randn(6)
            gen.both(f"mm/unbatched/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.tensor(2)},
                     {"p": p, "margin": 1.5, "reduction": red}, grads=["input"])
            gen.both(f"mm/unbatched-target1/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.tensor([4])},
                     {"p": p, "weight": gen.rand(6, low=0.5, high=1.5), "reduction": red},
                     grads=["input"])
            # exactly at the kink: z = margin - x[y] + x[i] == 0 in both dtypes (dyadic values)
            x = torch.tensor([[1.0, 0.0, 0.0, 0.25], [0.0, 2.0, 1.0, 1.5], [0.5, -0.5, 0.75, -0.25]],
                             dtype=torch.float64)
            gen.both(f"mm/at-kink/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.tensor([0, 1, 2])},
                     {"p": p, "margin": 1.0, "reduction": red}, grads=["input"])
            gen.both(f"mm/at-kink-margin/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.tensor([3, 1, 0])},
                     {"p": p, "margin": 0.75, "reduction": red}, grads=["input"])
            # huge magnitudes, negative and zero margins
            gen.both(f"mm/huge/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": gen.randn(4, 5, scale=1e4), "target": gen.randint(5, (4,))},
                     {"p": p, "margin": 1.0, "reduction": red}, grads=["input"])
            gen.both(f"mm/negative-margin/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": gen.randn(4, 5), "target": gen.randint(5, (4,))},
                     {"p": p, "margin": -0.4, "reduction": red}, grads=["input"])
            gen.both(f"mm/zero-margin/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": gen.randn(4, 5), "target": gen.randint(5, (4,))},
                     {"p": p, "margin": 0.0, "weight": gen.rand(5), "reduction": red},
                     grads=["input"])
            # one class: every loss is 0
            gen.both(f"mm/one-class/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": gen.randn(3, 1), "target": torch.zeros(3, dtype=torch.int64)},
                     {"p": p, "reduction": red}, grads=["input"])
            # inf scores (infinite loss, finite p=1 gradient) and NaN scores (PyTorch: inactive)
            x = gen.randn(4, 3)
            x[0, 1] = float("inf")
            x[1, 0] = float("-inf")
            x[2, 2] = float("nan")
            x[3, 0] = float("nan")
            gen.both(f"mm/non-finite/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.tensor([0, 0, 1, 0])},
                     {"p": p, "reduction": red}, grads=["input"])
    # float32 kinks: z == 0 in float32 arithmetic ((margin - x[y]) + x[i], rounded each step)
    # but not in float64, and the other way round; PyTorch decides in the input's dtype
    a = torch.tensor([0.1, 0.3, 0.7, 1.9], dtype=torch.float32)
    margin = 1.0
    on_f32_kink = -((margin - a).to(torch.float32))
    x = torch.stack([a, on_f32_kink.to(torch.float32), torch.zeros(4), a - 5.0], dim=1).double()
    for red in REDUCTIONS:
        for p in (1, 2):
            gen.both(f"mm/f32-kink/p{p}/{red}", "multi_margin_loss", F.multi_margin_loss,
                     {"input": x, "target": torch.zeros(4, dtype=torch.int64)},
                     {"p": p, "margin": margin, "reduction": red}, grads=["input"])
    # a 0-d input is one sample of one class
    for red in REDUCTIONS:
        gen.both(f"mm/scalar-input/{red}", "multi_margin_loss", F.multi_margin_loss,
                 {"input": torch.tensor(0.7), "target": torch.tensor(0)},
                 {"p": 1, "reduction": red}, grads=["input"])
    # many classes
    gen.both("mm/many-classes/mean", "multi_margin_loss", F.multi_margin_loss,
             {"input": gen.randn(16, 40, scale=0.3), "target": gen.randint(40, (16,))},
             {"p": 2, "margin": 0.5, "weight": gen.rand(40, low=0.1, high=3.0), "reduction": "mean"},
             grads=["input"])


# --- softmax_focal_loss (DESIGN.md section 2; no PyTorch builtin) -----------------------------

def softmax_focal_loss(input, target, alpha=None, gamma=2.0, reduction="mean"):
    """The reference: -alpha[y] * (1 - p)^gamma * log p with p = softmax(input)[y].

    `1 - p` is `-expm1(log p)` (no cancellation near p = 1). Where p == 1 exactly the factor
    is taken as 0 through a double `torch.where`, so autograd returns the limit (0) instead of
    the NaN of `0 * inf` that `(1 - p) ** gamma` gives for 0 < gamma < 1. gamma == 0 is plain
    (alpha-weighted) cross-entropy, with no factor at all.
    """
    dim = 1 if input.dim() > 1 else 0
    log_p = F.log_softmax(input, dim=dim).gather(dim, target.unsqueeze(dim)).squeeze(dim)
    if gamma == 0:
        factor = torch.ones_like(log_p)
    else:
        u = -torch.expm1(log_p)
        active = u > 0
        safe = torch.where(active, u, torch.ones_like(u))
        factor = torch.where(active, safe ** gamma, torch.zeros_like(u))
    loss = -factor * log_p
    if alpha is not None:
        loss = loss * alpha[target]
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def softmax_focal_cases(gen):
    layouts = {"2d": (5, 4, ()), "3d": (3, 4, (5,)), "4d": (2, 3, (2, 3))}
    for layout, (n, c, spatial) in layouts.items():
        for red in REDUCTIONS:
            x = gen.randn(n, c, *spatial, scale=2.0)
            t = gen.randint(c, (n, *spatial))
            alpha = gen.rand(c, low=0.1, high=1.0)
            for gamma in (0.0, 0.5, 1.0, 2.0, 3.5):
                base = f"sfl/{layout}/gamma{gamma}"
                gen.both(f"{base}/plain/{red}", "softmax_focal_loss", softmax_focal_loss,
                         {"input": x, "target": t},
                         {"alpha": None, "gamma": gamma, "reduction": red}, grads=["input"])
                gen.both(f"{base}/alpha/{red}", "softmax_focal_loss", softmax_focal_loss,
                         {"input": x, "target": t},
                         {"alpha": alpha, "gamma": gamma, "reduction": red}, grads=["input"])
    for red in REDUCTIONS:
        gen.both(f"sfl/default-gamma/{red}", "softmax_focal_loss", softmax_focal_loss,
                 {"input": gen.randn(6, 3), "target": gen.randint(3, (6,))},
                 {"reduction": red}, grads=["input"])
        for gamma in (0.0, 0.25, 2.0):
            # unbatched (C,) input with a 0-d target
            gen.both(f"sfl/unbatched/gamma{gamma}/{red}", "softmax_focal_loss", softmax_focal_loss,
                     {"input": gen.randn(7), "target": torch.tensor(5)},
                     {"alpha": gen.rand(7), "gamma": gamma, "reduction": red}, grads=["input"])
            # huge logits: many target probabilities are exactly 1 (log p == 0) or tiny
            gen.both(f"sfl/huge-logits/gamma{gamma}/{red}", "softmax_focal_loss", softmax_focal_loss,
                     {"input": gen.randn(6, 5, scale=1e4), "target": gen.randint(5, (6,))},
                     {"alpha": gen.rand(5, low=0.5, high=1.5), "gamma": gamma, "reduction": red},
                     grads=["input"])
            # a confident correct sample: p == 1 exactly
            x = torch.tensor([[60.0, 0.0, -3.0], [0.0, 1.0, -1.0], [-2.0, 1e4, 0.0]],
                             dtype=torch.float64)
            gen.both(f"sfl/certain/gamma{gamma}/{red}", "softmax_focal_loss", softmax_focal_loss,
                     {"input": x, "target": torch.tensor([0, 2, 1])},
                     {"gamma": gamma, "reduction": red}, grads=["input"])
            # -inf logits of non-target classes
            x = gen.randn(3, 4)
            x[0, 1] = float("-inf")
            x[2, 0] = float("-inf")
            x[2, 3] = float("-inf")
            gen.both(f"sfl/neg-inf-logits/gamma{gamma}/{red}", "softmax_focal_loss",
                     softmax_focal_loss, {"input": x, "target": torch.tensor([0, 2, 1])},
                     {"alpha": gen.rand(4), "gamma": gamma, "reduction": red}, grads=["input"])
            # -inf logit of the target: infinite loss (NaN gradient for gamma > 0)
            x = gen.randn(2, 3)
            x[1, 2] = float("-inf")
            gen.both(f"sfl/neg-inf-target/gamma{gamma}/{red}", "softmax_focal_loss",
                     softmax_focal_loss, {"input": x, "target": torch.tensor([0, 2])},
                     {"gamma": gamma, "reduction": red}, grads=["input"])
    # a long class dimension, sequence layout (N, C, T)
    gen.both("sfl/sequence/mean", "softmax_focal_loss", softmax_focal_loss,
             {"input": gen.randn(2, 50, 7, scale=3.0), "target": gen.randint(50, (2, 7))},
             {"alpha": gen.rand(50, low=0.1, high=2.0), "gamma": 1.5, "reduction": "mean"},
             grads=["input"])


# --- kl_div --------------------------------------------------------------------------------------

def kl_div_cases(gen):
    shapes = {"2d": (4, 5), "3d": (3, 4, 2), "1d": (6,), "scalar": ()}
    for name, shape in shapes.items():
        dim = 1 if len(shape) > 1 else 0
        for red in KL_REDUCTIONS:
            if shape:
                log_q = torch.log_softmax(gen.randn(*shape), dim=dim)
                p = torch.softmax(gen.randn(*shape), dim=dim)
            else:
                log_q = gen.rand(low=-3.0, high=0.0)
                p = gen.rand(low=0.05, high=1.0)
            for log_target in (False, True):
                target = p.log() if log_target else p
                gen.both(f"kl/{name}/probs/lt-{log_target}/{red}", "kl_div", F.kl_div,
                         {"input": log_q, "target": target},
                         {"reduction": red, "log_target": log_target},
                         grads=["input", "target"])
            # unnormalised values (kl_div does not require distributions)
            gen.both(f"kl/{name}/free/{red}", "kl_div", F.kl_div,
                     {"input": gen.randn(*shape, scale=3.0), "target": gen.rand(*shape, high=4.0)},
                     {"reduction": red, "log_target": False}, grads=["input", "target"])
            gen.both(f"kl/{name}/free-log/{red}", "kl_div", F.kl_div,
                     {"input": gen.randn(*shape, scale=3.0), "target": gen.randn(*shape, scale=2.0)},
                     {"reduction": red, "log_target": True}, grads=["input", "target"])
    for red in KL_REDUCTIONS:
        # zero targets (0 log 0 = 0, NaN target gradient), negative targets (NaN), -inf inputs
        x = gen.randn(3, 4)
        x[1, 2] = float("-inf")
        x[2, 0] = float("-inf")
        t = gen.rand(3, 4)
        t[0, 0] = 0.0
        t[1, 2] = 0.0
        t[2, 0] = 0.3
        t[0, 3] = -0.2
        gen.both(f"kl/zero-negative-targets/{red}", "kl_div", F.kl_div,
                 {"input": x, "target": t}, {"reduction": red}, grads=["input", "target"])
        # log targets: -inf (zero probability) and large values (exp overflows in float32)
        x = gen.randn(2, 4)
        t = gen.randn(2, 4)
        t[0, 1] = float("-inf")
        t[1, 3] = 95.0
        gen.both(f"kl/log-target-extremes/{red}", "kl_div", F.kl_div,
                 {"input": x, "target": t}, {"reduction": red, "log_target": True},
                 grads=["input", "target"])
        # exp(target) overflows float32 (t > 88.7): inf * 0 and -inf + inf are NaN there
        gen.both(f"kl/log-target-overflow/{red}", "kl_div", F.kl_div,
                 {"input": torch.tensor([[200.0, 10.0, 95.0], [-5.0, 89.5, 0.0]]),
                  "target": torch.tensor([[95.0, 95.0, 95.0], [89.0, 89.5, 88.0]])},
                 {"reduction": red, "log_target": True}, grads=["input", "target"])
        # large magnitudes
        gen.both(f"kl/large/{red}", "kl_div", F.kl_div,
                 {"input": gen.randn(8, 16, scale=1e3), "target": gen.rand(8, 16, high=1e3)},
                 {"reduction": red, "log_target": False}, grads=["input", "target"])
        # an empty batch: the means are NaN
        gen.both(f"kl/empty/{red}", "kl_div", F.kl_div,
                 {"input": torch.zeros(0, 3), "target": torch.zeros(0, 3)},
                 {"reduction": red, "log_target": False}, grads=["input", "target"])
    # default reduction (mean) written as null
    gen.both("kl/default-reduction", "kl_div", F.kl_div,
             {"input": torch.log_softmax(gen.randn(3, 4), 1), "target": torch.softmax(gen.randn(3, 4), 1)},
             {"reduction": None, "log_target": None}, grads=["input", "target"],
             call_params={})
