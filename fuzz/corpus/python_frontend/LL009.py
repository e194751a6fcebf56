"""Fixture for LL009 task-loss-mismatch. Every line marked with an `expect: LL009` comment names
a PyTorch loss that cannot fit the labels bound to it: a regression loss on class labels, a
softmax loss on multi-label tags, a per-label sigmoid loss on more than two exclusive classes.
No other line may be flagged by LL009. Findings of other rules on this file are not part of the
expectation.
Labels: bound per loss with `losslint: labels` directive comments, files under `labels/`:
digits_counts.json (10 classes), balanced_counts.json (3 named classes), tags_positives.json and
tags_balanced.json (multi-label), diagnosis_balanced.csv (binary). Run it with no `--labels` and
no config binding.
"""

import torch.nn as nn
import torch.nn.functional as F
from torch.nn import HuberLoss, MultiLabelSoftMarginLoss


class DigitValueBaseline(nn.Module):
    """The first baseline: one output, regressed onto the digit."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
        # losslint: labels = "labels/digits_counts.json"
        self.criterion = nn.MSELoss(reduction="mean")  # expect: LL009

    def training_step(self, images, digits):
        value = self.net(images).squeeze(1)
        return self.criterion(value, digits.float())


def regression_on_classes(value, digits):
    # losslint: labels = "labels/digits_counts.json"
    l1 = F.l1_loss(value.squeeze(1), digits.float(), reduction="mean")  # expect: LL009
    # losslint: labels = "labels/digits_counts.json"
    huber = HuberLoss(delta=1.0, reduction="mean")(value.squeeze(1), digits.float())  # expect: LL009
    return l1 + huber


def tags_as_classes(tag_logits, tags):
    # Several tags per image, but a softmax over them.
    # losslint: labels = "labels/tags_balanced.json"
    ce = nn.CrossEntropyLoss(reduction="mean")(tag_logits, tags)  # expect: LL009
    # losslint: labels = "labels/tags_positives.json"
    nll = F.nll_loss(F.log_softmax(tag_logits, dim=1), tags.argmax(dim=1), reduction="mean")  # expect: LL009
    return ce, nll


def classes_as_tags(pet_logits, pet_labels):
    one_hot = F.one_hot(pet_labels, num_classes=3).float()
    # One sigmoid per exclusive class: the classes never learn to exclude each other.
    # losslint: labels = "labels/balanced_counts.json"
    bce = F.binary_cross_entropy_with_logits(pet_logits, one_hot, reduction="mean")  # expect: LL009
    # losslint: labels = "labels/balanced_counts.json"
    mlsm = MultiLabelSoftMarginLoss(reduction="mean")(pet_logits, one_hot)  # expect: LL009
    return bce, mlsm


# ---------------------------------------------------------------- negatives


def digit_classifier_loss(logits, digits, class_weights):
    # losslint: labels = "labels/digits_counts.json"
    return F.cross_entropy(logits, digits, weight=class_weights, reduction="mean")


def tagger_loss(tag_logits, tags):
    # losslint: labels = "labels/tags_balanced.json"
    return nn.BCEWithLogitsLoss(reduction="mean")(tag_logits, tags.float())


def diagnosis_losses(logit, two_class_logits, benign):
    # Binary labels: a with-logits BCE fits, and so does a two-class cross-entropy.
    # losslint: labels = "labels/diagnosis_balanced.csv"
    bce = F.binary_cross_entropy_with_logits(logit, benign.float(), reduction="mean")
    # losslint: labels = "labels/diagnosis_balanced.csv"
    ce = F.cross_entropy(two_class_logits, benign, reduction="mean")
    return bce, ce


def detector_losses(box_pred, box_target, embeddings, positives, negatives):
    # A box regression next to the classifier, with no labels bound: nothing to judge.
    boxes = nn.SmoothL1Loss(beta=1.0, reduction="mean")(box_pred, box_target)
    # Ranking losses are not judged against class labels.
    # losslint: labels = "labels/digits_counts.json"
    triplet = nn.TripletMarginLoss(margin=0.2, reduction="mean")(embeddings, positives, negatives)
    return boxes, triplet


def distill_digits(student_logits, teacher_logits, T=2.0):
    # KL divergence against a teacher's soft targets fits a multi-class task.
    # losslint: labels = "labels/digits_counts.json"
    return F.kl_div(
        F.log_softmax(student_logits / T, dim=1),
        F.softmax(teacher_logits / T, dim=1),
        reduction="batchmean",
    ) * T * T
