"""Reference numbers for the digits demo, computed with PyTorch.

`train_lossfit::reference_value` is compared with the first number this prints. Run with a
Python that has torch (it is not needed to build or lint the project):

    python scripts/reference_torch.py data/digits.csv data/train_labels.csv
"""

import csv
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def load(digits_path, split_path):
    with open(split_path) as f:
        rows = {int(r["id"]): int(r["label"]) for r in csv.DictReader(f)}
    images, labels = [], []
    with open(digits_path) as f:
        for i, line in enumerate(f):
            if i in rows:
                values = [float(v) for v in line.split(",")]
                images.append([v / 16.0 for v in values[:64]])
                labels.append(rows[i])
    return torch.tensor(images), torch.tensor(labels)


def balanced_weights(labels, classes=10):
    counts = torch.bincount(labels, minlength=classes).double()
    raw = counts.sum() / (classes * counts)
    return raw / raw.mean()


def main():
    x, y = load(sys.argv[1], sys.argv[2])
    weights = balanced_weights(y).float()
    torch.manual_seed(0)
    model = nn.Linear(64, 10)
    logits = model(x)

    mean = F.cross_entropy(logits, y, weight=weights, reduction="mean")
    # copied from an old tutorial: size_average=False overrides `reduction`
    summed = nn.CrossEntropyLoss(weight=weights, size_average=False)(logits, y)
    per_image = F.nll_loss(F.log_softmax(logits, dim=1), y, weight=weights, reduce=False)
    print(f"{mean.item():.8f} {summed.item():.8f} {per_image.sum().item():.8f}")

    teacher = torch.softmax(logits.detach() * 2.0, dim=1)
    kl = F.kl_div(F.log_softmax(logits, dim=1), teacher, reduction="batchmean")
    print(f"{kl.item():.8f}")


if __name__ == "__main__":
    main()
