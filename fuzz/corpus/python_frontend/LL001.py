"""Fixture for LL001 implicit-reduction. Every line marked with an `expect: LL001` comment names
a PyTorch loss that is built or called without `reduction=` (the default applies: "mean", or
"none" for torchvision's `sigmoid_focal_loss`); no other line may be flagged by LL001. Findings
of other rules on this file are not part of the expectation.
Labels: none needed.
"""

import functools

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torch.nn import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from torch.nn import SmoothL1Loss as Huberish
from torch.nn.functional import binary_cross_entropy_with_logits

from .losses import DiceLoss

# A module-level criterion, as in most single-file training scripts.
criterion = nn.CrossEntropyLoss()  # expect: LL001


class SequenceClassificationHead(nn.Module):
    """The head of a HF-style `...ForSequenceClassification` model."""

    def __init__(self, hidden_size, num_labels, problem_type=None, dropout=0.1):
        super().__init__()
        self.num_labels = num_labels
        self.problem_type = problem_type
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, pooled_output, labels=None):
        logits = self.classifier(self.dropout(pooled_output))
        loss = None
        if labels is not None:
            if self.problem_type == "regression":
                loss_fct = MSELoss()  # expect: LL001
                loss = loss_fct(logits.squeeze(), labels.squeeze())
            elif self.problem_type == "single_label_classification":
                loss_fct = CrossEntropyLoss()  # expect: LL001
                loss = loss_fct(logits.view(-1, self.num_labels), labels.view(-1))
            elif self.problem_type == "multi_label_classification":
                loss_fct = BCEWithLogitsLoss(reduction="mean")
                loss = loss_fct(logits, labels)
        return (loss, logits) if loss is not None else (logits,)


class Detector(nn.Module):
    def __init__(self, backbone, num_classes, reduction="sum"):
        super().__init__()
        self.backbone = backbone
        self.cls_head = nn.Conv2d(256, num_classes, 3, padding=1)
        self.box_head = nn.Conv2d(256, 4, 3, padding=1)
        self.box_loss = Huberish(  # expect: LL001
            beta=1.0 / 9,
        )
        self.obj_loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]), reduction=reduction)
        # The reduction comes from a variable: visible, even if its value is not.
        self.cls_loss = nn.CrossEntropyLoss(label_smoothing=0.1, reduction=reduction)

    def losses(self, features, cls_targets, box_targets, obj_targets, obj_logits):
        box_pred = self.box_head(features)
        cls_logits = self.cls_head(features)
        return {
            "box": self.box_loss(box_pred, box_targets),
            "cls": self.cls_loss(cls_logits, cls_targets),
            "obj": self.obj_loss(obj_logits, obj_targets),
            "focal": torchvision.ops.sigmoid_focal_loss(cls_logits, cls_targets, alpha=0.25, gamma=2.0),  # expect: LL001
        }


def seg_loss(mask_logits, masks, dice_weight=0.5):
    bce = binary_cross_entropy_with_logits(mask_logits, masks)  # expect: LL001
    # The project's own loss from a relative import: not an API losslint knows.
    dice = DiceLoss(smooth=1.0)(mask_logits.sigmoid(), masks)
    return (1 - dice_weight) * bce + dice_weight * dice


def regression_losses(pred, target, cfg):
    l1 = torch.nn.functional.l1_loss(pred, target)  # expect: LL001
    mse = F.mse_loss(pred, target, reduction="mean")
    # The keyword arguments come from the config: the reduction may be in there.
    smooth = nn.SmoothL1Loss(**cfg.loss_kwargs)(pred, target)
    return l1 + mse + smooth


def lm_loss(logits, labels, pad_id):
    shift_logits = logits[..., :-1, :].contiguous()
    shift_labels = labels[..., 1:].contiguous()
    return F.cross_entropy(  # expect: LL001
        shift_logits.view(-1, shift_logits.size(-1)),
        shift_labels.view(-1),
        ignore_index=pad_id,
    )


# Partially applied: the reduction is never chosen.
token_loss = functools.partial(F.cross_entropy, ignore_index=-100)  # expect: LL001
summed_token_loss = functools.partial(F.cross_entropy, ignore_index=-100, reduction="sum")


def seq2seq_losses(decoder_logits, target_ids):
    flat_logits = decoder_logits.flatten(0, 1)
    flat_targets = target_ids.flatten()
    mean_loss = token_loss(flat_logits, flat_targets)
    n_tokens = (flat_targets != -100).sum().clamp(min=1)
    return mean_loss, summed_token_loss(flat_logits, flat_targets) / n_tokens


def old_style(output, target):
    # Legacy arguments decide the reduction: LL007's finding, not LL001's.
    return nn.NLLLoss(size_average=False)(output, target)


def explicit(logits, target, box_pred, box_target):
    per_pixel = nn.L1Loss(reduction='none')(box_pred, box_target)
    ce = F.cross_entropy(logits, target, reduction="mean")
    hinge = torch.nn.modules.loss.MultiMarginLoss(margin=1.0)(logits, target)  # expect: LL001
    return per_pixel.mean() + ce + hinge


def softmax_xent(F, logits, labels):
    """Backend-agnostic: `F` is whichever ops module the caller passes (torch's or the numpy
    reference implementation used in the tests), so this is not torch.nn.functional."""
    return F.cross_entropy(logits, labels)
