"""Golden cases for cross_entropy, nll_loss and mse_loss."""

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")


def cases(gen):
    cross_entropy_cases(gen)
    nll_cases(gen)
    mse_cases(gen)
    example_cases(gen)


def with_ignored(target, ignore_index, every=3):
    target = target.clone()
    target.view(-1)[::every] = ignore_index
    return target


def cross_entropy_cases(gen):
    layouts = {"2d": (5, 4, ()), "3d": (3, 4, (5,)), "4d": (2, 3, (2, 3))}
    for layout, (n, c, spatial) in layouts.items():
        for red in REDUCTIONS:
            x = gen.randn(n, c, *spatial, scale=2.0)
            t = gen.randint(c, (n, *spatial))
            w = gen.rand(c, low=0.2, high=2.0)
            ti = with_ignored(t, -100)
            base = f"ce/{layout}"
            gen.both(f"{base}/plain/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": t}, {"reduction": red}, grads=["input"])
            gen.both(f"{base}/weighted-ignored/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": ti},
                     {"weight": w, "ignore_index": -100, "reduction": red}, grads=["input"])
            gen.both(f"{base}/smoothing/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": ti}, {"label_smoothing": 0.15, "reduction": red},
                     grads=["input"])
            gen.both(f"{base}/weighted-smoothing-ignored/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": with_ignored(t, 1, every=4)},
                     {"weight": w, "ignore_index": 1, "label_smoothing": 0.3, "reduction": red},
                     grads=["input"])
            probs = torch.softmax(gen.randn(n, c, *spatial), dim=1)
            gen.both(f"{base}/probs/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": probs}, {"reduction": red}, grads=["input", "target"])
            gen.both(f"{base}/probs-weighted-smoothing/{red}", "cross_entropy", F.cross_entropy,
                     {"input": x, "target": probs},
                     {"weight": w, "label_smoothing": 0.2, "reduction": red},
                     grads=["input", "target"])
    for red in REDUCTIONS:
        # unbatched (C,) input with a 0-d target
        x = gen.randn(6)
        gen.both(f"ce/unbatched/{red}", "cross_entropy", F.cross_entropy,
                 {"input": x, "target": torch.tensor(4)}, {"reduction": red}, grads=["input"])
        gen.both(f"ce/unbatched-probs/{red}", "cross_entropy", F.cross_entropy,
                 {"input": x, "target": torch.softmax(gen.randn(6), 0)},
                 {"label_smoothing": 0.1, "reduction": red}, grads=["input", "target"])
        # huge logits stay finite
        x = gen.randn(4, 5, scale=1e4)
        t = gen.randint(5, (4,))
        gen.both(f"ce/huge-logits/{red}", "cross_entropy", F.cross_entropy,
                 {"input": x, "target": t}, {"label_smoothing": 0.1, "reduction": red},
                 grads=["input"])
        # -inf logits of non-target classes
        x = gen.randn(3, 4)
        x[0, 1] = float("-inf")
        x[2, 0] = float("-inf")
        x[2, 3] = float("-inf")
        gen.both(f"ce/neg-inf-logits/{red}", "cross_entropy", F.cross_entropy,
                 {"input": x, "target": torch.tensor([0, 2, 1])}, {"reduction": red},
                 grads=["input"])
        # every target ignored: mean is NaN with a zero gradient
        gen.both(f"ce/all-ignored/{red}", "cross_entropy", F.cross_entropy,
                 {"input": gen.randn(3, 4), "target": torch.full((3,), -100)},
                 {"weight": gen.rand(4, low=0.5, high=1.5), "label_smoothing": 0.1,
                  "reduction": red}, grads=["input"])
        # smoothing 1.0 (uniform target) and soft targets that are exactly one-hot
        gen.both(f"ce/full-smoothing/{red}", "cross_entropy", F.cross_entropy,
                 {"input": gen.randn(4, 3), "target": gen.randint(3, (4,))},
                 {"label_smoothing": 1.0, "reduction": red}, grads=["input"])
        onehot = F.one_hot(gen.randint(3, (4,)), 3).double()
        gen.both(f"ce/probs-onehot/{red}", "cross_entropy", F.cross_entropy,
                 {"input": gen.randn(4, 3), "target": onehot}, {"reduction": red},
                 grads=["input", "target"])
    # a longer class dimension (language-model style sequence layout N, C, T)
    x = gen.randn(2, 50, 7, scale=3.0)
    t = with_ignored(gen.randint(50, (2, 7)), -100, every=5)
    gen.both("ce/sequence/mean", "cross_entropy", F.cross_entropy, {"input": x, "target": t},
             {"label_smoothing": 0.1, "reduction": "mean"}, grads=["input"])


def nll_cases(gen):
    for layout, shape in {"2d": (5, 4), "3d": (3, 4, 5), "4d": (2, 3, 2, 2)}.items():
        n, c, spatial = shape[0], shape[1], shape[2:]
        for red in REDUCTIONS:
            x = torch.log_softmax(gen.randn(*shape), dim=1)
            t = gen.randint(c, (n, *spatial))
            w = gen.rand(c, low=0.2, high=2.0)
            gen.both(f"nll/{layout}/plain/{red}", "nll_loss", F.nll_loss,
                     {"input": x, "target": t}, {"reduction": red}, grads=["input"])
            gen.both(f"nll/{layout}/weighted-ignored/{red}", "nll_loss", F.nll_loss,
                     {"input": x, "target": with_ignored(t, 2)},
                     {"weight": w, "ignore_index": 2, "reduction": red}, grads=["input"])
    for red in REDUCTIONS:
        gen.both(f"nll/unbatched/{red}", "nll_loss", F.nll_loss,
                 {"input": torch.log_softmax(gen.randn(5), 0), "target": torch.tensor(3)},
                 {"reduction": red}, grads=["input"])
        gen.both(f"nll/all-ignored/{red}", "nll_loss", F.nll_loss,
                 {"input": gen.randn(2, 3), "target": torch.full((2,), -100)},
                 {"reduction": red}, grads=["input"])


def mse_cases(gen):
    for red in REDUCTIONS:
        for name, shape in {"1d": (7,), "2d": (4, 3), "3d": (2, 3, 4), "scalar": ()}.items():
            gen.both(f"mse/{name}/{red}", "mse_loss", F.mse_loss,
                     {"input": gen.randn(*shape), "target": gen.randn(*shape)},
                     {"reduction": red}, grads=["input", "target"])
        gen.both(f"mse/large/{red}", "mse_loss", F.mse_loss,
                 {"input": gen.randn(64, 33, scale=1e3), "target": gen.randn(64, 33)},
                 {"reduction": red}, grads=["input", "target"])


def example_cases(gen):
    """The batch of `cargo run --example cross_entropy_by_hand` (crates/lossfit/examples)."""
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.7, 0.3], [-0.4, 0.2, 2.9], [1.2, 1.1, -0.3]])
    target = torch.tensor([0, 1, 2, 1])
    for eps in (0.0, 0.1):
        gen.case(f"example/by-hand/smoothing-{eps}", "cross_entropy", F.cross_entropy,
                 {"input": logits, "target": target},
                 {"label_smoothing": eps, "reduction": "mean"}, grads=["input"], dtype="float32")
