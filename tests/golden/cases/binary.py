"""Golden cases for the binary and multi-label losses: binary_cross_entropy,
binary_cross_entropy_with_logits, soft_margin_loss, multilabel_soft_margin_loss and
sigmoid_focal_loss (torchvision's definition, written out below: torchvision is not installed).
"""

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")
SHAPES = {"scalar": (), "1d": (7,), "2d": (5, 4), "3d": (2, 3, 4)}
INF = float("inf")


def T(*values):
    """A float64 tensor of literal values (cast per case)."""
    return torch.tensor(values, dtype=torch.float64)


def cases(gen):
    bce_cases(gen)
    bce_with_logits_cases(gen)
    soft_margin_cases(gen)
    multilabel_soft_margin_cases(gen)
    sigmoid_focal_cases(gen)
    empty_cases(gen)


def sigmoid_focal_loss(input, target, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, operation for operation (torchvision 0.2x)."""
    p = torch.sigmoid(input)
    ce_loss = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * target + (1 - alpha) * (1 - target)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    else:
        raise ValueError(f"unknown reduction {reduction!r}")
    return loss


def hard(gen, *shape):
    """0/1 labels as floats."""
    return gen.randint(2, shape).double()


def weight_shapes(shape):
    """Weight shapes that broadcast to `shape` (PyTorch's rule), by name."""
    if not shape:
        # a 0-d weight would be written as a 1-element list, which does not fit a 0-d input
        return {}
    out = {"full": shape, "last": (shape[-1],), "single": (1,)}
    if len(shape) >= 2:
        out["rows"] = (shape[0],) + (1,) * (len(shape) - 1)
        out["row-vector"] = (1, shape[-1])
    return out


def bce_cases(gen):
    for name, shape in SHAPES.items():
        for red in REDUCTIONS:
            x = gen.rand(*shape, low=0.02, high=0.98)
            gen.both(f"bce/{name}/soft/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                     {"input": x, "target": gen.rand(*shape)},
                     {"weight": None, "reduction": red}, grads=["input", "target"])
            gen.both(f"bce/{name}/hard/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                     {"input": x, "target": hard(gen, *shape)},
                     {"reduction": red}, grads=["input", "target"])
            for wname, wshape in weight_shapes(shape).items():
                gen.both(f"bce/{name}/weight-{wname}/{red}", "binary_cross_entropy",
                         F.binary_cross_entropy,
                         {"input": gen.rand(*shape, low=0.02, high=0.98),
                          "target": gen.rand(*shape)},
                         {"weight": gen.rand(*wshape, low=0.1, high=3.0), "reduction": red},
                         grads=["input", "target"])
    for red in REDUCTIONS:
        # exactly 0 and 1 (logs clamped at -100, input gradient through the 1e-12 floor,
        # infinite target gradient), values next to them, and 0.5
        x = T(0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 1e-7, 1e-7, 0.5, 1e-13, 0.3)
        t = T(0.0, 1.0, 1.0, 0.0, 0.3, 0.6, 0.0, 1.0, 0.5, 0.5, 1.0, 0.3)
        gen.both(f"bce/edges/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                 {"input": x, "target": t}, {"reduction": red}, grads=["input", "target"])
        gen.both(f"bce/edges-weighted/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                 {"input": x, "target": t},
                 {"weight": gen.rand(12, low=0.0, high=2.0), "reduction": red},
                 grads=["input", "target"])
        # saturated probabilities from a sigmoid (the clamp at -100 in action)
        x = torch.sigmoid(gen.randn(6, 3, scale=60.0))
        gen.both(f"bce/saturated/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                 {"input": x, "target": hard(gen, 6, 3)}, {"reduction": red},
                 grads=["input", "target"])
        # a zero weight on an element whose loss is clamped
        w = torch.tensor([[1.0, 0.0, 2.0]], dtype=torch.float64)
        gen.both(f"bce/zero-weight/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                 {"input": torch.tensor([[0.0, 1.0, 0.4], [1.0, 0.0, 0.6]], dtype=torch.float64),
                  "target": torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.5, 0.0]], dtype=torch.float64)},
                 {"weight": w, "reduction": red}, grads=["input", "target"])
    # a larger batch (mean over many elements)
    gen.both("bce/large/mean", "binary_cross_entropy", F.binary_cross_entropy,
             {"input": gen.rand(64, 40, low=0.001, high=0.999), "target": gen.rand(64, 40)},
             {"weight": gen.rand(40, low=0.5, high=1.5), "reduction": "mean"},
             grads=["input", "target"])


def bce_with_logits_cases(gen):
    loss = "binary_cross_entropy_with_logits"
    fn = F.binary_cross_entropy_with_logits
    for name, shape in SHAPES.items():
        for red in REDUCTIONS:
            x = gen.randn(*shape, scale=3.0)
            gen.both(f"bcel/{name}/soft/{red}", loss, fn,
                     {"input": x, "target": gen.rand(*shape)},
                     {"weight": None, "pos_weight": None, "reduction": red},
                     grads=["input", "target"])
            gen.both(f"bcel/{name}/hard/{red}", loss, fn,
                     {"input": x, "target": hard(gen, *shape)}, {"reduction": red},
                     grads=["input", "target"])
            for wname, wshape in weight_shapes(shape).items():
                gen.both(f"bcel/{name}/weight-{wname}/{red}", loss, fn,
                         {"input": gen.randn(*shape, scale=2.0), "target": gen.rand(*shape)},
                         {"weight": gen.rand(*wshape, low=0.1, high=3.0), "reduction": red},
                         grads=["input", "target"])
                gen.both(f"bcel/{name}/pos-weight-{wname}/{red}", loss, fn,
                         {"input": gen.randn(*shape, scale=2.0), "target": hard(gen, *shape)},
                         {"pos_weight": gen.rand(*wshape, low=0.2, high=9.0), "reduction": red},
                         grads=["input", "target"])
            if shape:
                c = shape[-1]
                gen.both(f"bcel/{name}/both-weights/{red}", loss, fn,
                         {"input": gen.randn(*shape, scale=2.0), "target": gen.rand(*shape)},
                         {"weight": gen.rand(*shape, low=0.1, high=2.0),
                          "pos_weight": gen.rand(c, low=0.5, high=5.0), "reduction": red},
                         grads=["input", "target"])
    for red in REDUCTIONS:
        # huge, moderate and zero logits against hard and soft targets stay finite
        x = T(1e4, -1e4, 1e4, -1e4, 1e4, -1e4, 50.0, -50.0, 0.0, 0.0, 30.0, -30.0)
        t = T(1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0)
        gen.both(f"bcel/huge-logits/{red}", loss, fn, {"input": x, "target": t},
                 {"reduction": red}, grads=["input", "target"])
        gen.both(f"bcel/huge-logits-pos-weight/{red}", loss, fn, {"input": x, "target": t},
                 {"pos_weight": torch.full((12,), 3.0), "weight": gen.rand(12, low=0.5, high=2.0),
                  "reduction": red}, grads=["input", "target"])
        # infinite logits: NaN where (1 - y) * x meets inf * 0, as PyTorch
        x = T(INF, -INF, INF, -INF, 1.0)
        t = T(1.0, 0.0, 0.0, 1.0, 0.5)
        gen.both(f"bcel/inf-logits/{red}", loss, fn, {"input": x, "target": t},
                 {"reduction": red}, grads=["input", "target"])
        # a pos_weight over the last dimension of a 3-d input, and one per middle row
        gen.both(f"bcel/pos-weight-mid/{red}", loss, fn,
                 {"input": gen.randn(2, 3, 4, scale=2.0), "target": hard(gen, 2, 3, 4)},
                 {"pos_weight": gen.rand(3, 1, low=0.5, high=4.0),
                  "weight": gen.rand(2, 1, 4, low=0.5, high=2.0), "reduction": red},
                 grads=["input", "target"])
        # targets outside [0, 1] and a zero pos_weight are accepted, as PyTorch does
        gen.both(f"bcel/unchecked/{red}", loss, fn,
                 {"input": gen.randn(2, 3),
                  "target": T(1.5, -0.5, 2.0, 0.0, 1.0, 3.0).reshape(2, 3)},
                 {"pos_weight": T(0.0, 1.0, 2.5), "reduction": red}, grads=["input", "target"])
    gen.both("bcel/large/mean", loss, fn,
             {"input": gen.randn(64, 40, scale=4.0), "target": hard(gen, 64, 40)},
             {"pos_weight": gen.rand(40, low=1.0, high=20.0), "reduction": "mean"},
             grads=["input", "target"])


def soft_margin_cases(gen):
    loss, fn = "soft_margin_loss", F.soft_margin_loss
    for name, shape in SHAPES.items():
        for red in REDUCTIONS:
            signs = gen.randint(2, shape).double() * 2 - 1
            gen.both(f"soft-margin/{name}/pm1/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0), "target": signs},
                     {"reduction": red}, grads=["input"])
            gen.both(f"soft-margin/{name}/real-target/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0),
                      "target": gen.randn(*shape, scale=1.5)},
                     {"reduction": red}, grads=["input"])
    for red in REDUCTIONS:
        # large margins: exact where exp(-y x) fits the dtype; inf (and a NaN gradient) beyond,
        # which for float32 already happens at -y x = 100
        x = T(40.0, -40.0, 80.0, -80.0, 100.0, -100.0, 800.0, -800.0, 0.0, 1e4)
        t = T(1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0)
        gen.both(f"soft-margin/large-margins/{red}", loss, fn, {"input": x, "target": t},
                 {"reduction": red}, grads=["input"])
        gen.both(f"soft-margin/zero-target/{red}", loss, fn,
                 {"input": gen.randn(3, 2, scale=5.0), "target": torch.zeros(3, 2)},
                 {"reduction": red}, grads=["input"])
    gen.both("soft-margin/large/mean", loss, fn,
             {"input": gen.randn(50, 30, scale=3.0),
              "target": gen.randint(2, (50, 30)).double() * 2 - 1},
             {"reduction": "mean"}, grads=["input"])


def multilabel_soft_margin_cases(gen):
    loss, fn = "multilabel_soft_margin_loss", F.multilabel_soft_margin_loss
    shapes = {"1d": (6,), "2d": (5, 4), "3d": (2, 3, 5), "one-class": (4, 1)}
    for name, shape in shapes.items():
        c = shape[-1]
        for red in REDUCTIONS:
            gen.both(f"mlsm/{name}/hard/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0), "target": hard(gen, *shape)},
                     {"weight": None, "reduction": red}, grads=["input", "target"])
            gen.both(f"mlsm/{name}/soft/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0), "target": gen.rand(*shape)},
                     {"reduction": red}, grads=["input", "target"])
            gen.both(f"mlsm/{name}/class-weight/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0), "target": hard(gen, *shape)},
                     {"weight": gen.rand(c, low=0.1, high=3.0), "reduction": red},
                     grads=["input", "target"])
            gen.both(f"mlsm/{name}/full-weight/{red}", loss, fn,
                     {"input": gen.randn(*shape, scale=2.0), "target": gen.rand(*shape)},
                     {"weight": gen.rand(*shape, low=0.1, high=3.0), "reduction": red},
                     grads=["input", "target"])
            if len(shape) >= 2:
                rows = (shape[0],) + (1,) * (len(shape) - 1)
                gen.both(f"mlsm/{name}/row-weight/{red}", loss, fn,
                         {"input": gen.randn(*shape, scale=2.0), "target": hard(gen, *shape)},
                         {"weight": gen.rand(*rows, low=0.1, high=3.0), "reduction": red},
                         grads=["input", "target"])
    for red in REDUCTIONS:
        x = torch.tensor([[1e4, -1e4, 1e4, -1e4], [50.0, -50.0, 0.0, 0.0], [INF, -INF, 2.0, -2.0]],
                         dtype=torch.float64)
        t = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.5], [1.0, 0.0, 0.0, 1.0]],
                         dtype=torch.float64)
        gen.both(f"mlsm/huge-logits/{red}", loss, fn, {"input": x[:2], "target": t[:2]},
                 {"weight": T(1.0, 2.0, 0.5, 1.5), "reduction": red}, grads=["input", "target"])
        gen.both(f"mlsm/inf-logits/{red}", loss, fn, {"input": x, "target": t},
                 {"reduction": red}, grads=["input", "target"])
    gen.both("mlsm/large/mean", loss, fn,
             {"input": gen.randn(64, 30, scale=3.0), "target": hard(gen, 64, 30)},
             {"weight": gen.rand(30, low=0.2, high=2.0), "reduction": "mean"},
             grads=["input", "target"])


def sigmoid_focal_cases(gen):
    loss = "sigmoid_focal_loss"
    options = [(0.25, 2.0), (0.5, 2.0), (-1.0, 2.0), (0.25, 0.0), (-1.0, 0.0), (0.75, 1.0),
               (0.0, 3.0), (1.0, 0.5), (0.1, 1.5)]
    for name, shape in SHAPES.items():
        for red in REDUCTIONS:
            for alpha, gamma in options:
                opt = f"a{alpha:g}-g{gamma:g}"
                gen.both(f"focal/{name}/hard/{opt}/{red}", loss, sigmoid_focal_loss,
                         {"input": gen.randn(*shape, scale=2.5), "target": hard(gen, *shape)},
                         {"alpha": alpha, "gamma": gamma, "reduction": red},
                         grads=["input", "target"])
            gen.both(f"focal/{name}/soft/{red}", loss, sigmoid_focal_loss,
                     {"input": gen.randn(*shape, scale=2.5), "target": gen.rand(*shape)},
                     {"alpha": 0.25, "gamma": 2.0, "reduction": red}, grads=["input", "target"])
            gen.both(f"focal/{name}/soft-g0.5/{red}", loss, sigmoid_focal_loss,
                     {"input": gen.randn(*shape, scale=2.5), "target": gen.rand(*shape)},
                     {"alpha": 0.6, "gamma": 0.5, "reduction": red}, grads=["input", "target"])
    # huge and saturated logits (1 - p_t exactly 0): finite for gamma 0, 1, 2; for gamma 0.5
    # PyTorch's pow backward makes the gradient inf/NaN there, in each dtype's own saturation
    x = T(1e4, -1e4, 1e4, -1e4, 40.0, -40.0, 20.0, -20.0, 0.0, 5.0, -800.0, 800.0)
    t = T(1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.0, 0.3)
    for red in REDUCTIONS:
        for alpha, gamma in [(0.25, 2.0), (-1.0, 0.0), (0.25, 1.0), (0.5, 0.5)]:
            opt = f"a{alpha:g}-g{gamma:g}"
            gen.both(f"focal/huge-logits/{opt}/{red}", loss, sigmoid_focal_loss,
                     {"input": x, "target": t}, {"alpha": alpha, "gamma": gamma, "reduction": red},
                     grads=["input", "target"])
    gen.both("focal/large/mean", loss, sigmoid_focal_loss,
             {"input": gen.randn(64, 40, scale=3.0), "target": hard(gen, 64, 40)},
             {"alpha": 0.25, "gamma": 2.0, "reduction": "mean"}, grads=["input", "target"])


def empty_cases(gen):
    """Empty batches: the mean of nothing is NaN (0 / 0), sums are 0, as in PyTorch."""
    for red in REDUCTIONS:
        x, t = torch.zeros(0, 3, dtype=torch.float64), torch.zeros(0, 3, dtype=torch.float64)
        gen.both(f"bce/empty/{red}", "binary_cross_entropy", F.binary_cross_entropy,
                 {"input": x, "target": t}, {"weight": T(1.0, 2.0, 3.0), "reduction": red},
                 grads=["input", "target"])
        gen.both(f"bcel/empty/{red}", "binary_cross_entropy_with_logits",
                 F.binary_cross_entropy_with_logits, {"input": x, "target": t},
                 {"pos_weight": T(1.0, 2.0, 3.0), "reduction": red}, grads=["input", "target"])
        gen.both(f"soft-margin/empty/{red}", "soft_margin_loss", F.soft_margin_loss,
                 {"input": x, "target": t}, {"reduction": red}, grads=["input"])
        gen.both(f"mlsm/empty-batch/{red}", "multilabel_soft_margin_loss",
                 F.multilabel_soft_margin_loss, {"input": x, "target": t},
                 {"reduction": red}, grads=["input", "target"])
        no_classes = torch.zeros(2, 0, dtype=torch.float64)
        gen.both(f"mlsm/no-classes/{red}", "multilabel_soft_margin_loss",
                 F.multilabel_soft_margin_loss, {"input": no_classes, "target": no_classes},
                 {"reduction": red}, grads=["input", "target"])
        gen.both(f"focal/empty/{red}", "sigmoid_focal_loss", sigmoid_focal_loss,
                 {"input": x, "target": t}, {"alpha": 0.25, "gamma": 2.0, "reduction": red},
                 grads=["input", "target"])
