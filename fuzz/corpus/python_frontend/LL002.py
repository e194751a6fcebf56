"""Fixture for LL002 unweighted-imbalanced-loss. Every line marked with an `expect: LL002`
comment names a PyTorch classification loss with no `weight=`, no `pos_weight=` and no focal
term whose bound labels are imbalanced; no other line may be flagged by LL002. Findings of other
rules on this file are not part of the expectation.
Labels: bound per loss with `losslint: labels` directive comments, files under `labels/` (see
`labels/README.md`): digits_counts.json (IR 16.5), tags_positives.json (bicycle neg/pos 27.6),
diagnosis_counts.json (IR 15.7) are imbalanced; balanced_counts.json, tags_balanced.json and
diagnosis_balanced.csv are not. Run it with no `--labels` and no config binding, the default
policy (`max_ratio = 3.0`) and weights (`inverse_frequency`).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, WeightedRandomSampler
from torchvision.ops import sigmoid_focal_loss


def class_weights_from(labels, num_classes):
    counts = torch.bincount(labels, minlength=num_classes).float()
    weights = counts.sum() / (num_classes * counts.clamp(min=1))
    return weights / weights.mean()


class DigitsTrainer:
    def __init__(self, model, optimizer, class_weights=None):
        self.model = model
        self.optimizer = optimizer
        # losslint: labels = "labels/digits_counts.json"
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.1, reduction="mean")  # expect: LL002
        # Weights passed in by the caller, possibly None: losslint cannot tell.
        # losslint: labels = "labels/digits_counts.json"
        self.weighted = nn.CrossEntropyLoss(weight=class_weights, reduction="mean")
        # Bound where it is built; applied in `eval_step`.
        # losslint: labels = "labels/digits_counts.json"
        self.eval_criterion = nn.CrossEntropyLoss(reduction="sum")  # expect: LL002

    def train_step(self, images, labels):
        self.optimizer.zero_grad()
        loss = self.criterion(self.model(images), labels)
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    @torch.no_grad()
    def eval_step(self, images, labels):
        logits = self.model(images)
        return self.eval_criterion(logits, labels).item()


def digits_losses(logits, labels):
    w = torch.tensor([0.95, 0.62, 0.96, 0.91, 0.96, 0.94, 0.97, 0.92, 10.33, 0.93])
    # losslint: labels = "labels/digits_counts.json"
    weighted = F.cross_entropy(logits, labels, weight=w, reduction="mean")
    plain = F.cross_entropy(logits, labels, reduction="mean")  # losslint: labels = "labels/digits_counts.json" # expect: LL002
    log_probs = F.log_softmax(logits, dim=1)
    # losslint: labels = "labels/digits_counts.json"
    nll = nn.NLLLoss(reduction="mean")(log_probs, labels)  # expect: LL002
    return weighted, plain, nll


def pets_loss(logits, labels):
    # Balanced labels: nothing to report.
    # losslint: labels = "labels/balanced_counts.json"
    return nn.CrossEntropyLoss(reduction="mean")(logits, labels)


def tagger_losses(tag_logits, tags):
    # losslint: labels = "labels/tags_positives.json"
    unweighted = nn.BCEWithLogitsLoss(reduction="mean")(tag_logits, tags)  # expect: LL002
    pos_weight = torch.tensor([1.38, 2.23, 27.57], device=tag_logits.device)
    # losslint: labels = "labels/tags_positives.json"
    weighted = F.binary_cross_entropy_with_logits(tag_logits, tags, pos_weight=pos_weight, reduction="mean")
    # A focal term balances by itself: nothing to report.
    # losslint: labels = "labels/tags_positives.json"
    focal = sigmoid_focal_loss(tag_logits, tags, alpha=0.25, gamma=2.0, reduction="mean")
    return unweighted, weighted, focal


def indoor_outdoor_loss(scene_logits, scene_tags):
    # Balanced multi-label tags: nothing to report.
    # losslint: labels = "labels/tags_balanced.json"
    return F.binary_cross_entropy_with_logits(scene_logits, scene_tags, reduction="mean")


def screening_losses(logit, positive, calibrated_prob):
    # losslint: labels = "labels/diagnosis_counts.json"
    bce = F.binary_cross_entropy_with_logits(logit, positive, reduction="mean")  # expect: LL002
    # Plain BCE cannot weight positives at all: LL002 says to switch to the with-logits form.
    # losslint: labels = "labels/diagnosis_counts.json"
    calib = nn.BCELoss(reduction="mean")(calibrated_prob, positive)  # expect: LL002
    # A flake8 noqa for another code does not silence LL002.
    # losslint: labels = "labels/diagnosis_counts.json"
    legacy = F.binary_cross_entropy_with_logits(logit, positive, reduction="sum") / positive.numel()  # noqa: E501  # expect: LL002
    return bce, calib, legacy


def diagnosis_loss(logit, benign):
    # Balanced binary labels: nothing to report.
    # losslint: labels = "labels/diagnosis_balanced.csv"
    return nn.BCEWithLogitsLoss(reduction="mean")(logit, benign)


def balanced_batches(dataset, sample_weights, model, device):
    # The sampler draws every class equally often, so the loss needs no weights.
    sampler = WeightedRandomSampler(sample_weights, num_samples=len(dataset), replacement=True)
    loader = DataLoader(dataset, batch_size=64, sampler=sampler)
    # losslint: labels = "labels/digits_counts.json"
    criterion = nn.CrossEntropyLoss(reduction="mean")  # losslint: allow(LL002)
    # losslint: labels = "labels/digits_counts.json"
    criterion_b = nn.CrossEntropyLoss(reduction="mean")  # noqa: LL002
    for images, labels in loader:
        logits = model(images.to(device))
        yield criterion(logits, labels.to(device)) + criterion_b(logits, labels.to(device))
