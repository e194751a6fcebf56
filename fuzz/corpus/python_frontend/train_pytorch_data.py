"""Data loading for the digit classifier and the screening model.

The digit images are the UCI optical digits shipped with the Rust demo
(`../train_digits/data/digits.csv`, 64 pixel counts 0..16 then the class); `data/train_labels.csv`
lists which rows form the training set (`id` = 0-based row, `label` = digit 0..4). The screening
model reads `../train_digits/data/breast_cancer.csv`. See `data/README.md`.
"""

import csv
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler, random_split

NUM_CLASSES = 5
PIXELS = 64
HERE = Path(__file__).resolve().parent
DEFAULT_DIGITS = HERE.parent / "train_digits" / "data" / "digits.csv"
DEFAULT_SPLIT = HERE / "data" / "train_labels.csv"
DEFAULT_BREAST_CANCER = HERE.parent / "train_digits" / "data" / "breast_cancer.csv"


def read_split(path):
    """`{row id: label}` from a split file with an `id,label` header."""
    with open(path, newline="") as f:
        return {int(row["id"]): int(row["label"]) for row in csv.DictReader(f)}


class DigitsDataset(Dataset):
    """8x8 digit images as 1x8x8 float tensors in [0, 1], with their class index."""

    def __init__(self, digits_csv=DEFAULT_DIGITS, split_csv=DEFAULT_SPLIT, shift_augment=False):
        rows = read_split(split_csv)
        images, labels = [], []
        with open(digits_csv) as f:
            for i, line in enumerate(f):
                if i in rows:
                    values = [float(v) for v in line.split(",")]
                    images.append(values[:PIXELS])
                    labels.append(rows[i])
        self.images = torch.tensor(images).div_(16.0).view(-1, 1, 8, 8)
        self.labels = torch.tensor(labels, dtype=torch.long)
        self.shift_augment = shift_augment

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        if self.shift_augment:
            dy, dx = torch.randint(-1, 2, (2,)).tolist()
            image = torch.roll(image, shifts=(dy, dx), dims=(1, 2))
        return image, self.labels[idx]


def class_counts(labels, num_classes=NUM_CLASSES):
    return torch.bincount(labels, minlength=num_classes)


def inverse_frequency_weights(labels, num_classes=NUM_CLASSES):
    """scikit-learn's "balanced" weights `n / (C * n_c)`, scaled to mean 1."""
    counts = class_counts(labels, num_classes).double()
    raw = counts.sum() / (num_classes * counts.clamp(min=1))
    return (raw / raw.mean()).float()


def make_loaders(digits_csv=DEFAULT_DIGITS, split_csv=DEFAULT_SPLIT, batch_size=64,
                 val_fraction=0.2, balanced_sampler=False, seed=0, num_workers=0):
    """Train and validation loaders, and the training labels (for class weights)."""
    full = DigitsDataset(digits_csv, split_csv)
    n_val = int(len(full) * val_fraction)
    generator = torch.Generator().manual_seed(seed)
    train_set, val_set = random_split(full, [len(full) - n_val, n_val], generator=generator)
    train_labels = full.labels[train_set.indices]

    sampler = None
    if balanced_sampler:
        sample_weights = inverse_frequency_weights(train_labels)[train_labels]
        sampler = WeightedRandomSampler(sample_weights, num_samples=len(train_set), replacement=True)
    train_loader = DataLoader(
        train_set,
        batch_size=batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=num_workers,
        pin_memory=torch.cuda.is_available(),
    )
    val_loader = DataLoader(val_set, batch_size=256, num_workers=num_workers)
    return train_loader, val_loader, train_labels


def load_breast_cancer(path=DEFAULT_BREAST_CANCER, standardise=True):
    """Features (569 x 30) and the malignant indicator (1 = malignant, 0 = benign)."""
    with open(path) as f:
        next(f)  # "569,30,malignant,benign"
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows)
    x, benign = data[:, :-1], data[:, -1]
    if standardise:
        x = (x - x.mean(dim=0)) / x.std(dim=0).clamp(min=1e-6)
    return x, 1.0 - benign
