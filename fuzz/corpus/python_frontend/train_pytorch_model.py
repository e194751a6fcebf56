"""Models: the digit classifier, the wider teacher used for distillation, and the export wrapper.

Every `forward` here returns logits; the probabilities are for inference code only.
"""

import torch
import torch.nn.functional as F
from torch import nn


class DigitNet(nn.Module):
    """A small CNN for 8x8 digits."""

    def __init__(self, num_classes=5, width=32, dropout=0.2):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, 2 * width, 3, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.dropout = nn.Dropout(dropout)
        self.hidden = nn.Linear(2 * width * 4 * 4, 128)
        self.classifier = nn.Linear(128, num_classes)

    def embed(self, x):
        """The 128-d representation before the classifier (distillation hints use it)."""
        x = self.features(x).flatten(1)
        return F.relu(self.hidden(self.dropout(x)))

    def forward(self, x):
        return self.classifier(self.embed(x))

    @torch.no_grad()
    def predict_proba(self, x):
        return F.softmax(self(x), dim=1)


class TeacherNet(DigitNet):
    """Twice as wide; trained once with `train.py --model teacher`, then frozen."""

    def __init__(self, num_classes=5):
        super().__init__(num_classes, width=64, dropout=0.3)


class ExportWrapper(nn.Module):
    """What `export.py` traces to ONNX: the serving code wants probabilities."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.model(x))


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
