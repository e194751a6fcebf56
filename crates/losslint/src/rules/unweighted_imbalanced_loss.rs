//! LL002 unweighted-imbalanced-loss: a classification loss with no class weights, `pos_weight`
//! or focal term while the labels bound to it are imbalanced.

use lossfit_stats::{ClassCounts, ClassLabel, LabelStats, WeightScheme};

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{ApiStyle, Edit, FileFacts, LossKind, LossSite, Weighting};
use crate::rules::describe::{
    diagnostic, format_list, framework_name, loss_name, with_logits_name,
};
use crate::rules::task_loss_mismatch::{LabelTask, fits_declared};
use crate::rules::{BoundLabels, Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags a classification loss that has no class weights, no `pos_weight` and no focal term while
the labels bound to it are imbalanced: the most common class has at least `max_ratio` times the
samples of the rarest (default 3.0), or, for multi-label and binary labels, some label has at
least `max_ratio` negatives per positive. The help shows the weights computed from the labels,
written for the loss's own API.

Labels are bound in `losslint.toml` (`[labels] path = ..`), with `--labels`, or for one loss with
a `// losslint: labels = "data/diagnosis.txt"` line above it; a derive head's `labels = ".."`
binds its own. A loss whose weight argument losslint cannot read (a variable that may be `None`)
is not reported, and neither is a loss whose labels do not fit it (that is LL009).

## Why is this bad?
An unweighted loss averages over samples, so a class with 2% of the samples contributes 2% of
the gradient. The model learns to predict the common classes, accuracy looks fine, and the rare
classes (often the ones that matter: the defect, the fraud, the rare disease) are barely
learned. Class weights (`weight=` in PyTorch's `CrossEntropyLoss`, `NLLLoss`) or a positive
weight (`pos_weight=` in `BCEWithLogitsLoss`) give each class its share back; a focal loss does
it by down-weighting easy examples. Rebalancing the data instead (a weighted sampler) is a fine
alternative: then suppress the finding with `// losslint: allow(LL002)` and say why.

The weights shown use `[imbalance] weights` (default `inverse_frequency`: `n / (C * n_c)`,
scaled to mean 1), `pos_weight` is `negatives / positives` per label.

The default level is `deny`: training on imbalanced labels without weighting is a silent
accuracy bug.

## Example
```rust
// losslint.toml: [labels] path = "data/pets.csv" (cat: 900 rows, dog: 100 rows)
let criterion = CrossEntropy::new().reduction(Mean);
let loss = criterion.compute(&logits, &labels)?;
```

Use instead:
```rust
// inverse frequency n / (C * n_c) = [0.556, 5.0], scaled to mean 1
let criterion = CrossEntropy::new()
    .weight(ClassWeights::new(vec![0.2, 1.8])?)
    .reduction(Mean);
let loss = criterion.compute(&logits, &labels)?;
```

`#[head(.., weight = balanced)]` computes the same weights at compile time; in PyTorch,
`nn.CrossEntropyLoss(weight=torch.tensor([0.2, 1.8]))`.

## Fix safety
The fix is unsafe: adding weights changes what the model is trained to do (that is the point),
so it is applied only with `--unsafe-fixes`, and only where the frontend knows where the weight
argument goes. The weights are computed from the label file as it is today.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct UnweightedImbalancedLoss;

impl UnweightedImbalancedLoss {
    pub const CODE: &'static str = "LL002";
    pub const NAME: &'static str = "unweighted-imbalanced-loss";
}

impl Rule for UnweightedImbalancedLoss {
    rule_metadata!(Level::Deny);

    fn check(&self, facts: &FileFacts, ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts
            .losses
            .iter()
            .filter_map(|site| judge(site, ctx))
            .collect()
    }
}

/// How a loss can be balanced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Balance {
    /// Per-class weights (`weight`): cross-entropy, NLL, multi-margin.
    ClassWeights,
    /// Per-label positive weights (`pos_weight`): BCE with logits.
    PosWeight,
    /// None in its API: switch to BCE with logits and `pos_weight`.
    Switch,
}

fn balance(site: &LossSite, stats: &LabelStats) -> Option<Balance> {
    // burn's binary cross-entropy has no `pos_weight` but takes one weight per class value
    // (`with_weights(Some(vec![w0, w1]))`): on binary labels that balances the same way.
    if site.style == ApiStyle::BurnConfig
        && matches!(site.loss, LossKind::Bce | LossKind::BceWithLogits)
        && matches!(stats, LabelStats::MultiClass(counts) if counts.len() == 2)
    {
        return Some(Balance::ClassWeights);
    }
    match site.loss {
        LossKind::CrossEntropy | LossKind::Nll | LossKind::MultiMargin => {
            Some(Balance::ClassWeights)
        }
        LossKind::BceWithLogits => Some(Balance::PosWeight),
        LossKind::Bce | LossKind::SoftMargin | LossKind::MultiLabelSoftMargin => {
            Some(Balance::Switch)
        }
        // Focal losses carry their own balancing; the rest are not classification losses.
        _ => None,
    }
}

/// Whether the statistics are the kind this loss trains on: class counts for softmax losses,
/// per-label positives (or two classes, a binary task) for sigmoid losses.
fn stats_fit(balance: Balance, stats: &LabelStats) -> bool {
    match (balance, stats) {
        (Balance::ClassWeights, LabelStats::MultiClass(_))
        | (Balance::PosWeight | Balance::Switch, LabelStats::MultiLabel(_)) => true,
        (Balance::PosWeight | Balance::Switch, LabelStats::MultiClass(counts)) => counts.len() == 2,
        (Balance::ClassWeights, LabelStats::MultiLabel(_)) => false,
    }
}

fn judge(site: &LossSite, ctx: &RuleContext<'_>) -> Option<Diagnostic> {
    if site.weighting != Weighting::None || !site.loss.is_classification() {
        return None;
    }
    let bound = (ctx.labels_for)(site)?;
    let balance = balance(site, bound.stats)?;
    if !stats_fit(balance, bound.stats) || !task_fits(site, &bound) {
        return None;
    }
    let imbalance = ctx.policy.judge(bound.stats)?;
    let name = loss_name(site);
    let source = bound.source;
    let missing = match balance {
        Balance::ClassWeights => "class weights",
        Balance::PosWeight => "`pos_weight`",
        Balance::Switch => "weighting",
    };
    let mut d = diagnostic(
        UnweightedImbalancedLoss::CODE,
        UnweightedImbalancedLoss::NAME,
        site.name_span,
        format!(
            "`{name}` has no {missing}, but its labels are imbalanced: {imbalance} in `{source}`"
        ),
        format!("no {missing} on imbalanced labels"),
    );
    let (help, fix) = remedy(site, balance, bound.stats, ctx.scheme);
    d.help = (!help.is_empty()).then_some(help);
    d.fix = fix;
    Some(d)
}

/// The loss must fit whatever task the code or the binding declares; otherwise the mismatch is
/// LL009's finding and weights would be advice for the wrong loss.
fn task_fits(site: &LossSite, bound: &BoundLabels<'_>) -> bool {
    let declared_ok = site
        .declared_task
        .is_none_or(|task| fits_declared(site.loss, task));
    let bound_ok = LabelTask::of(bound).is_none_or(|(task, _)| !task.rejects(site.loss));
    declared_ok && bound_ok
}

/// The help text and, where the weights can be written in place, the fix.
fn remedy(
    site: &LossSite,
    balance: Balance,
    stats: &LabelStats,
    scheme: WeightScheme,
) -> (String, Option<Fix>) {
    match balance {
        Balance::ClassWeights => {
            let LabelStats::MultiClass(counts) = stats else {
                return (String::new(), None);
            };
            match counts.weights(scheme) {
                Ok(weights) => {
                    let code = code_for(site, Balance::ClassWeights, &weights);
                    let help = format!(
                        "weight the classes ({scheme}, in class order {}): {}{}",
                        class_order(counts),
                        displayed(&code),
                        derive_note(site, "weight")
                    );
                    (help, fix_for(site, &code, "add class weights"))
                }
                Err(e) => (format!("give the classes weights by hand: {e}"), None),
            }
        }
        Balance::PosWeight => match pos_weight(stats) {
            Ok((weights, positive)) => {
                let code = code_for(site, Balance::PosWeight, &weights);
                let help = format!(
                    "weight the positives by negatives/positives{positive}: {}{}",
                    displayed(&code),
                    derive_note(site, "pos_weight")
                );
                (help, fix_for(site, &code, "add `pos_weight`"))
            }
            Err(e) => (format!("give the positives a weight by hand: {e}"), None),
        },
        Balance::Switch => {
            let name = loss_name(site);
            let weights = match pos_weight(stats) {
                Ok((weights, positive)) => format!(
                    " and `pos_weight` [{}] (negatives/positives{positive})",
                    format_list(&weights)
                ),
                Err(e) => format!(" and a `pos_weight` set by hand ({e})"),
            };
            (
                format!(
                    "`{name}` cannot weight positives against negatives: use {} on the logits{weights}",
                    with_logits_name(site)
                ),
                None,
            )
        }
    }
}

/// `neg/pos` per label, and for two-class statistics which class was taken as positive (the
/// second in class order: `1` of `0`/`1`).
fn pos_weight(stats: &LabelStats) -> Result<(Vec<f64>, String), String> {
    match stats {
        LabelStats::MultiLabel(counts) => counts
            .pos_weight()
            .map(|w| (w, String::new()))
            .map_err(|e| e.to_string()),
        // Which of two names is the positive class is the user's to say (DESIGN §4).
        LabelStats::MultiClass(counts) if !counts.is_ordered() => Err(counts
            .require_order()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()),
        LabelStats::MultiClass(counts) => match (counts.labels(), counts.counts().as_slice()) {
            ([_, positive], [negatives, positives]) if *positives > 0 => Ok((
                vec![*negatives as f64 / *positives as f64],
                match positive {
                    ClassLabel::Id(1) => String::new(),
                    other => format!(", with class `{other}` as the positive class"),
                },
            )),
            ([_, positive], [_, _]) => Err(format!("class `{positive}` has no samples")),
            (_, counts) => Err(format!(
                "binary labels have two classes, these have {}",
                counts.len()
            )),
        },
    }
}

/// The index → class mapping the weights follow: `0..=9` for ids that are exactly `0..C`,
/// `` 0 = `cat`, 1 = `dog` `` for declared names.
fn class_order(counts: &ClassCounts) -> String {
    counts.order()
}

/// The weights as code: the frontend's template for this site, else lossfit's or PyTorch's
/// spelling (whose APIs all take weights), else a plain list: for burn, candle and tch the
/// frontend knows which calls take weights, and a site without a hint may have no weight
/// parameter at all (candle's losses, tch's `cross_entropy_for_logits`).
fn code_for(site: &LossSite, balance: Balance, weights: &[f64]) -> String {
    let list = format_list(weights);
    let template = site
        .weight_hint
        .as_ref()
        .map(|hint| hint.template.as_str())
        .or_else(|| default_template(site.style, balance));
    if let Some(template) = template {
        return format!("`{}`", template.replace("{weights}", &list));
    }
    let key = match balance {
        Balance::PosWeight => "pos_weight",
        _ => "weight",
    };
    format!(
        "`{key}` = [{list}] (if {} `{}` takes no weights, use a form of the loss that does, or \
         weight the per-sample losses by hand)",
        framework_name(site.framework),
        loss_name(site)
    )
}

fn default_template(style: ApiStyle, balance: Balance) -> Option<&'static str> {
    match (style, balance) {
        (ApiStyle::LossfitTyped, Balance::ClassWeights) => {
            Some(".weight(lossfit::ClassWeights::new(vec![{weights}])?)")
        }
        (ApiStyle::LossfitTyped, Balance::PosWeight) => Some(".pos_weight(vec![{weights}])"),
        (ApiStyle::LossfitFunctional, Balance::ClassWeights) => {
            Some("weight: Some(ndarray::ArrayView1::from(&[{weights}]))")
        }
        (ApiStyle::LossfitFunctional, Balance::PosWeight) => {
            Some("pos_weight: Some(ndarray::ArrayView1::from(&[{weights}]).into_dyn())")
        }
        (ApiStyle::LossfitDerive, Balance::ClassWeights) => Some("weight = [{weights}]"),
        (ApiStyle::LossfitDerive, Balance::PosWeight) => Some("pos_weight = [{weights}]"),
        (ApiStyle::PyTorch, Balance::ClassWeights) => Some("weight=torch.tensor([{weights}])"),
        (ApiStyle::PyTorch, Balance::PosWeight) => Some("pos_weight=torch.tensor([{weights}])"),
        _ => None,
    }
}

/// The code as the help shows it: a derive key without the `, ` that separates it in place.
fn displayed(code: &str) -> String {
    match code.strip_prefix("`, ") {
        Some(rest) => format!("`{rest}"),
        None => code.to_string(),
    }
}

/// The derive computes the weights itself from the head's labels.
fn derive_note(site: &LossSite, key: &str) -> String {
    if site.style == ApiStyle::LossfitDerive {
        format!(", or `{key} = balanced` to compute them from the labels at compile time")
    } else {
        String::new()
    }
}

fn fix_for(site: &LossSite, code: &str, title: &str) -> Option<Fix> {
    let hint = site.weight_hint.as_ref()?;
    let at = hint.at?;
    let content = code.strip_prefix('`')?.strip_suffix('`')?.to_string();
    Some(Fix {
        applicability: Applicability::Unsafe,
        title: title.to_string(),
        edits: vec![Edit { span: at, content }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{DeclaredTask, Framework, WeightHint};
    use crate::rules::testing::{check, check_with, classes, facts, multilabel, site, span};

    fn hinted(kind: LossKind, template: &str) -> LossSite {
        let mut s = site(kind);
        s.weight_hint = Some(WeightHint {
            template: template.into(),
            at: Some(span(10, 22, 22)),
        });
        s
    }

    #[test]
    fn cross_entropy_on_imbalanced_classes() {
        let s = hinted(
            LossKind::CrossEntropy,
            ".weight(ClassWeights::new(vec![{weights}])?)",
        );
        let stats = classes(&[900, 100]);
        let found = check_with(&UnweightedImbalancedLoss, &facts(vec![s]), &stats, None);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            d.message,
            "`CrossEntropy` has no class weights, but its labels are imbalanced: imbalance ratio \
             9.0 (class `1`: 100 samples, class `0`: 900 samples) in `data/labels.csv`"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "weight the classes (inverse_frequency, in class order 0..=1): \
                 `.weight(ClassWeights::new(vec![0.2, 1.8])?)`"
            )
        );
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.edits[0].content,
            ".weight(ClassWeights::new(vec![0.2, 1.8])?)"
        );
        assert_eq!(fix.edits[0].span, span(10, 22, 22));
    }

    #[test]
    fn without_a_hint_the_help_shows_the_numbers_and_no_fix() {
        let mut s = site(LossKind::CrossEntropy);
        s.framework = Framework::Burn;
        s.style = ApiStyle::BurnConfig;
        s.api = "burn::nn::loss::CrossEntropyLossConfig".into();
        let stats = classes(&[50, 30, 20, 5]);
        let d = &check_with(&UnweightedImbalancedLoss, &facts(vec![s]), &stats, None)[0];
        assert!(
            d.message
                .starts_with("`CrossEntropyLossConfig` has no class weights")
        );
        let help = d.help.as_deref().unwrap();
        assert!(help.contains("in class order 0..=3"), "{help}");
        assert!(
            help.contains("`weight` = [0.2637, 0.4396, 0.6593, 2.637]"),
            "{help}"
        );
        assert!(d.fix.is_none());

        let mut s = site(LossKind::CrossEntropy);
        s.framework = Framework::Candle;
        s.style = ApiStyle::CandleFunction;
        s.api = "candle_nn::loss::cross_entropy".into();
        let d = &check_with(&UnweightedImbalancedLoss, &facts(vec![s]), &stats, None)[0];
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("if candle `cross_entropy` takes no weights")
        );
    }

    #[test]
    fn lossfit_without_a_hint_uses_lossfits_spelling() {
        let mut s = site(LossKind::CrossEntropy);
        s.style = ApiStyle::LossfitFunctional;
        s.api = "lossfit::functional::cross_entropy".into();
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s]),
            &classes(&[900, 100]),
            None,
        )[0];
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .ends_with("`weight: Some(ndarray::ArrayView1::from(&[0.2, 1.8]))`")
        );
    }

    #[test]
    fn burn_binary_cross_entropy_takes_class_weights_on_binary_labels() {
        let mut s = site(LossKind::BceWithLogits);
        s.framework = Framework::Burn;
        s.style = ApiStyle::BurnConfig;
        s.api = "burn::nn::loss::BinaryCrossEntropyLossConfig".into();
        s.weight_hint = Some(WeightHint {
            template: ".with_weights(Some(vec![{weights}]))".into(),
            at: Some(span(10, 50, 50)),
        });
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s.clone()]),
            &classes(&[900, 100]),
            None,
        )[0];
        assert!(d.message.contains("has no class weights"));
        assert_eq!(
            d.fix.as_ref().unwrap().edits[0].content,
            ".with_weights(Some(vec![0.2, 1.8]))"
        );
        // Multi-label statistics: burn has no `pos_weight`, so only the numbers are shown.
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s]),
            &multilabel(&[10, 50], 100),
            None,
        )[0];
        assert!(d.message.contains("has no `pos_weight`"));
    }

    #[test]
    fn bce_with_logits_gets_pos_weight() {
        let s = hinted(LossKind::BceWithLogits, ".pos_weight(vec![{weights}])");
        let stats = multilabel(&[100, 500], 1000);
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s.clone()]),
            &stats,
            None,
        )[0];
        assert!(d.message.contains("has no `pos_weight`"));
        assert!(d.message.contains("neg/pos ratio 9.0 for label `a`"));
        assert_eq!(
            d.fix.as_ref().unwrap().edits[0].content,
            ".pos_weight(vec![9.0, 1.0])"
        );
        // Binary labels as two classes: class 1 is the positive one.
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s]),
            &classes(&[357, 100]),
            None,
        )[0];
        assert_eq!(
            d.fix.as_ref().unwrap().edits[0].content,
            ".pos_weight(vec![3.57])"
        );
    }

    #[test]
    fn plain_bce_is_told_to_switch() {
        let s = site(LossKind::Bce);
        let d = &check_with(
            &UnweightedImbalancedLoss,
            &facts(vec![s]),
            &multilabel(&[10], 100),
            None,
        )[0];
        let help = d.help.as_deref().unwrap();
        assert!(help.starts_with("`Bce` cannot weight positives"), "{help}");
        assert!(
            help.contains("`BceWithLogits`") && help.contains("[9.0]"),
            "{help}"
        );
        assert!(d.fix.is_none());
    }

    #[test]
    fn absent_classes_give_advice_not_numbers() {
        let stats = LabelStats::MultiClass(
            ClassCounts::from_pairs([(ClassLabel::Id(0), 30), (ClassLabel::Id(2), 5)])
                .with_declared_classes(3)
                .unwrap(),
        );
        let s = hinted(LossKind::Nll, ".weight({weights})");
        let d = &check_with(&UnweightedImbalancedLoss, &facts(vec![s]), &stats, None)[0];
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .starts_with("give the classes weights by hand: class `1` has no samples")
        );
        assert!(d.fix.is_none());
    }

    #[test]
    fn silent_cases() {
        let imbalanced = classes(&[900, 100]);
        let mut weighted = site(LossKind::CrossEntropy);
        weighted.weighting = Weighting::ClassWeights;
        let mut unknown = site(LossKind::CrossEntropy);
        unknown.weighting = Weighting::Unknown;
        let focal = site(LossKind::SoftmaxFocal);
        let mut focal_weighting = site(LossKind::CrossEntropy);
        focal_weighting.weighting = Weighting::Focal;
        let regression = site(LossKind::Mse);
        let sites = vec![weighted, unknown, focal, focal_weighting, regression];
        assert!(check_with(&UnweightedImbalancedLoss, &facts(sites), &imbalanced, None).is_empty());
        // No labels bound.
        assert!(
            check(
                &UnweightedImbalancedLoss,
                &facts(vec![site(LossKind::CrossEntropy)])
            )
            .is_empty()
        );
        // Balanced labels (IR 2.9).
        assert!(
            check_with(
                &UnweightedImbalancedLoss,
                &facts(vec![site(LossKind::CrossEntropy)]),
                &classes(&[29, 10]),
                None
            )
            .is_empty()
        );
        // Stats of the wrong kind: LL009's business.
        assert!(
            check_with(
                &UnweightedImbalancedLoss,
                &facts(vec![site(LossKind::CrossEntropy)]),
                &multilabel(&[10, 500], 1000),
                None
            )
            .is_empty()
        );
        assert!(
            check_with(
                &UnweightedImbalancedLoss,
                &facts(vec![site(LossKind::BceWithLogits)]),
                &classes(&[900, 100, 50]),
                None
            )
            .is_empty()
        );
        // A task declared that the loss does not fit: LL009's business.
        let mut head = site(LossKind::CrossEntropy);
        head.declared_task = Some(DeclaredTask::MultiLabel);
        assert!(
            check_with(
                &UnweightedImbalancedLoss,
                &facts(vec![head]),
                &imbalanced,
                None
            )
            .is_empty()
        );
        assert!(
            check_with(
                &UnweightedImbalancedLoss,
                &facts(vec![site(LossKind::CrossEntropy)]),
                &imbalanced,
                Some(DeclaredTask::MultiLabel)
            )
            .is_empty()
        );
    }
}
