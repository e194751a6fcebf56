"""Fixture for LL000 parse-error: this file does not parse (an `if` lost its colon, in
`log_epoch`), so losslint reports the parser's error on the line marked with an `expect: LL000`
comment, and the run goes on with the other files. Everything above `log_epoch` parses on its
own, and losslint still lints the statements its parser recovered: the softmax fed to
cross-entropy in `train_step` is marked with an `expect: LL003` comment.
Labels: none needed.
"""

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader


class SmallConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def train_step(model, optimizer, images, labels):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    logits = model(images)
    probs = F.softmax(logits, dim=1)
    loss = F.cross_entropy(probs, labels, reduction="mean")  # expect: LL003
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def accuracy(model, loader, device):
    model.eval()
    correct = seen = 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        correct += (model(images).argmax(dim=1) == labels).sum().item()
        seen += labels.numel()
    return correct / max(seen, 1)


def log_epoch(epoch, train_loss, val_acc, started):
    elapsed = time.time() - started
    if epoch % 10 == 0  # expect: LL000
        print(f"epoch {epoch:3d}  loss {train_loss:.4f}  val acc {val_acc:.3f}  ({elapsed:.0f}s)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = SmallConvNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    train_loader = DataLoader(torch.load("data/train.pt"), batch_size=128, shuffle=True)
    val_loader = DataLoader(torch.load("data/val.pt"), batch_size=512)

    started = time.time()
    for epoch in range(1, args.epochs + 1):
        losses = []
        for images, labels in train_loader:
            losses.append(train_step(model, optimizer, images.to(device), labels.to(device)))
        log_epoch(epoch, sum(losses) / len(losses), accuracy(model, val_loader, device), started)


if __name__ == "__main__":
    main()
