"""Golden cases for the ranking / embedding losses.

PyTorch builtins: margin_ranking_loss, triplet_margin_loss, cosine_embedding_loss,
hinge_embedding_loss. DESIGN.md section 2 losses, with references written below in torch ops:
contrastive_loss, info_nce.
"""

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")
INF, NAN = float("inf"), float("nan")

# Float32 cases compare with PyTorch's float32 arithmetic, whose own rounding error is
# about 1e-7 of the intermediate magnitudes. Random cases keep those magnitudes moderate;
# edge cases that are ill-conditioned in float32 (tiny vectors, mixed 1e4 / 1e-3 scales)
# are recorded in float64 only (`f64_only`), where lossfit and PyTorch agree to ~1e-13.


def f64_only(gen, *args, **kwargs):
    gen.case(*args, dtype="float64", **kwargs)


def reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def contrastive_loss(input1, input2, target, margin=1.0, reduction="mean"):
    """DESIGN.md: d = ||x1 - x2 + 1e-6||_2; l = y d^2 + (1 - y) max(0, margin - d)^2."""
    d = F.pairwise_distance(input1, input2)
    loss = target * d.pow(2) + (1 - target) * torch.clamp_min(margin - d, 0).pow(2)
    return reduce(loss, reduction)


def info_nce(query, key, temperature=0.07, reduction="mean"):
    """DESIGN.md: cross-entropy of normalize(q) @ normalize(k)^T / t against 0..N."""
    logits = F.normalize(query, dim=1) @ F.normalize(key, dim=1).T / temperature
    labels = torch.arange(query.shape[0])
    return F.cross_entropy(logits, labels, reduction=reduction)


def cases(gen):
    margin_ranking_cases(gen)
    triplet_cases(gen)
    cosine_cases(gen)
    hinge_cases(gen)
    contrastive_cases(gen)
    info_nce_cases(gen)


def signs(gen, *shape):
    return torch.where(gen.rand(*shape) < 0.5, -1.0, 1.0).double()


def margin_ranking_cases(gen):
    grads = ["input1", "input2", "target"]
    shapes = {"1d": (9,), "2d": (4, 5), "3d": (2, 3, 4), "scalar": ()}
    for red in REDUCTIONS:
        for name, shape in shapes.items():
            for margin in (0.0, 0.5):
                gen.both(f"mrl/{name}/m{margin}/{red}", "margin_ranking_loss",
                         F.margin_ranking_loss,
                         {"input1": gen.randn(*shape), "input2": gen.randn(*shape),
                          "target": signs(gen, *shape)},
                         {"margin": margin, "reduction": red}, grads=grads)
        # negative margin, real-valued targets (a weight on the difference), huge scores
        gen.both(f"mrl/negative-margin/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": gen.randn(8), "input2": gen.randn(8), "target": signs(gen, 8)},
                 {"margin": -0.4, "reduction": red}, grads=grads)
        gen.both(f"mrl/real-target/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": gen.randn(3, 4), "input2": gen.randn(3, 4),
                  "target": gen.randn(3, 4)},
                 {"margin": 0.3, "reduction": red}, grads=grads)
        gen.both(f"mrl/huge/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": gen.randn(6, scale=1e4), "input2": gen.randn(6, scale=1e4),
                  "target": signs(gen, 6)},
                 {"margin": 1.0, "reduction": red}, grads=grads)
        # exactly at the kink (u = 0: zero gradient), ties, zero target
        gen.both(f"mrl/kinks/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": torch.tensor([2.0, 1.0, 0.5, 3.0, -1.0, 0.0]),
                  "input2": torch.tensor([1.0, 1.0, 1.5, 2.0, -1.0, 4.0]),
                  "target": torch.tensor([1.0, 1.0, -1.0, 1.0, -1.0, 0.0])},
                 {"margin": 1.0, "reduction": red}, grads=grads)
        gen.both(f"mrl/kinks-zero-margin/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": torch.tensor([1.0, 2.0, -0.5]),
                  "input2": torch.tensor([1.0, 2.0, 0.25]),
                  "target": torch.tensor([1.0, -1.0, 0.0])},
                 {"margin": 0.0, "reduction": red}, grads=grads)
        # non-finite scores
        gen.both(f"mrl/non-finite/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": torch.tensor([NAN, INF, 1.0, -INF, 0.5]),
                  "input2": torch.tensor([0.0, 0.0, INF, 0.0, 0.5]),
                  "target": torch.tensor([1.0, -1.0, 1.0, 1.0, 1.0])},
                 {"margin": 0.1, "reduction": red}, grads=grads)
        gen.both(f"mrl/empty/{red}", "margin_ranking_loss", F.margin_ranking_loss,
                 {"input1": torch.zeros(0), "input2": torch.zeros(0), "target": torch.zeros(0)},
                 {"margin": 0.0, "reduction": red}, grads=grads)


def triplet_cases(gen):
    grads = ["anchor", "positive", "negative"]

    def triplet(id, anchor, positive, negative, **params):
        gen.both(id, "triplet_margin_loss", F.triplet_margin_loss,
                 {"anchor": anchor, "positive": positive, "negative": negative}, params,
                 grads=grads)

    # p < 1 "norms" grow like D^(1/p): smaller entries keep the distances near 1
    norms = {"p2": (2.0, 1.0), "p1": (1.0, 1.0), "p3": (3.0, 1.0), "p1.5": (1.5, 1.0),
             "p0.5": (0.5, 0.25), "pinf": (INF, 1.0)}
    for red in REDUCTIONS:
        for pname, (p, scale) in norms.items():
            for swap in (False, True):
                a = gen.randn(6, 4, scale=scale)
                triplet(f"tml/{pname}/swap-{swap}/{red}", a,
                        a + gen.randn(6, 4, scale=0.6 * scale), gen.randn(6, 4, scale=scale),
                        margin=1.0, p=p, eps=1e-6, swap=swap, reduction=red)
        triplet(f"tml/unbatched/{red}", gen.randn(5), gen.randn(5), gen.randn(5),
                margin=2.0, p=2.0, eps=1e-6, swap=False, reduction=red)
        triplet(f"tml/unbatched-swap-p1/{red}", gen.randn(5), gen.randn(5), gen.randn(5),
                margin=1.5, p=1.0, eps=1e-6, swap=True, reduction=red)
        triplet(f"tml/scalar/{red}", gen.randn(), gen.randn(), gen.randn(),
                margin=1.2, p=2.0, eps=1e-6, swap=True, reduction=red)
        triplet(f"tml/zero-width/{red}", torch.zeros(3, 0), torch.zeros(3, 0), torch.zeros(3, 0),
                margin=1.0, p=2.0, eps=1e-6, swap=True, reduction=red)
        triplet(f"tml/3d/{red}", gen.randn(2, 3, 4), gen.randn(2, 3, 4), gen.randn(2, 3, 4),
                margin=0.7, p=2.0, eps=1e-6, swap=True, reduction=red)
        triplet(f"tml/eps-zero-p3/{red}", gen.randn(4, 3), gen.randn(4, 3), gen.randn(4, 3),
                margin=0.5, p=3.0, eps=0.0, swap=False, reduction=red)
        triplet(f"tml/eps-large/{red}", gen.randn(4, 3), gen.randn(4, 3), gen.randn(4, 3),
                margin=1.0, p=2.0, eps=0.1, swap=True, reduction=red)
        triplet(f"tml/small-margin/{red}", gen.randn(7, 8), gen.randn(7, 8), gen.randn(7, 8),
                margin=0.01, p=2.0, eps=1e-6, swap=False, reduction=red)
        # the count "norm" p = 0 (no gradient) and a negative p
        triplet(f"tml/p0/{red}", gen.randn(4, 3), gen.randn(4, 3), gen.randn(4, 3),
                margin=1.0, p=0.0, eps=1e-6, swap=False, reduction=red)
        triplet(f"tml/p-neg1/{red}", gen.randn(4, 3), gen.randn(4, 3), gen.randn(4, 3),
                margin=1.0, p=-1.0, eps=1e-6, swap=True, reduction=red)
        # positive == anchor: distance eps; with swap d(a,n) == d(p,n) ties and splits
        a = gen.randn(3, 4)
        triplet(f"tml/positive-is-anchor-swap/{red}", a, a.clone(), gen.randn(3, 4),
                margin=5.0, p=2.0, eps=1e-6, swap=True, reduction=red)
        # zero distance with eps 0 (norm 0: masked gradient), for p 2, 1.5, 3, inf
        for pname, p in (("p2", 2.0), ("p1.5", 1.5), ("p3", 3.0), ("pinf", INF), ("p0.5", 0.5)):
            a = gen.randn(2, 3)
            triplet(f"tml/zero-distance-{pname}/{red}", a, a.clone(), gen.randn(2, 3),
                    margin=4.0, p=p, eps=0.0, swap=False, reduction=red)
        # exactly at the kink: 1 + d(a,p) - d(a,n) = 0 with eps 0 (zero gradient)
        triplet(f"tml/kink/{red}", torch.zeros(2, 2), torch.tensor([[1.0, 0.0], [0.0, 0.5]]),
                torch.tensor([[2.0, 0.0], [0.0, 3.0]]), margin=1.0, p=1.0, eps=0.0, swap=False,
                reduction=red)
        # infinity-norm ties split the gradient; large magnitudes
        triplet(f"tml/pinf-ties/{red}", torch.zeros(2, 3),
                torch.tensor([[1.0, -1.0, 0.5], [2.0, 2.0, -2.0]]),
                torch.tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]]), margin=1.0, p=INF, eps=0.0,
                swap=False, reduction=red)
        triplet(f"tml/huge/{red}", gen.randn(3, 4, scale=1e3), gen.randn(3, 4, scale=1e3),
                gen.randn(3, 4, scale=1e3), margin=1.0, p=2.0, eps=1e-6, swap=True,
                reduction=red)
        triplet(f"tml/nan/{red}", torch.tensor([[NAN, 0.0], [1.0, 2.0]]), gen.randn(2, 2),
                gen.randn(2, 2), margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=red)


def cosine_cases(gen):
    grads = ["input1", "input2"]

    def cosine(id, x1, x2, y, **params):
        gen.both(id, "cosine_embedding_loss", F.cosine_embedding_loss,
                 {"input1": x1, "input2": x2, "target": y}, params, grads=grads)

    for red in REDUCTIONS:
        for margin in (0.0, 0.5, -0.3):
            cosine(f"cel/2d/m{margin}/{red}", gen.randn(8, 5), gen.randn(8, 5), signs(gen, 8),
                   margin=margin, reduction=red)
        cosine(f"cel/unbatched-pos/{red}", gen.randn(6), gen.randn(6), torch.tensor(1.0),
               margin=0.0, reduction=red)
        cosine(f"cel/unbatched-neg/{red}", gen.randn(6), gen.randn(6), torch.tensor(-1.0),
               margin=-0.8, reduction=red)
        cosine(f"cel/wide/{red}", gen.randn(3, 40, scale=3.0), gen.randn(3, 40), signs(gen, 3),
               margin=0.1, reduction=red)
        # targets other than +-1 contribute 0 (PyTorch's where() formulation)
        cosine(f"cel/other-targets/{red}", gen.randn(5, 3), gen.randn(5, 3),
               torch.tensor([1.0, -1.0, 0.0, 2.0, NAN]), margin=-0.5, reduction=red)
        # zero vectors (cosine 0 through EPSILON) and tiny ones where float EPSILON matters
        x1 = gen.randn(4, 3)
        x1[0] = 0.0
        x2 = gen.randn(4, 3)
        x2[1] = 0.0
        cosine(f"cel/zero-vectors/{red}", x1, x2, torch.tensor([1.0, -1.0, 1.0, -1.0]),
               margin=-0.2, reduction=red)
        f64_only(gen, f"cel/tiny/{red}", "cosine_embedding_loss", F.cosine_embedding_loss,
                 {"input1": gen.randn(4, 2, scale=1e-6), "input2": gen.randn(4, 2, scale=1e-6),
                  "target": torch.tensor([1.0, -1.0, 1.0, -1.0])},
                 {"margin": -0.9, "reduction": red}, grads=grads)
        cosine(f"cel/huge/{red}", gen.randn(4, 3, scale=1e5), gen.randn(4, 3, scale=1e5),
               signs(gen, 4), margin=0.0, reduction=red)
        # exactly at the kink cos == margin (orthogonal, margin 0): zero gradient
        cosine(f"cel/kink/{red}", torch.tensor([[1.0, 0.0], [0.0, 2.0]]),
               torch.tensor([[0.0, 3.0], [-1.0, 0.0]]), torch.tensor([-1.0, -1.0]),
               margin=0.0, reduction=red)
        cosine(f"cel/nan/{red}", torch.tensor([[NAN, 1.0], [1.0, 2.0]]), gen.randn(2, 2),
               torch.tensor([1.0, -1.0]), margin=0.0, reduction=red)
        cosine(f"cel/empty/{red}", torch.zeros(0, 3), torch.zeros(0, 3), torch.zeros(0),
               margin=0.0, reduction=red)


def hinge_cases(gen):
    grads = ["input"]

    def hinge(id, x, y, **params):
        gen.both(id, "hinge_embedding_loss", F.hinge_embedding_loss,
                 {"input": x, "target": y}, params, grads=grads)

    for red in REDUCTIONS:
        for name, shape in {"1d": (10,), "2d": (4, 5), "3d": (2, 2, 3), "scalar": ()}.items():
            for margin in (1.0, 0.5, 2.5):
                hinge(f"hel/{name}/m{margin}/{red}", gen.rand(*shape, high=3.0),
                      signs(gen, *shape), margin=margin, reduction=red)
        hinge(f"hel/negative-input/{red}", gen.randn(8), signs(gen, 8), margin=1.0,
              reduction=red)
        hinge(f"hel/negative-margin/{red}", gen.randn(6), signs(gen, 6), margin=-0.5,
              reduction=red)
        # targets other than +-1 get both terms (PyTorch's where() formulation)
        hinge(f"hel/other-targets/{red}", torch.tensor([0.3, -1.0, 2.0, 0.5, 0.2, 1.5]),
              torch.tensor([0.0, 2.0, -2.0, NAN, 0.5, 0.0]), margin=1.0, reduction=red)
        # exactly at the kink x == margin (zero hinge gradient)
        hinge(f"hel/kink/{red}", torch.tensor([1.0, 1.0, 0.5, 0.0]),
              torch.tensor([-1.0, 1.0, -1.0, -1.0]), margin=1.0, reduction=red)
        hinge(f"hel/non-finite/{red}", torch.tensor([INF, -INF, NAN, NAN, INF]),
              torch.tensor([1.0, -1.0, -1.0, 1.0, -1.0]), margin=1.0, reduction=red)
        hinge(f"hel/huge/{red}", gen.randn(5, scale=1e6), signs(gen, 5), margin=1.0,
              reduction=red)
        hinge(f"hel/empty/{red}", torch.zeros(0), torch.zeros(0), margin=1.0, reduction=red)


def contrastive_cases(gen):
    grads = ["input1", "input2", "target"]

    def contrastive(id, x1, x2, y, **params):
        gen.both(id, "contrastive_loss", contrastive_loss,
                 {"input1": x1, "input2": x2, "target": y}, params, grads=grads)

    def labels(n):
        return (gen.rand(n) < 0.5).double()

    for red in REDUCTIONS:
        for margin in (1.0, 0.5, 3.0):
            contrastive(f"con/2d/m{margin}/{red}", gen.randn(8, 4), gen.randn(8, 4), labels(8),
                        margin=margin, reduction=red)
        contrastive(f"con/unbatched-similar/{red}", gen.randn(5), gen.randn(5),
                    torch.tensor(1.0), margin=1.0, reduction=red)
        contrastive(f"con/unbatched-dissimilar/{red}", gen.randn(5, scale=0.2),
                    gen.randn(5, scale=0.2), torch.tensor(0.0), margin=2.0, reduction=red)
        contrastive(f"con/3d/{red}", gen.randn(2, 3, 4), gen.randn(2, 3, 4),
                    (gen.rand(2, 3) < 0.5).double(), margin=2.5, reduction=red)
        contrastive(f"con/soft-labels/{red}", gen.randn(6, 3), gen.randn(6, 3), gen.rand(6),
                    margin=2.0, reduction=red)
        # identical pairs (distance sqrt(D) * 1e-6), margin 0, zero-width embeddings
        x = gen.randn(4, 3)
        contrastive(f"con/identical/{red}", x, x.clone(), torch.tensor([1.0, 0.0, 1.0, 0.0]),
                    margin=1.0, reduction=red)
        contrastive(f"con/zero-margin/{red}", gen.randn(4, 3), gen.randn(4, 3), labels(4),
                    margin=0.0, reduction=red)
        contrastive(f"con/huge/{red}", gen.randn(3, 4, scale=1e3), gen.randn(3, 4, scale=1e3),
                    labels(3), margin=1.0, reduction=red)
        contrastive(f"con/empty/{red}", torch.zeros(0, 3), torch.zeros(0, 3), torch.zeros(0),
                    margin=1.0, reduction=red)


def info_nce_cases(gen):
    grads = ["query", "key"]

    def nce(id, q, k, **params):
        gen.both(id, "info_nce", info_nce, {"query": q, "key": k}, params, grads=grads)

    for red in REDUCTIONS:
        for t in (0.07, 0.5, 1.0):
            nce(f"nce/8x5/t{t}/{red}", gen.randn(8, 5), gen.randn(8, 5), temperature=t,
                reduction=red)
        q = gen.randn(6, 16)
        nce(f"nce/aligned/{red}", q, q + gen.randn(6, 16, scale=0.3), temperature=0.1,
            reduction=red)
        nce(f"nce/single/{red}", gen.randn(1, 4), gen.randn(1, 4), temperature=0.2,
            reduction=red)
        nce(f"nce/wide/{red}", gen.randn(4, 64), gen.randn(4, 64), temperature=0.07,
            reduction=red)
        f64_only(gen, f"nce/mixed-scales/{red}", "info_nce", info_nce,
                 {"query": gen.randn(5, 3, scale=1e4), "key": gen.randn(5, 3, scale=1e-3)},
                 {"temperature": 0.3, "reduction": red}, grads=grads)
        nce(f"nce/huge/{red}", gen.randn(5, 3, scale=1e4), gen.randn(5, 3, scale=1e4),
            temperature=1.0, reduction=red)
        # a zero query and a zero key normalise to zero vectors (norm floored at 1e-12)
        q, k = gen.randn(4, 3), gen.randn(4, 3)
        q[1] = 0.0
        k[2] = 0.0
        nce(f"nce/zero-rows/{red}", q, k, temperature=0.5, reduction=red)
        nce(f"nce/empty-batch/{red}", torch.zeros(0, 3), torch.zeros(0, 3), temperature=0.07,
            reduction=red)
        nce(f"nce/zero-width/{red}", torch.zeros(3, 0), torch.zeros(3, 0), temperature=0.07,
            reduction=red)
        nce(f"nce/identical/{red}", q[[0, 2, 3]], q[[0, 2, 3]].clone(), temperature=0.05,
            reduction=red)
