"""Fixture for LL012 unbound-label-directive. Every line marked with an `expect: LL012` comment
holds a `losslint: labels = ".."` directive that binds no loss (none is built, named or applied
on its line or the next); no other line may be flagged by LL012. Findings of other rules on this
file are not part of the expectation.
Labels: bound per loss with directives, files under `labels/`; run it with no `--labels` and no
config binding.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Trainer:
    def __init__(self, model):
        self.model = model
        # losslint: labels = "labels/digits_counts.json"
        self.criterion = nn.CrossEntropyLoss(reduction="mean")
        # Moved above the optimizer when the criterion line was deleted: now it binds nothing.
        # losslint: labels = "labels/digits_counts.json"  # expect: LL012
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(self, images, labels):
        # Bound where the loss is applied (a criterion built in `__init__`).
        # losslint: labels = "labels/digits_counts.json"
        return self.criterion(self.model(images), labels)


def evaluate(model, loader):
    # losslint: labels = "labels/digits_counts.json"  # expect: LL012

    total = 0.0
    for images, labels in loader:
        logits = model(images)
        total += F.cross_entropy(logits, labels, reduction="sum").item()
    return total


def head_losses(logits, tags):
    # Two lines above the loss: too far, the directive binds nothing.
    # losslint: labels = "labels/tags_positives.json"  # expect: LL012
    probs_unused = None
    return F.binary_cross_entropy_with_logits(logits, tags, reduction="mean")
