"""Fixture for LL004 sigmoid-before-bce-with-logits. Every line marked with an `expect: LL004`
comment passes sigmoid (or log-sigmoid) output as the prediction of `nn.BCEWithLogitsLoss`,
`F.binary_cross_entropy_with_logits` or torchvision's `sigmoid_focal_loss`, which apply the
sigmoid themselves; the marker is on the line of the offending argument. No other line may be
flagged by LL004. Findings of other rules on this file are not part of the expectation.
Labels: none needed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class DoubleConv(nn.Sequential):
    def __init__(self, in_ch, out_ch):
        super().__init__(
            nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
        )


class TinyUNet(nn.Module):
    """A Kaggle-style segmentation net that returns the mask probabilities."""

    def __init__(self, in_ch=3):
        super().__init__()
        self.down = DoubleConv(in_ch, 32)
        self.pool = nn.MaxPool2d(2)
        self.bottom = DoubleConv(32, 64)
        self.up = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.outc = nn.Conv2d(64, 1, 1)

    def forward(self, x):
        d = self.down(x)
        u = self.up(self.bottom(self.pool(d)))
        return torch.sigmoid(self.outc(torch.cat([u, d], dim=1)))


def train_segmentation(loader, optimizer, device):
    model = TinyUNet().to(device)
    criterion = nn.BCEWithLogitsLoss(reduction="mean")
    for images, masks in loader:
        images, masks = images.to(device), masks.to(device)
        optimizer.zero_grad()
        loss = criterion(model(images), masks)  # expect: LL004
        loss.backward()
        optimizer.step()


def tabular_step(features, targets, pos_weight):
    # Switched from BCELoss to BCEWithLogitsLoss for autocast, kept the nn.Sigmoid().
    head = nn.Sequential(nn.Linear(features.shape[1], 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="mean")
    with torch.autocast(device_type="cuda", dtype=torch.float16):
        out = head(features).squeeze(1)
        loss = criterion(out, targets)  # expect: LL004
    return loss


def multilabel_losses(logits, targets):
    probs = torch.sigmoid(logits)
    a = F.binary_cross_entropy_with_logits(probs, targets, reduction="mean")  # expect: LL004
    b = F.binary_cross_entropy_with_logits(target=targets, input=logits.sigmoid(), reduction="sum")  # expect: LL004
    c = nn.BCEWithLogitsLoss(reduction="none")(F.logsigmoid(logits), targets).mean()  # expect: LL004
    return a, b, c


def detection_cls_loss(cls_logits, gt_classes_target, num_foreground):
    return torchvision.ops.sigmoid_focal_loss(
        cls_logits.sigmoid(),  # expect: LL004
        gt_classes_target,
        reduction="sum",
    ) / max(1, num_foreground)


def focal_bce(logits, targets, gamma=2.0, alpha=0.25):
    # The sigmoid only builds the modulating factor; raw logits go into the loss.
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return (alpha_t * loss).mean()


def bce_dice(mask_logits, masks, smooth=1.0):
    # BCE on the logits, Dice on the probabilities: the usual combination, nothing to report.
    bce = F.binary_cross_entropy_with_logits(mask_logits, masks, reduction="mean")
    probs = mask_logits.sigmoid()
    inter = (probs * masks).sum(dim=(1, 2, 3))
    union = probs.sum(dim=(1, 2, 3)) + masks.sum(dim=(1, 2, 3))
    dice = 1 - ((2 * inter + smooth) / (union + smooth)).mean()
    return bce + dice


def self_training(student_logits, teacher_logits, threshold=0.5):
    # Sigmoid of the teacher is the target, the student's logits the prediction.
    soft = torch.sigmoid(teacher_logits.detach())
    loss = F.binary_cross_entropy_with_logits(input=student_logits, target=soft, reduction="mean")
    hard = (soft > threshold).float()
    return loss, F.binary_cross_entropy_with_logits(student_logits, hard, reduction="mean")


def rebound(model, images, masks):
    # The name is reused: by the loss it holds logits again.
    out = model(images).sigmoid()
    coverage = (out > 0.5).float().mean()
    out = model(images)
    return F.binary_cross_entropy_with_logits(out, masks, reduction="mean"), coverage
