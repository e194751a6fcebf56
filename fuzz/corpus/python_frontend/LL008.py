"""Fixture for LL008 kl-div-mean-reduction. Every line marked with an `expect: LL008` comment
holds a PyTorch KL divergence (`nn.KLDivLoss`, `F.kl_div`) reduced with "mean": at the written
`reduction=` value, or at the loss's name where the reduction is left to the default ("mean").
No other line may be flagged by LL008. LL001 also fires on the implicit ones; findings of other
rules are not part of the expectation.
Labels: none needed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical, kl_divergence
from torch.nn import KLDivLoss

KL = nn.KLDivLoss(reduction="mean")  # expect: LL008


class DistillationLoss(nn.Module):
    """Hinton et al. (2015) knowledge distillation, as in many model-compression repos."""

    def __init__(self, temperature=4.0, alpha=0.9):
        super().__init__()
        self.T = temperature
        self.alpha = alpha
        self.kl = nn.KLDivLoss(
            reduction="mean",  # expect: LL008
            log_target=False,
        )
        self.ce = nn.CrossEntropyLoss(reduction="mean")

    def forward(self, student_logits, teacher_logits, labels):
        soft = self.kl(
            F.log_softmax(student_logits / self.T, dim=1),
            F.softmax(teacher_logits / self.T, dim=1),
        ) * (self.T * self.T)
        hard = self.ce(student_logits, labels)
        return self.alpha * soft + (1.0 - self.alpha) * hard


def distill_functional(student_logits, teacher_logits, T=2.0):
    s = F.log_softmax(student_logits / T, dim=-1)
    t = F.softmax(teacher_logits / T, dim=-1)
    first = F.kl_div(s, t) * T * T  # expect: LL008
    second = torch.nn.functional.kl_div(s, t.log(), reduction='mean', log_target=True)  # expect: LL008
    return first, second


def consistency_loss(logits_a, logits_b):
    # UDA-style consistency between two augmentations, default reduction.
    criterion = KLDivLoss()  # expect: LL008
    return criterion(F.log_softmax(logits_a, dim=1), F.softmax(logits_b.detach(), dim=1))


def label_smoothing_kl(log_probs, target, num_classes, eps=0.1):
    smooth = torch.full_like(log_probs, eps / (num_classes - 1))
    smooth.scatter_(1, target.unsqueeze(1), 1.0 - eps)
    return KL(log_probs, smooth)


# ---------------------------------------------------------------- negatives


def distill(student_logits, teacher_logits, T=4.0):
    # The batch mean is the KL divergence per sample.
    return F.kl_div(
        F.log_softmax(student_logits / T, dim=1),
        F.softmax(teacher_logits / T, dim=1),
        reduction="batchmean",
    ) * T * T


def summed_then_divided(student_log_probs, teacher_probs):
    batch = student_log_probs.size(0)
    return nn.KLDivLoss(reduction="sum")(student_log_probs, teacher_probs) / batch


def per_sample(student_log_probs, teacher_log_probs):
    kl = F.kl_div(student_log_probs, teacher_log_probs, reduction="none", log_target=True)
    return kl.sum(dim=-1).mean()


class ConfigurableKD(nn.Module):
    def __init__(self, reduction="batchmean"):
        super().__init__()
        # A reduction from a variable: not known to be "mean", not reported.
        self.kl = nn.KLDivLoss(reduction=reduction)

    def forward(self, s, t):
        return self.kl(F.log_softmax(s, dim=-1), F.softmax(t, dim=-1))


def vae_kl(mu, logvar):
    # The VAE's closed-form KL term and torch.distributions: no KLDivLoss involved.
    analytic = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1).mean()
    return analytic


def policy_kl(old_logits, new_logits):
    return kl_divergence(Categorical(logits=old_logits), Categorical(logits=new_logits)).mean()
