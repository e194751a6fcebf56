"""Fixture for LL006 nll-without-log-softmax. Every line marked with an `expect: LL006` comment
feeds `nn.NLLLoss` / `F.nll_loss` the output of softmax or sigmoid instead of log-probabilities;
the marker is on the line of the offending argument. No other line may be flagged by LL006.
Nothing in Python declares a value to be raw logits, so raw model outputs are not reported here.
Findings of other rules on this file are not part of the expectation.
Labels: none needed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import NLLLoss


class Net(nn.Module):
    """pytorch/examples' MNIST net, edited so that `forward` returns probabilities."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        return F.relu(self.fc1(torch.flatten(self.dropout(x), 1)))

    def forward(self, x):
        return F.softmax(self.fc2(self.features(x)), dim=1)

    def log_probs(self, x):
        return F.log_softmax(self.fc2(self.features(x)), dim=1)


def train(model, device, train_loader, optimizer):
    model.train()
    for data, target in train_loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target, reduction="mean")
        loss.backward()
        optimizer.step()


def train_local(device, train_loader, optimizer):
    model = Net().to(device)
    model.train()
    for data, target in train_loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target, reduction="mean")  # expect: LL006
        loss = loss + F.nll_loss(model.log_probs(data), target, reduction="mean")
        loss.backward()
        optimizer.step()


@torch.no_grad()
def test(device, test_loader):
    model = Net().to(device)
    model.eval()
    test_loss, correct = 0.0, 0
    for data, target in test_loader:
        log_probs = model.log_probs(data.to(device))
        test_loss += F.nll_loss(log_probs, target.to(device), reduction="sum").item()
        correct += log_probs.argmax(dim=1).eq(target.to(device)).sum().item()
    n = len(test_loader.dataset)
    return test_loss / n, correct / n


def losses(logits, target, class_weights):
    criterion = nn.NLLLoss(weight=class_weights, reduction="mean")
    probs = torch.softmax(logits, dim=-1)
    a = criterion(probs, target)  # expect: LL006
    b = NLLLoss(reduction="sum")(logits.sigmoid(), target)  # expect: LL006
    # log of the softmax is a log-probability (unstable, but what NLL wants): not reported.
    c = criterion(torch.log(probs + 1e-8), target)
    d = criterion(F.log_softmax(logits, dim=-1), target)
    return a, b, c, d


def sequential_models(images, target):
    prob_model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))
    log_model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.LogSoftmax(dim=1))
    criterion = nn.NLLLoss(reduction="mean")
    return (
        criterion(prob_model(images), target),  # expect: LL006
        criterion(log_model(images), target),
    )


class TaggerHead(nn.Module):
    def __init__(self, dim, num_tags):
        super().__init__()
        self.proj = nn.Linear(dim, num_tags)

    def forward(self, h):
        scores = self.proj(h)
        return scores.log_softmax(dim=-1), scores.softmax(dim=-1)


def tagger_loss(hidden, tags):
    head = TaggerHead(256, 17)
    log_probs, probs = head(hidden)
    nll = F.nll_loss(log_probs.transpose(1, 2), tags, ignore_index=-1, reduction="mean")
    wrong = F.nll_loss(probs.transpose(1, 2), tags, ignore_index=-1, reduction="mean")  # expect: LL006
    return nll, wrong, probs.max(dim=-1).values.mean()


def raw_outputs(model, images, target):
    # Raw outputs of an unknown model (or a Linear layer): nothing declares them logits, so
    # nothing is reported, however likely the mistake.
    linear = nn.Linear(784, 10)
    return F.nll_loss(model(images), target, reduction="mean") + F.nll_loss(
        linear(images.flatten(1)), target, reduction="mean"
    )
