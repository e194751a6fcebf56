"""Fixture for LL003 softmax-before-cross-entropy. Every line marked with an `expect: LL003`
comment passes softmax or log-softmax output as the prediction of `nn.CrossEntropyLoss` /
`F.cross_entropy` (which apply log-softmax themselves); the marker is on the line of the
offending argument. No other line may be flagged by LL003. Findings of other rules on this file
are not part of the expectation.
Labels: none needed.
"""

from functools import partial

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import CrossEntropyLoss as CE
from torch.nn.functional import cross_entropy, softmax

from .models import ResNetClassifier

CRITERION = nn.CrossEntropyLoss(reduction="mean")
smoothed_ce = partial(F.cross_entropy, label_smoothing=0.1, reduction="mean")


class ProbNet(nn.Module):
    """Returns probabilities "so that inference code gets calibrated scores"."""

    def __init__(self, in_features=784, num_classes=10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, 256)
        self.fc2 = nn.Linear(256, num_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        return F.softmax(self.fc2(x), dim=1)


class TwoOutputNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU())
        self.head = nn.Linear(128, num_classes)

    def forward(self, x):
        logits = self.head(self.body(x))
        return logits, logits.softmax(dim=-1)


class LitClassifier(L.LightningModule):
    def __init__(self, num_classes=10, lr=1e-3):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, num_classes))
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.05, reduction="mean")
        self.lr = lr

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)  # expect: LL003
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.log("val_loss", self.criterion(logits, y))
        self.log("val_acc", (self(x).argmax(dim=1) == y).float().mean())


def train_epoch(loader, optimizer, temperature=1.0):
    model = ProbNet()
    seq_model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))
    two_out = TwoOutputNet()
    for images, labels in loader:
        optimizer.zero_grad()
        loss = CRITERION(model(images), labels)  # expect: LL003
        loss = loss + CRITERION(seq_model(images), labels)  # expect: LL003
        logits, probs = two_out(images)
        loss = loss + CRITERION(logits, labels)
        loss = loss + smoothed_ce(probs, labels)  # expect: LL003
        scaled = softmax(logits / temperature, dim=1)
        loss = loss + cross_entropy(scaled, labels, reduction="mean")  # expect: LL003
        loss.backward()
        optimizer.step()


def sequence_loss(decoder_logits, targets, num_classes):
    log_probs = F.log_softmax(decoder_logits, dim=-1)
    return CE(ignore_index=-100, reduction="sum")(
        log_probs.view(-1, num_classes),  # expect: LL003
        targets.view(-1),
    )


def loss_and_confidence(logits, targets):
    # The softmax is for logging; the loss gets the logits: nothing to report.
    probs = F.softmax(logits, dim=1)
    confidence, predicted = probs.max(dim=1)
    loss = F.cross_entropy(logits, targets, reduction="mean")
    return loss, confidence.mean(), (predicted == targets).float().mean()


def fixmatch_unlabeled_loss(logits_weak, logits_strong, threshold=0.95):
    # Pseudo-labels from the softmax are targets, not predictions: nothing to report.
    probs = torch.softmax(logits_weak.detach(), dim=-1)
    max_probs, pseudo_labels = probs.max(dim=-1)
    mask = max_probs.ge(threshold).float()
    return (F.cross_entropy(logits_strong, pseudo_labels, reduction="none") * mask).mean()


def distill_soft_targets(student_logits, teacher_logits, T=2.0):
    # Soft targets from the teacher's softmax: the prediction is raw logits.
    teacher_probs = F.softmax(teacher_logits / T, dim=1)
    return F.cross_entropy(student_logits / T, teacher_probs, reduction="mean") * T * T


def rebound(model, images, targets):
    # The name is reused: by the loss it holds logits again.
    out = F.softmax(model(images), dim=1)
    entropy = -(out * out.clamp_min(1e-8).log()).sum(dim=1).mean()
    out = model(images)
    return CRITERION(out, targets), entropy


def from_elsewhere(images, targets, scores):
    # A model class from another module and a parameter: origins unknown, nothing is said.
    model = ResNetClassifier(num_classes=10)
    return CRITERION(model(images), targets) + F.cross_entropy(scores, targets, reduction="mean")


def shadowed(features, targets, calibrated_head):
    # `softmax` here is a local holding the caller's head, not torch's: nothing to report.
    softmax = calibrated_head
    return F.cross_entropy(softmax(features), targets, reduction="mean")


class TextClassifier(nn.Module):
    """An `nn.Softmax` module kept as an attribute and applied in `forward`."""

    def __init__(self, vocab_size, num_classes, dim=128):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, dim)
        self.fc = nn.Linear(dim, num_classes)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, tokens, offsets):
        return self.softmax(self.fc(self.embedding(tokens, offsets)))


def train_text(loader, vocab_size, optimizer):
    model = TextClassifier(vocab_size, num_classes=4)
    for labels, tokens, offsets in loader:
        optimizer.zero_grad()
        output = model(tokens, offsets)
        loss = CRITERION(output, labels)  # expect: LL003
        loss.backward()
        optimizer.step()
