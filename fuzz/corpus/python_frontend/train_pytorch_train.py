"""Train the digit classifier with a plain PyTorch loop.

    python train.py                      # unweighted cross-entropy baseline
    python train.py --loss weighted_ce   # inverse-frequency class weights
    python train.py --loss focal --balanced-sampler
    python train.py --model teacher --epochs 60 --out checkpoints/teacher.pt
"""

import argparse
import logging
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from data import DEFAULT_DIGITS, DEFAULT_SPLIT, NUM_CLASSES, inverse_frequency_weights, make_loaders
from losses import FocalLoss, LabelSmoothingKL, ohem_cross_entropy
from model import DigitNet, TeacherNet, count_parameters

log = logging.getLogger("train")


def build_criterion(name, class_weights):
    if name == "ce":
        return nn.CrossEntropyLoss(label_smoothing=0.05, reduction="mean")
    if name == "weighted_ce":
        return nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.05, reduction="mean")
    if name == "focal":
        return FocalLoss(alpha=class_weights, gamma=2.0)
    if name == "smooth_kl":
        return LabelSmoothingKL(NUM_CLASSES, smoothing=0.05)
    raise ValueError(f"unknown loss {name!r}")


def train_one_epoch(model, loader, criterion, optimizer, scheduler, device, ohem=False, clip=1.0):
    model.train()
    running, seen = 0.0, 0
    for images, labels in loader:
        images = images.to(device, non_blocking=True)
        labels = labels.to(device, non_blocking=True)
        logits = model(images)
        loss = ohem_cross_entropy(logits, labels) if ohem else criterion(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        scheduler.step()
        running += loss.item() * images.size(0)
        seen += images.size(0)
    return running / seen


@torch.no_grad()
def evaluate(model, loader, class_weights, device):
    """Validation loss (weighted like training), accuracy and per-class recall."""
    model.eval()
    val_loss, correct = 0.0, 0
    hits = torch.zeros(NUM_CLASSES)
    totals = torch.zeros(NUM_CLASSES)
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        loss = F.cross_entropy(logits, labels, weight=class_weights, reduction="mean")
        val_loss += loss.item()
        preds = logits.argmax(dim=1)
        correct += (preds == labels).sum().item()
        totals += torch.bincount(labels.cpu(), minlength=NUM_CLASSES)
        hits += torch.bincount(labels[preds == labels].cpu(), minlength=NUM_CLASSES)
    recall = (hits / totals.clamp(min=1)).tolist()
    return val_loss / len(loader.dataset), correct / len(loader.dataset), recall


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--digits", type=Path, default=DEFAULT_DIGITS)
    p.add_argument("--labels", type=Path, default=DEFAULT_SPLIT)
    p.add_argument("--model", choices=["student", "teacher"], default="student")
    p.add_argument("--loss", choices=["ce", "weighted_ce", "focal", "smooth_kl"], default="ce")
    p.add_argument("--ohem", action="store_true", help="online hard example mining")
    p.add_argument("--balanced-sampler", action="store_true")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("checkpoints/student.pt"))
    return p.parse_args()


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_loader, val_loader, train_labels = make_loaders(
        args.digits, args.labels, batch_size=args.batch_size,
        balanced_sampler=args.balanced_sampler, seed=args.seed,
    )
    class_weights = inverse_frequency_weights(train_labels).to(device)
    model = (TeacherNet if args.model == "teacher" else DigitNet)(NUM_CLASSES).to(device)
    log.info("%s: %d parameters, loss %s", args.model, count_parameters(model), args.loss)

    criterion = build_criterion(args.loss, class_weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader)
    )

    best = float("inf")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, scheduler, device, args.ohem)
        val_loss, val_acc, recall = evaluate(model, val_loader, class_weights, device)
        log.info(
            "epoch %3d  train %.4f  val %.4f  acc %.3f  recall %s  (%.1fs)",
            epoch, train_loss, val_loss, val_acc,
            " ".join(f"{r:.2f}" for r in recall), time.perf_counter() - started,
        )
        if val_loss < best:
            best = val_loss
            torch.save(model.state_dict(), args.out)


if __name__ == "__main__":
    main()
