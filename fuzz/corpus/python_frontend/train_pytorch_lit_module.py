"""The Lightning port of `train.py`, with optional distillation from a trained `TeacherNet`.

    python lit_module.py fit --model.teacher_ckpt checkpoints/teacher.pt --trainer.max_epochs 40
"""

import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.pytorch.cli import LightningCLI
from torchmetrics.classification import MulticlassAccuracy

from data import NUM_CLASSES, inverse_frequency_weights, make_loaders
from model import DigitNet, TeacherNet


class LitDigits(L.LightningModule):
    def __init__(self, num_classes=NUM_CLASSES, lr=3e-3, class_weights=None, teacher_ckpt=None,
                 temperature=4.0, kd_weight=0.5, hint_weight=0.1):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.model = DigitNet(num_classes)
        self.criterion = nn.CrossEntropyLoss(weight=class_weights, reduction="mean")
        self.kd_criterion = nn.KLDivLoss(reduction="mean")
        self.teacher = None
        if teacher_ckpt is not None:
            self.teacher = TeacherNet(num_classes)
            self.teacher.load_state_dict(torch.load(teacher_ckpt, map_location="cpu"))
            self.teacher.eval().requires_grad_(False)
            self.hint_proj = nn.Linear(128, 128)
        self.val_acc = MulticlassAccuracy(num_classes=num_classes, average="macro")

    def forward(self, x):
        # Probabilities, so that `trainer.predict` hands the serving code calibrated scores.
        return F.softmax(self.model(x), dim=1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)
        if self.teacher is not None:
            T = self.hparams.temperature
            student_logits = self.model(x)
            with torch.no_grad():
                teacher_logits = self.teacher(x)
                teacher_hidden = self.teacher.embed(x)
            kd = self.kd_criterion(
                F.log_softmax(student_logits / T, dim=1),
                F.softmax(teacher_logits / T, dim=1),
            ) * T * T
            hint = F.mse_loss(self.hint_proj(self.model.embed(x)), teacher_hidden)
            loss = loss + self.hparams.kd_weight * kd + self.hparams.hint_weight * hint
            self.log_dict({"train/kd": kd, "train/hint": hint})
        self.log("train/loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.model(x)
        self.log("val/loss", self.criterion(logits, y), prog_bar=True)
        self.val_acc(logits, y)
        self.log("val/acc", self.val_acc, on_epoch=True)

    def predict_step(self, batch, batch_idx):
        x, _ = batch
        return self(x)

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.trainer.max_epochs)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


class DigitsData(L.LightningDataModule):
    def __init__(self, batch_size=64, balanced_sampler=False):
        super().__init__()
        self.batch_size = batch_size
        self.balanced_sampler = balanced_sampler

    def setup(self, stage=None):
        self.train_loader, self.val_loader, labels = make_loaders(
            batch_size=self.batch_size, balanced_sampler=self.balanced_sampler
        )
        self.class_weights = inverse_frequency_weights(labels)

    def train_dataloader(self):
        return self.train_loader

    def val_dataloader(self):
        return self.val_loader


if __name__ == "__main__":
    LightningCLI(LitDigits, DigitsData)
