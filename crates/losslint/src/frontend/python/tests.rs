//! The Python frontend on small sources: name resolution, value flow, and what stays unknown.

use super::PythonFrontend;
use crate::facts::{Activation, Divisor, FileFacts, LossKind, Origin, Reduction, Role, Weighting};
use crate::frontend::Frontend;

fn facts(source: &str) -> FileFacts {
    PythonFrontend.facts(source)
}

fn input_activation(facts: &FileFacts, index: usize) -> Option<Activation> {
    facts.losses[index]
        .arguments
        .iter()
        .find(|a| a.role == Role::Input)
        .and_then(|a| match a.origin {
            Origin::Activation { activation, .. } => Some(activation),
            _ => None,
        })
}

#[test]
fn every_spelling_of_an_import_resolves() {
    let f = facts(
        "import torch\nimport torch.nn as nn\nfrom torch import nn as tnn\n\
         from torch.nn import CrossEntropyLoss as CE\nimport torch.nn.functional as F\n\
         from torch.nn.functional import cross_entropy\nfrom torchvision.ops import sigmoid_focal_loss\n\
         a = nn.CrossEntropyLoss()\nb = tnn.MSELoss()\nc = CE()\nd = torch.nn.modules.loss.L1Loss()\n\
         def f(x, y):\n    return F.nll_loss(x, y), cross_entropy(x, y), sigmoid_focal_loss(x, y)\n",
    );
    let apis: Vec<&str> = f.losses.iter().map(|s| s.api.as_str()).collect();
    assert_eq!(
        apis,
        [
            "torch.nn.CrossEntropyLoss",
            "torch.nn.MSELoss",
            "torch.nn.CrossEntropyLoss",
            "torch.nn.L1Loss",
            "torch.nn.functional.nll_loss",
            "torch.nn.functional.cross_entropy",
            "torchvision.ops.sigmoid_focal_loss",
        ]
    );
    let focal = &f.losses[6];
    assert!(matches!(&focal.reduction, Reduction::Implicit { default, .. } if default == "none"));
    assert_eq!(focal.weighting, Weighting::Focal);
}

#[test]
fn shadowed_and_relative_names_are_unknown() {
    let f = facts(
        "import torch.nn.functional as F\nfrom .losses import CrossEntropyLoss\n\
         def loss(F, x, y):\n    return F.cross_entropy(x, y)\n\
         def other(x, y):\n    nn = make()\n    return nn.CrossEntropyLoss()(x, y), CrossEntropyLoss()(x, y)\n",
    );
    assert!(f.losses.is_empty(), "{:?}", f.losses);
}

#[test]
fn positional_arguments_follow_the_signature() {
    let f = facts(
        "import torch.nn.functional as F\nimport torch.nn as nn\n\
         a = F.cross_entropy(x, y, w, None, -100, None, 'sum')\n\
         b = nn.CrossEntropyLoss(w)\nc = nn.KLDivLoss(None, None, 'batchmean')\n",
    );
    assert!(
        matches!(&f.losses[0].reduction, Reduction::Explicit { value, .. } if value == "'sum'")
    );
    assert_eq!(f.losses[0].weighting, Weighting::ClassWeights);
    assert_eq!(f.losses[1].weighting, Weighting::ClassWeights);
    assert!(f.losses[2].legacy_args.is_empty());
    assert!(matches!(&f.losses[2].reduction, Reduction::Explicit { .. }));
}

#[test]
fn softmax_reaches_the_loss_through_models_fields_and_tuples() {
    let f = facts(
        r"import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=1))
        self.criterion = nn.CrossEntropyLoss(reduction='mean')

    def forward(self, x):
        out = self.head(x)
        return out, x

    def step(self, x, y):
        probs, _ = self(x)
        return self.criterion(probs, y)
",
    );
    assert!(f.parse_failure.is_none());
    let applied: Vec<_> = (0..f.losses.len())
        .filter_map(|i| input_activation(&f, i))
        .collect();
    assert_eq!(applied, [Activation::Softmax]);
}

#[test]
fn partial_and_parameters_from_callers() {
    let f = facts(
        "import torch\nimport torch.nn.functional as F\nfrom functools import partial\n\
         ce = partial(F.cross_entropy, label_smoothing=0.1, reduction='mean')\n\
         def loss_fn(pred, y):\n    return ce(pred, y)\n\
         def main(x, y):\n    return loss_fn(torch.softmax(x, 1), y)\n",
    );
    assert_eq!(f.losses.len(), 2, "{:?}", f.losses);
    assert!(f.losses.iter().any(|s| {
        s.loss == LossKind::CrossEntropy
            && s.arguments
                .iter()
                .any(|a| matches!(a.origin, Origin::Activation { .. }))
    }));
}

#[test]
fn syntax_errors_keep_the_parsable_parts() {
    let f = facts("import torch.nn as nn\ncrit = nn.MSELoss()\ndef broken(:\n    pass\n");
    let failure = f.parse_failure.expect("a syntax error");
    assert!(failure.recovered);
    assert_eq!(failure.span.start.line, 3);
    assert_eq!(f.losses.len(), 1);
}

#[test]
fn hostile_nesting_is_refused_not_crashed() {
    let deep = format!(
        "import torch.nn as nn\nx = {}1{}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let f = facts(&deep);
    assert!(
        f.parse_failure
            .unwrap()
            .message
            .contains("nested too deeply")
    );
    let chain = format!("import torch.nn as nn\nx = {}1\n", "1 + ".repeat(500_000));
    assert!(facts(&chain).parse_failure.is_some());
}

/// The APIs of the sites of a source, in order.
fn apis(source: &str) -> Vec<String> {
    facts(source).losses.into_iter().map(|s| s.api).collect()
}

#[test]
fn every_scope_is_read() {
    // Class attributes, method defaults, methods under `if`, closures in loops and `with`,
    // lambda defaults, decorators, star imports, a nested function seeing its parent's import.
    let source = r"import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import *

class Model(nn.Module):
    criterion = nn.MSELoss()
    def forward(self, a, b, fn=nn.L1Loss()):
        return fn(a, b)
    if sys.version_info >= (3, 8):
        def other(self, a, b):
            return nn.HuberLoss()(a, b)

def train(opt, model, x, y):
    for epoch in range(3):
        def closure():
            return F.mse_loss(model(x), y)
        opt.step(closure)
    with torch.no_grad():
        def evaluate(a, b):
            return F.l1_loss(a, b)

f = lambda a, b, fn=nn.SmoothL1Loss(): fn(a, b)

@register(nn.BCELoss())
def step(a, b):
    pass

crit = CrossEntropyLoss()

def main():
    import torch.nn.functional as G
    def loss_fn(a, b):
        return G.cross_entropy(a, b)
";
    let found = apis(source);
    for api in [
        "torch.nn.MSELoss",
        "torch.nn.L1Loss",
        "torch.nn.HuberLoss",
        "torch.nn.functional.mse_loss",
        "torch.nn.functional.l1_loss",
        "torch.nn.SmoothL1Loss",
        "torch.nn.BCELoss",
        "torch.nn.CrossEntropyLoss",
        "torch.nn.functional.cross_entropy",
    ] {
        assert!(
            found.iter().any(|f| f == api),
            "{api} missing from {found:?}"
        );
    }
}

#[test]
fn every_binding_hides_an_import() {
    let source = r"import torch.nn as nn
import torch.nn.functional as F

def a(x, y, **F):
    return F.mse_loss(x, y)

def b(fns, x, y):
    return [F.mse_loss(x, y) for F in fns]

def c():
    try:
        pass
    except Exception as nn:
        return nn.MSELoss()

def d(F):
    def inner(x, y):
        return F.cross_entropy(x, y)
    return inner
";
    assert_eq!(apis(source), Vec::<String>::new());
}

#[test]
fn legacy_arguments_override_a_written_reduction() {
    let f =
        facts("import torch.nn as nn\nkl = nn.KLDivLoss(size_average=False, reduction='mean')\n");
    assert_eq!(f.losses[0].reduction, Reduction::Unknown);
    assert_eq!(f.losses[0].legacy_args.len(), 1);
    // A variable's value is unknown: no rewrite.
    let f = facts("import torch.nn as nn\nkl = nn.MSELoss(size_average=flag)\n");
    assert!(f.losses[0].legacy_fix.is_none());
    let f = facts("import torch.nn as nn\nkl = nn.MSELoss(reduce=False, size_average=True)\n");
    let fix = f.losses[0].legacy_fix.as_ref().unwrap();
    assert_eq!(fix.reduction, "none");
    assert_eq!(fix.edits.len(), 2);
}

#[test]
fn epoch_sums_and_their_divisors() {
    let source = r#"import torch.nn as nn
from collections import OrderedDict

criterion = nn.CrossEntropyLoss(reduction="mean")

def train(model, dataloaders, phase, optimizer):
    running = 0.0
    seen = 0.0
    for inputs, labels in dataloaders[phase]:
        loss = criterion(model(inputs), labels)
        running += loss.data[0]
        seen += loss.item() * inputs.size(0)
    a = running / len(dataloaders[phase].dataset)
    b = seen / len(dataloaders[phase].dataset)
    c = running / len(dataloaders[phase])
    d = running / len(dataloaders[phase].sampler)
    return a, b, c, d

net = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 2)), ("softmax", nn.Softmax(dim=1))]))
loss = criterion(net(x), y)
"#;
    let f = facts(source);
    let divisors: Vec<_> = f
        .accumulations
        .iter()
        .map(|a| (a.reduction.clone(), a.divisor))
        .collect();
    let mean = Some("mean".to_string());
    assert!(
        divisors.contains(&(mean.clone(), Divisor::Samples)),
        "{divisors:?}"
    );
    assert!(divisors.contains(&(mean, Divisor::Batches)), "{divisors:?}");
    assert!(
        divisors.contains(&(Some("sum".to_string()), Divisor::Samples)),
        "{divisors:?}"
    );
    let softmax = (0..f.losses.len()).filter_map(|i| input_activation(&f, i));
    assert_eq!(softmax.collect::<Vec<_>>(), [Activation::Softmax]);
}

#[test]
fn dict_outputs_keep_their_values() {
    let source = r#"import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def forward(self, x):
        logits = self.fc(x)
        return {"logits": logits, "probs": F.softmax(logits, dim=-1)}

def step(model: Net, x, y):
    out = Net()(x)
    a = F.cross_entropy(out["logits"], y, reduction="mean")
    b = F.cross_entropy(out["probs"], y, reduction="mean")
    return a + b
"#;
    let f = facts(source);
    let softmax: Vec<_> = (0..f.losses.len())
        .filter_map(|i| input_activation(&f, i))
        .collect();
    assert_eq!(softmax, [Activation::Softmax]);
}

/// Patterns from real trees (pytorch/examples): a criterion moved with `.to(device)`, a model
/// wrapped in `DataParallel`, `.sum()` of a batch mean, a `:=` binding in an `if` test, and
/// `nn.parallel.data_parallel(self.main, x)` in DCGAN's discriminator.
#[test]
fn patterns_from_real_training_scripts() {
    let source = r#"import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    def forward(self, x):
        if x.is_cuda:
            out = nn.parallel.data_parallel(self.main, x, range(2))
        else:
            out = self.main(x)
        return out.view(-1)

def train(x, y, loader):
    model = torch.nn.DataParallel(Net()).cuda()
    criterion = nn.BCELoss(reduction="mean").to("cuda")
    loss = criterion(model(x), y)
    total = 0
    for a, b in loader:
        total += criterion(model(a), b).sum().item()
    total /= len(loader.dataset)
    if (p := F.softmax(x, dim=1)) is not None:
        pass
    return F.cross_entropy(p, y, reduction="mean")
"#;
    let f = facts(source);
    let activations: Vec<_> = (0..f.losses.len())
        .filter_map(|i| input_activation(&f, i))
        .collect();
    assert!(activations.contains(&Activation::Sigmoid), "{:?}", f.losses);
    assert!(activations.contains(&Activation::Softmax), "{:?}", f.losses);
    assert!(
        f.accumulations
            .iter()
            .any(|a| a.reduction.as_deref() == Some("mean") && a.divisor == Divisor::Samples),
        "{:?}",
        f.accumulations
    );
}
