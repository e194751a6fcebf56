"""Fixture for LL010 mean-loss-accumulation. Every line marked with an `expect: LL010` comment
adds a per-batch loss to an epoch total that is then divided by the wrong count: batch means by
the number of samples (`len(loader.dataset)`, a counter of batch sizes), or batch sums by the
number of batches (`len(loader)`, a counter of batches). The marker is on the accumulation; the
division is the finding's secondary span. No other line may be flagged by LL010. Findings of
other rules on this file are not part of the expectation.
Labels: none needed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def train_epoch(model, loader, optimizer, device):
    criterion = nn.CrossEntropyLoss(reduction="mean")
    model.train()
    running_loss = 0.0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()  # expect: LL010
    return running_loss / len(loader.dataset)


@torch.no_grad()
def evaluate_sum(model, loader, device):
    model.eval()
    total = 0.0
    for inputs, labels in loader:
        logits = model(inputs.to(device))
        total += F.cross_entropy(logits, labels.to(device), reduction="sum").item()  # expect: LL010
    return total / len(loader)


@torch.no_grad()
def evaluate_counted(model, loader, device):
    model.eval()
    total, seen = 0.0, 0
    for inputs, labels in loader:
        loss = F.mse_loss(model(inputs.to(device)), labels.to(device), reduction="mean")
        total += float(loss)  # expect: LL010
        seen += inputs.size(0)
    return total / seen


def train_epoch_inplace(model, dataloader, optimizer):
    criterion = nn.BCEWithLogitsLoss(reduction="mean")
    epoch_loss = 0.0
    for x, y in dataloader:
        optimizer.zero_grad()
        loss = criterion(model(x).squeeze(1), y.float())
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()  # expect: LL010
    epoch_loss /= len(dataloader.dataset)
    return epoch_loss


def rescaled_by_batches(model, loader):
    criterion = nn.CrossEntropyLoss(reduction="mean")
    total, n_batches = 0.0, 0
    for x, y in loader:
        total += criterion(model(x), y).item() * x.size(0)  # expect: LL010
        n_batches += 1
    return total / n_batches


def batch_loss(model, x, y):
    return F.cross_entropy(model(x), y, reduction="mean")


def epoch_through_helper(model, loader):
    total = 0.0
    for x, y in loader:
        total += batch_loss(model, x, y).item()  # expect: LL010
    return total / len(loader.dataset)


# ---------------------------------------------------------------- negatives


def transfer_learning_epoch(model, loader, optimizer):
    # The torchvision fine-tuning tutorial: batch mean times batch size, over samples.
    criterion = nn.CrossEntropyLoss(reduction="mean")
    running_loss = 0.0
    for inputs, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * inputs.size(0)
    return running_loss / len(loader.dataset)


def cifar_tutorial(model, trainloader, optimizer, epochs=2):
    # The 60-minute blitz: a mean of the last 2000 batch means.
    criterion = nn.CrossEntropyLoss(reduction="mean")
    for epoch in range(epochs):
        running_loss = 0.0
        for i, (inputs, labels) in enumerate(trainloader):
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 2000 == 1999:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 2000:.3f}")
                running_loss = 0.0


@torch.no_grad()
def validate(model, loader):
    mean_total, sum_total = 0.0, 0.0
    for i, (x, y) in enumerate(loader):
        logits = model(x)
        mean_total += F.cross_entropy(logits, y, reduction="mean").item()
        sum_total += F.cross_entropy(logits, y, reduction="sum").item()
    # Mean of batch means over batches, and sum of sums over samples: both right.
    return mean_total / (i + 1), sum_total / len(loader.dataset)


def unknown_reduction(model, loader, criterion):
    # The criterion comes from the caller: its reduction is unknown, nothing is said.
    total = 0.0
    for x, y in loader:
        total += criterion(model(x), y).item()
    return total / len(loader.dataset)
