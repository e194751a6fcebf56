"""Fixture for LL007 legacy-reduction-args. Every line marked with an `expect: LL007` comment
holds a `size_average=` or `reduce=` argument of a PyTorch loss (one finding per argument, at
the argument); no other line may be flagged by LL007. Findings of other rules on this file are
not part of the expectation.
Labels: none needed.
"""

import functools

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class LabelSmoothing(nn.Module):
    """The Annotated Transformer's (2018) label smoothing, via KL divergence."""

    def __init__(self, size, padding_idx, smoothing=0.0):
        super().__init__()
        self.criterion = nn.KLDivLoss(size_average=False)  # expect: LL007
        self.padding_idx = padding_idx
        self.confidence = 1.0 - smoothing
        self.smoothing = smoothing
        self.size = size

    def forward(self, x, target):
        true_dist = x.data.clone()
        true_dist.fill_(self.smoothing / (self.size - 2))
        true_dist.scatter_(1, target.data.unsqueeze(1), self.confidence)
        true_dist[:, self.padding_idx] = 0
        mask = torch.nonzero(target.data == self.padding_idx)
        if mask.dim() > 0:
            true_dist.index_fill_(0, mask.squeeze(), 0.0)
        return self.criterion(x, Variable(true_dist, requires_grad=False))


def test(model, device, test_loader):
    """pytorch/examples' MNIST test loop as it was in 2018."""
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, size_average=False).item()  # expect: LL007
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    return test_loss, correct


def ohem_loss(logits, target, keep_ratio=0.7, weight=None):
    """Online hard example mining: per-sample losses, keep the hardest."""
    losses = F.cross_entropy(logits, target, weight=weight, reduce=False)  # expect: LL007
    k = max(1, int(keep_ratio * losses.numel()))
    return losses.topk(k).values.mean()


def box_regression(pred, target):
    criterion = nn.SmoothL1Loss(
        size_average=False,  # expect: LL007
        reduce=True,  # expect: LL007
    )
    return criterion(pred, target) / max(1, pred.size(0))


def multilabel_per_sample(logits, targets):
    per_element = nn.BCEWithLogitsLoss(reduce=False)(logits, targets)  # expect: LL007
    return per_element.sum(dim=1)


# Copied from an old repository: "reduction" is written, and silently ignored.
mse_sum = functools.partial(F.mse_loss, size_average=False, reduction="mean")  # expect: LL007


# ---------------------------------------------------------------- negatives


class TrainConfig:
    """A config with a field named like the legacy argument: not an argument of a loss."""

    def __init__(self, size_average=True, reduce="mean"):
        self.size_average = size_average
        self.reduce = reduce


def aggregate(values, reduce="mean"):
    stacked = torch.stack(values)
    return stacked.mean() if reduce == "mean" else stacked.sum()


def modern(logits, target, pred, box_target, teacher_logits, cfg=None):
    cfg = cfg or TrainConfig(size_average=False, reduce="sum")
    per_sample = F.cross_entropy(logits, target, reduction="none")
    summed = nn.SmoothL1Loss(reduction="sum")(pred, box_target)
    kl = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(logits, dim=1), F.softmax(teacher_logits, dim=1))
    total = aggregate([per_sample.mean(), summed, kl], reduce="sum" if cfg.size_average else "mean")
    return functools.reduce(torch.add, [per_sample.sum(), summed]) + total
