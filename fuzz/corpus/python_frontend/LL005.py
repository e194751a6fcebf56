"""Fixture for LL005 bce-on-probabilities. Every line marked with an `expect: LL005` comment
passes sigmoid output computed in this file to plain `nn.BCELoss` / `F.binary_cross_entropy`,
where the with-logits form is the stable one; the marker is on the line of the offending
argument. No other line may be flagged by LL005. Findings of other rules on this file are not
part of the expectation.
Labels: none needed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.functional import binary_cross_entropy


class LogisticRegression(nn.Module):
    """The logistic regression of many PyTorch tutorials."""

    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


def fit_logreg(x_train, y_train, epochs=200, lr=0.05):
    model = LogisticRegression(x_train.shape[1])
    criterion = nn.BCELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        optimizer.zero_grad()
        y_pred = model(x_train)
        loss = criterion(y_pred.squeeze(1), y_train)  # expect: LL005
        loss.backward()
        optimizer.step()
    return model


def fit_mlp(x_train, y_train, hidden=64):
    model = nn.Sequential(
        nn.Linear(x_train.shape[1], hidden),
        nn.ReLU(),
        nn.Linear(hidden, 1),
        nn.Sigmoid(),
    )
    criterion = nn.BCELoss(reduction="mean")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(100):
        optimizer.zero_grad()
        loss = criterion(model(x_train).view(-1), y_train)  # expect: LL005
        loss.backward()
        optimizer.step()


def click_through_losses(logits, clicked, calibrated_prob):
    p_click = logits.sigmoid().squeeze(-1)
    a = F.binary_cross_entropy(p_click, clicked, reduction="mean")  # expect: LL005
    b = binary_cross_entropy(torch.sigmoid(logits).flatten(), clicked.flatten(), reduction="sum")  # expect: LL005
    # Probabilities that do not come from a visible sigmoid (a calibrated score): not reported.
    c = F.binary_cross_entropy(calibrated_prob, clicked, reduction="mean")
    # The with-logits form: nothing to report.
    d = F.binary_cross_entropy_with_logits(logits.squeeze(-1), clicked, reduction="mean")
    return a, b, c, d


def two_class_as_binary(logits, positive):
    # A softmax column is a probability too, but not a sigmoid's: LL005 says nothing.
    p_positive = F.softmax(logits, dim=1)[:, 1]
    return F.binary_cross_entropy(p_positive, positive, reduction="mean")


def ensemble_loss(member_logits, targets):
    # The mean of the members' sigmoids is a probability with no logit to go back to: not
    # reported.
    probs = torch.stack([torch.sigmoid(l) for l in member_logits]).mean(dim=0)
    return F.binary_cross_entropy(probs, targets, reduction="mean")


class Discriminator(nn.Module):
    """The DCGAN tutorial's discriminator: a sequential model ending in a sigmoid."""

    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input)


def discriminator_step(real, fake, optimizer_d, device):
    net_d = Discriminator().to(device)
    criterion = nn.BCELoss(reduction="mean")
    label = torch.full((real.size(0),), 1.0, dtype=torch.float, device=device)
    output = net_d(real).view(-1)
    err_real = criterion(output, label)  # expect: LL005
    label.fill_(0.0)
    err_fake = criterion(net_d(fake.detach()).view(-1), label)  # expect: LL005
    (err_real + err_fake).backward()
    optimizer_d.step()
    return err_real.item() + err_fake.item()


class VAE(nn.Module):
    """pytorch/examples' VAE: the decoder ends in a sigmoid, the loss helper takes its output."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z), mu, logvar


def vae_loss(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")  # expect: LL005
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train_vae(loader, optimizer):
    model = VAE()
    for data, _ in loader:
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = vae_loss(recon_batch, data, mu, logvar)
        loss.backward()
        optimizer.step()
