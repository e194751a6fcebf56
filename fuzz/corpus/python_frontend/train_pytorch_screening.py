"""Malignancy screening on the Breast Cancer Wisconsin (Diagnostic) data, 30 standardised
features: a logistic-regression baseline and an MLP with temperature scaling.

    python screening.py --epochs 60
"""

import argparse

import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from data import load_breast_cancer


class LogisticRegression(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x)).squeeze(1)


def fit_baseline(x_train, y_train, epochs=500, lr=0.1):
    model = LogisticRegression(x_train.shape[1])
    criterion = nn.BCELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x_train), y_train)
        loss.backward()
        optimizer.step()
    return model


def fit_mlp(x_train, y_train, x_val, y_val, epochs=60, batch_size=32, lr=1e-3, device="cpu"):
    """Train the MLP, then fit a temperature for its logits on the validation split."""
    model = nn.Sequential(
        nn.Linear(x_train.shape[1], 32),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(32, 1),
        nn.Sigmoid(),
    )
    model.to(device)
    # BCEWithLogitsLoss because autocast refuses BCELoss; malignant is the positive class.
    pos_weight = ((y_train == 0).sum() / (y_train == 1).sum()).reshape(1).to(device)
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True)
    use_amp = device == "cuda"
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device_type=device, enabled=use_amp):
                out = model(xb).squeeze(1)
                loss = criterion(out, yb)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

    # Temperature scaling: the MLP without its final sigmoid gives the logits.
    model.eval()
    with torch.no_grad():
        val_logits = model[:-1](x_val.to(device)).squeeze(1)
    log_t = torch.zeros(1, device=device, requires_grad=True)
    opt_t = torch.optim.Adam([log_t], lr=0.05)
    for _ in range(200):
        opt_t.zero_grad()
        nll = F.binary_cross_entropy_with_logits(val_logits / log_t.exp(), y_val.to(device), reduction="mean")
        nll.backward()
        opt_t.step()
    return model, log_t.exp().item()


@torch.no_grad()
def evaluate(model, x, y):
    """Validation BCE and ROC AUC of a model that outputs probabilities."""
    model.eval()
    probs = model(x).reshape(-1)
    bce = F.binary_cross_entropy(probs, y, reduction="mean").item()
    return bce, roc_auc_score(y.numpy(), probs.numpy())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    x, y = load_breast_cancer()
    perm = torch.randperm(len(y))
    n_val = len(y) // 5
    val, train = perm[:n_val], perm[n_val:]

    baseline = fit_baseline(x[train], y[train])
    mlp, temperature = fit_mlp(x[train], y[train], x[val], y[val], epochs=args.epochs)
    for name, model in [("logistic regression", baseline), ("mlp", mlp)]:
        bce, auc = evaluate(model, x[val], y[val])
        print(f"{name:20s} val BCE {bce:.4f}  AUC {auc:.4f}")
    print(f"temperature {temperature:.3f}")


if __name__ == "__main__":
    main()
