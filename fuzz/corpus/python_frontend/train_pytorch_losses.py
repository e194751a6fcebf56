"""Losses that torch.nn does not have: a multi-class focal loss, online hard example mining,
label smoothing as a KL divergence (kept to reproduce the 2019 checkpoints), and the
distillation term.
"""

import torch
import torch.nn.functional as F
from torch import nn


class FocalLoss(nn.Module):
    """Multi-class focal loss (Lin et al., 2017): cross-entropy scaled by `(1 - p_t) ** gamma`.

    `alpha` is an optional per-class weight tensor, as `weight=` of `nn.CrossEntropyLoss`.
    """

    def __init__(self, alpha=None, gamma=2.0, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"invalid reduction {reduction!r}")
        self.alpha = alpha
        self.gamma = gamma
        self.reduction = reduction

    def forward(self, logits, target):
        log_p = F.log_softmax(logits, dim=-1)
        ce = F.nll_loss(log_p, target, weight=self.alpha, reduction="none")
        log_pt = log_p.gather(1, target.unsqueeze(1)).squeeze(1)
        loss = (1.0 - log_pt.exp()) ** self.gamma * ce
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss


def ohem_cross_entropy(logits, target, keep_ratio=0.7, weight=None):
    """Online hard example mining: average only the hardest `keep_ratio` of the batch."""
    losses = F.cross_entropy(logits, target, weight=weight, reduce=False)
    k = max(1, int(keep_ratio * losses.numel()))
    return losses.topk(k).values.mean()


class LabelSmoothingKL(nn.Module):
    """Label smoothing written as KL(smoothed one-hot || model), as in the 2019 code base.

    Divided by the number of tokens by hand; `--loss smooth_kl` reproduces the old runs.
    """

    def __init__(self, num_classes, smoothing=0.1):
        super().__init__()
        self.num_classes = num_classes
        self.smoothing = smoothing
        self.criterion = nn.KLDivLoss(size_average=False)

    def forward(self, logits, target):
        log_probs = F.log_softmax(logits, dim=-1)
        with torch.no_grad():
            true_dist = torch.full_like(log_probs, self.smoothing / (self.num_classes - 1))
            true_dist.scatter_(1, target.unsqueeze(1), 1.0 - self.smoothing)
        return self.criterion(log_probs, true_dist) / target.numel()


def distillation_loss(student_logits, teacher_logits, temperature=4.0):
    """Hinton et al. (2015): the KL divergence between softened distributions, times T^2."""
    return F.kl_div(
        F.log_softmax(student_logits / temperature, dim=1),
        F.softmax(teacher_logits / temperature, dim=1),
        reduction="batchmean",
    ) * temperature**2
