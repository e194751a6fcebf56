//! LL009 task-loss-mismatch: a loss that cannot fit the declared task or the bound labels.

use lossfit_stats::LabelStats;

use crate::diagnostic::Diagnostic;
use crate::facts::{DeclaredTask, FileFacts, LossKind, LossSite};
use crate::rules::describe::{diagnostic, loss_name};
use crate::rules::{BoundLabels, Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags a loss that cannot fit the task it is used for:
- a task declared in code (a `#[head(task = .., loss = ..)]` of `#[derive(ModelOutput)]`), judged
  by lossfit's table of which losses fit which task;
- the labels bound to the loss (`[labels]` in `losslint.toml`, `--labels`, or a
  `// losslint: labels = ".."` line above it), judged by what the labels are: `task = ..` when the
  binding says, else what the file holds (several 0/1 columns are multi-label, one label per row
  with two classes is binary, more classes are multi-class).

| task | losses that fit |
|---|---|
| multi-class | `CrossEntropy`, `SoftmaxFocal`, `MultiMargin` on logits; `Nll` on log-probabilities; `KlDiv` against soft targets |
| multi-label | `BceWithLogits`, `SigmoidFocal`, `MultiLabelSoftMargin` on logits; `Bce` on probabilities |
| binary | `BceWithLogits`, `SigmoidFocal`, `SoftMargin` on logits; `Bce` on probabilities (and, for labels, a two-class `CrossEntropy` / `Nll`) |
| regression | `Mse`, `L1`, `SmoothL1`, `Huber`, `PoissonNll`, `GaussianNll` |
| ranking | `TripletMargin`, `Contrastive`, `CosineEmbedding`, `InfoNce`, `MarginRanking`, `HingeEmbedding` |
| sequence | `CrossEntropy` over tokens |

Against labels, only what is certainly wrong is reported: a regression loss on class labels, a
softmax loss (`CrossEntropy`, `Nll`, `MultiMargin`, `SoftmaxFocal`) on multi-label targets, and
a per-label sigmoid loss (`Bce`, `BceWithLogits`, `SigmoidFocal`, `SoftMargin`,
`MultiLabelSoftMargin`) on more than two exclusive classes. Ranking and distillation losses are
not judged against labels.

## Why is this bad?
Each loss encodes an assumption about the targets. Mean squared error on class indices treats
class 7 as "closer" to class 8 than to class 1 and trains a regressor that rounds; cross-entropy
on multi-label targets forces the labels of one sample to compete for one unit of probability, so
a sample with three true labels can never predict all three; a per-label sigmoid on exclusive
classes never learns that the classes exclude each other. The code runs and the loss goes down,
which is why the mistake survives to evaluation. In PyTorch the same holds for `nn.MSELoss` on
class indices or `nn.CrossEntropyLoss` on multi-hot targets.

The default level is `deny`: the model cannot learn the task as posed.

## Example
```rust
// losslint.toml binds data/train_labels.csv (task = "multiclass", 10 classes)
let target_value = targets.float().unsqueeze_dim(1);
let loss = MseLoss::new().forward(value, target_value, Reduction::Mean);
```

Use instead:
```rust
let criterion = CrossEntropyLossConfig::new().init(&device);
let loss = criterion.forward(logits, targets);
```

## Fix safety
There is no automatic fix: changing the loss changes the model's output layer too.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskLossMismatch;

impl TaskLossMismatch {
    pub const CODE: &'static str = "LL009";
    pub const NAME: &'static str = "task-loss-mismatch";
}

impl Rule for TaskLossMismatch {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts
            .losses
            .iter()
            .filter_map(|site| judge(site, (ctx.labels_for)(site)))
            .collect()
    }
}

/// Whether `loss` fits `task` in lossfit's table (the typed layer and the derive): what a head
/// that declares its task may use.
pub(super) fn fits_declared(loss: LossKind, task: DeclaredTask) -> bool {
    use LossKind as L;
    match task {
        DeclaredTask::MultiClass => matches!(
            loss,
            L::CrossEntropy | L::SoftmaxFocal | L::MultiMargin | L::Nll | L::KlDiv
        ),
        DeclaredTask::MultiLabel => matches!(
            loss,
            L::BceWithLogits | L::SigmoidFocal | L::MultiLabelSoftMargin | L::Bce
        ),
        DeclaredTask::Binary => matches!(
            loss,
            L::BceWithLogits | L::SigmoidFocal | L::SoftMargin | L::Bce
        ),
        DeclaredTask::Regression => loss.is_regression(),
        DeclaredTask::Ranking => is_ranking(loss),
        DeclaredTask::Sequence => loss == L::CrossEntropy,
    }
}

/// What bound labels are: the task to judge a loss against. A two-class multi-class file is a
/// binary task (a two-logit cross-entropy and a one-logit BCE both fit it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LabelTask {
    MultiClass,
    MultiLabel,
    Binary,
}

impl LabelTask {
    /// The task of `bound`: its declared `task` when given, else what the statistics hold;
    /// `None` when they say nothing (fewer than two classes, a declared task labels cannot have).
    pub(super) fn of(bound: &BoundLabels<'_>) -> Option<(Self, Evidence)> {
        let classes = match bound.stats {
            LabelStats::MultiClass(counts) => Some(counts.len()),
            LabelStats::MultiLabel(_) => None,
        };
        match bound.task {
            Some(DeclaredTask::MultiClass) if classes == Some(2) => {
                Some((Self::Binary, Evidence::Declared))
            }
            Some(DeclaredTask::MultiClass) => Some((Self::MultiClass, Evidence::Declared)),
            Some(DeclaredTask::MultiLabel) => Some((Self::MultiLabel, Evidence::Declared)),
            Some(DeclaredTask::Binary) => Some((Self::Binary, Evidence::Declared)),
            Some(_) => None,
            None => match (bound.stats, classes) {
                (LabelStats::MultiLabel(counts), _) => {
                    Some((Self::MultiLabel, Evidence::Labels(counts.labels().len())))
                }
                (_, Some(2)) => Some((Self::Binary, Evidence::Classes(2))),
                (_, Some(n)) if n > 2 => Some((Self::MultiClass, Evidence::Classes(n))),
                _ => None,
            },
        }
    }

    /// Whether `loss` is certainly wrong for labels of this task (see the rule's doc: only the
    /// sure cases; ranking and KL losses are never judged against labels).
    pub(super) fn rejects(self, loss: LossKind) -> bool {
        use LossKind as L;
        let softmax = matches!(
            loss,
            L::CrossEntropy | L::Nll | L::MultiMargin | L::SoftmaxFocal
        );
        let sigmoid = matches!(
            loss,
            L::Bce | L::BceWithLogits | L::SigmoidFocal | L::SoftMargin | L::MultiLabelSoftMargin
        );
        loss.is_regression()
            || match self {
                Self::MultiClass => sigmoid,
                Self::MultiLabel => softmax,
                Self::Binary => false,
            }
    }

    fn declared(self) -> DeclaredTask {
        match self {
            Self::MultiClass => DeclaredTask::MultiClass,
            Self::MultiLabel => DeclaredTask::MultiLabel,
            Self::Binary => DeclaredTask::Binary,
        }
    }
}

/// Why bound labels are taken to be of a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Evidence {
    /// `task = ".."` in the binding.
    Declared,
    /// One label per row, this many classes.
    Classes(usize),
    /// This many 0/1 label columns.
    Labels(usize),
}

fn is_ranking(loss: LossKind) -> bool {
    matches!(
        loss,
        LossKind::TripletMargin
            | LossKind::Contrastive
            | LossKind::CosineEmbedding
            | LossKind::InfoNce
            | LossKind::MarginRanking
            | LossKind::HingeEmbedding
    )
}

/// The task's name in lossfit and the losses that fit it, as the typed layer's compile errors
/// say them.
fn task_words(task: DeclaredTask) -> (&'static str, &'static str) {
    match task {
        DeclaredTask::MultiClass => (
            "MultiClass",
            "losses that fit `MultiClass` outputs (one class per sample): `CrossEntropy`, \
             `SoftmaxFocal` and `MultiMargin` on raw logits; `Nll` on log-probabilities; `KlDiv` \
             on log-probabilities against soft targets",
        ),
        DeclaredTask::MultiLabel => (
            "MultiLabel",
            "losses that fit `MultiLabel` outputs (several labels per sample): `BceWithLogits`, \
             `SigmoidFocal` and `MultiLabelSoftMargin` on raw logits; `Bce` on probabilities",
        ),
        DeclaredTask::Binary => (
            "Binary",
            "losses that fit `Binary` outputs (one yes/no label per sample): `BceWithLogits`, \
             `SigmoidFocal` and `SoftMargin` on raw logits; `Bce` on probabilities",
        ),
        DeclaredTask::Regression => (
            "Regression",
            "losses that fit `Regression` outputs: `Mse`, `L1`, `SmoothL1`, `Huber`, \
             `PoissonNll`; `GaussianNll` on a mean and a variance",
        ),
        DeclaredTask::Ranking => (
            "Ranking",
            "losses that fit `Ranking` outputs: `TripletMargin` on triplets; `Contrastive`, \
             `CosineEmbedding` and `InfoNce` on embedding pairs; `MarginRanking` on score pairs; \
             `HingeEmbedding` on distances",
        ),
        DeclaredTask::Sequence => (
            "Sequence",
            "losses that fit `Sequence` outputs (one class per token): `CrossEntropy` on raw \
             logits `[N, T, C]` with token indices `[N, T]`",
        ),
    }
}

fn label_words(task: LabelTask) -> &'static str {
    match task {
        LabelTask::MultiClass => "multi-class",
        LabelTask::MultiLabel => "multi-label",
        LabelTask::Binary => "binary",
    }
}

fn judge(site: &LossSite, bound: Option<BoundLabels<'_>>) -> Option<Diagnostic> {
    let name = loss_name(site);
    if let Some(task) = site.declared_task {
        // The head's own declaration wins over any binding: it is what the code says.
        if fits_declared(site.loss, task) {
            return None;
        }
        let (task_name, fits) = task_words(task);
        let mut d = diagnostic(
            TaskLossMismatch::CODE,
            TaskLossMismatch::NAME,
            site.name_span,
            format!("`{name}` is not a loss for `{task_name}` outputs"),
            format!("not a loss for `{task_name}` outputs"),
        );
        d.help = Some(format!("{fits}; or declare the task this head really has"));
        return Some(d);
    }
    let bound = bound?;
    let (task, evidence) = LabelTask::of(&bound)?;
    if !task.rejects(site.loss) {
        return None;
    }
    let source = bound.source;
    let what = label_words(task);
    let why = match evidence {
        Evidence::Declared => format!("`{source}` is bound as {what} (`task = \"{}\"`)", {
            match task {
                LabelTask::MultiClass => "multiclass",
                LabelTask::MultiLabel => "multilabel",
                LabelTask::Binary if bound.task == Some(DeclaredTask::MultiClass) => "multiclass",
                LabelTask::Binary => "binary",
            }
        }),
        Evidence::Classes(n) => format!("`{source}` holds one of {n} classes per row"),
        Evidence::Labels(n) => format!(
            "`{source}` holds {n} 0/1 label column{} per row",
            if n == 1 { "" } else { "s" }
        ),
    };
    let kind = if site.loss.is_regression() {
        "a regression loss"
    } else if matches!(task, LabelTask::MultiLabel) {
        "a one-class-per-sample (softmax) loss"
    } else {
        "a per-label (sigmoid) loss"
    };
    let (_, fits) = task_words(task.declared());
    let mut d = diagnostic(
        TaskLossMismatch::CODE,
        TaskLossMismatch::NAME,
        site.name_span,
        format!("`{name}` is {kind}, but its labels are {what}: {why}"),
        format!("not a loss for {what} labels"),
    );
    let binary_note = if task == LabelTask::Binary {
        " (or a two-class `CrossEntropy` / `Nll`)"
    } else {
        ""
    };
    // A regression loss is bound to class labels only when its target is an integer label
    // tensor: an integer regression target (ages in years, counts) looks the same.
    let integer_target = if site.loss.is_regression() {
        "; if the integer target is a quantity, not a class index, keep it with \
         `// losslint: allow(LL009)`"
    } else {
        ""
    };
    d.help = Some(format!(
        "{fits}{binary_note}; if these labels belong to another head, bind this loss's own \
         labels with `// losslint: labels = \"..\"` on the line above it{integer_target}"
    ));
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ApiStyle;
    use crate::rules::testing::{check, check_with, classes, facts, multilabel, site};

    fn head(loss: LossKind, task: DeclaredTask) -> LossSite {
        let mut s = site(loss);
        s.style = ApiStyle::LossfitDerive;
        s.declared_task = Some(task);
        s
    }

    #[test]
    fn declared_tasks_follow_lossfits_table() {
        let found = check(
            &TaskLossMismatch,
            &facts(vec![
                head(LossKind::Mse, DeclaredTask::MultiClass),
                head(LossKind::CrossEntropy, DeclaredTask::MultiLabel),
                head(LossKind::BceWithLogits, DeclaredTask::MultiClass),
                head(LossKind::Nll, DeclaredTask::Sequence),
            ]),
        );
        assert_eq!(found.len(), 4);
        assert_eq!(
            found[0].message,
            "`Mse` is not a loss for `MultiClass` outputs"
        );
        assert!(found[0].help.as_deref().unwrap().starts_with(
            "losses that fit `MultiClass` outputs (one class per sample): `CrossEntropy`"
        ));
        assert_eq!(found[0].label, "not a loss for `MultiClass` outputs");
        assert_eq!(
            found[1].message,
            "`CrossEntropy` is not a loss for `MultiLabel` outputs"
        );
    }

    #[test]
    fn declared_tasks_that_fit() {
        let ok = [
            (LossKind::CrossEntropy, DeclaredTask::MultiClass),
            (LossKind::KlDiv, DeclaredTask::MultiClass),
            (LossKind::BceWithLogits, DeclaredTask::MultiLabel),
            (LossKind::SoftMargin, DeclaredTask::Binary),
            (LossKind::Huber, DeclaredTask::Regression),
            (LossKind::InfoNce, DeclaredTask::Ranking),
            (LossKind::CrossEntropy, DeclaredTask::Sequence),
        ];
        let sites = ok.iter().map(|&(l, t)| head(l, t)).collect();
        // The head's declaration wins even over labels that disagree.
        assert!(
            check_with(
                &TaskLossMismatch,
                &facts(sites),
                &multilabel(&[10, 20], 100),
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn regression_loss_on_class_labels() {
        let mut s = site(LossKind::Mse);
        s.api = "burn::nn::loss::MseLoss".into();
        let stats = classes(&[100, 90, 80, 70]);
        let found = check_with(&TaskLossMismatch, &facts(vec![s.clone()]), &stats, None);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`MseLoss` is a regression loss, but its labels are multi-class: \
             `data/labels.csv` holds one of 4 classes per row"
        );
        let found = check_with(
            &TaskLossMismatch,
            &facts(vec![s.clone()]),
            &stats,
            Some(DeclaredTask::MultiClass),
        );
        assert!(
            found[0]
                .message
                .ends_with("`data/labels.csv` is bound as multi-class (`task = \"multiclass\"`)")
        );
        // Binary labels: still not a regression target.
        let found = check_with(&TaskLossMismatch, &facts(vec![s]), &classes(&[5, 5]), None);
        assert_eq!(found.len(), 1);
        assert!(found[0].help.as_deref().unwrap().contains("two-class"));
    }

    #[test]
    fn softmax_loss_on_multilabel_and_sigmoid_loss_on_many_classes() {
        let ce = site(LossKind::CrossEntropy);
        let found = check_with(
            &TaskLossMismatch,
            &facts(vec![ce.clone()]),
            &multilabel(&[10, 20, 30], 100),
            None,
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("3 0/1 label columns per row"));

        let bce = site(LossKind::BceWithLogits);
        let found = check_with(
            &TaskLossMismatch,
            &facts(vec![bce.clone()]),
            &classes(&[10, 20, 30]),
            None,
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("per-label (sigmoid) loss"));

        // Two classes are a binary task: both families fit.
        assert!(
            check_with(
                &TaskLossMismatch,
                &facts(vec![bce.clone(), ce.clone()]),
                &classes(&[10, 20]),
                Some(DeclaredTask::MultiClass)
            )
            .is_empty()
        );
    }

    #[test]
    fn silent_without_evidence() {
        let sites = vec![
            site(LossKind::Mse),
            site(LossKind::CrossEntropy),
            site(LossKind::TripletMargin),
            site(LossKind::KlDiv),
        ];
        // No labels bound.
        assert!(check(&TaskLossMismatch, &facts(sites.clone())).is_empty());
        // One class only: says nothing about the task.
        let found = check_with(
            &TaskLossMismatch,
            &facts(sites[1..].to_vec()),
            &classes(&[10]),
            None,
        );
        assert!(found.is_empty());
        // Ranking and KL losses are never judged against labels.
        let found = check_with(
            &TaskLossMismatch,
            &facts(sites[2..].to_vec()),
            &multilabel(&[1, 2], 10),
            None,
        );
        assert!(found.is_empty());
        // Labels that fit.
        let found = check_with(
            &TaskLossMismatch,
            &facts(vec![site(LossKind::BceWithLogits), site(LossKind::Bce)]),
            &multilabel(&[1, 2], 10),
            None,
        );
        assert!(found.is_empty());
    }
}
