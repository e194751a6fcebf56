//! The rules: one per file, each judging facts and returning diagnostics. No rule reads files,
//! prints, or looks at syntax trees.

/// The accessors every rule shares: its file defines `DOC`, `Self::CODE` and `Self::NAME`; the
/// default level is the argument.
macro_rules! rule_metadata {
    ($level:expr) => {
        fn code(&self) -> &'static str {
            Self::CODE
        }

        fn name(&self) -> &'static str {
            Self::NAME
        }

        fn default_level(&self) -> Level {
            $level
        }

        fn explanation(&self) -> &'static str {
            DOC
        }
    };
}

mod bce_on_probabilities;
mod describe;
#[cfg(test)]
mod fixture_checks;
mod implicit_reduction;
mod kl_div_mean_reduction;
mod legacy_reduction_args;
mod mean_loss_accumulation;
mod nll_without_log_softmax;
mod parse_error;
mod sigmoid_before_bce_with_logits;
mod softmax_before_cross_entropy;
mod task_loss_mismatch;
#[cfg(test)]
pub(crate) mod testing;
mod unbound_label_directive;
mod unweighted_imbalanced_loss;

pub use bce_on_probabilities::BceOnProbabilities;
pub use implicit_reduction::ImplicitReduction;
pub use kl_div_mean_reduction::KlDivMeanReduction;
pub use legacy_reduction_args::LegacyReductionArgs;
pub use mean_loss_accumulation::MeanLossAccumulation;
pub use nll_without_log_softmax::NllWithoutLogSoftmax;
pub use parse_error::ParseError;
pub use sigmoid_before_bce_with_logits::SigmoidBeforeBceWithLogits;
pub use softmax_before_cross_entropy::SoftmaxBeforeCrossEntropy;
pub use task_loss_mismatch::TaskLossMismatch;
pub use unbound_label_directive::UnboundLabelDirective;
pub use unweighted_imbalanced_loss::UnweightedImbalancedLoss;

use lossfit_stats::{ImbalancePolicy, LabelStats, WeightScheme};

use crate::diagnostic::Diagnostic;
use crate::facts::{FileFacts, Language, LossSite};

/// Severity a rule is configured at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// What a rule may consult besides the facts.
#[allow(missing_debug_implementations)] // holds a closure
pub struct RuleContext<'a> {
    pub language: Language,
    /// The label statistics bound to a loss site (`--labels`, config `[labels]`, per-glob
    /// overrides, or an inline directive), already read by the caller.
    pub labels_for: &'a dyn Fn(&LossSite) -> Option<BoundLabels<'a>>,
    pub policy: ImbalancePolicy,
    pub scheme: WeightScheme,
}

/// Label statistics bound to a site, with where they came from (for messages).
#[derive(Clone, Copy, Debug)]
pub struct BoundLabels<'a> {
    pub stats: &'a LabelStats,
    /// The label file as the user wrote it.
    pub source: &'a str,
    /// The task the binding declares (`[labels] task = "multiclass"`), if any.
    pub task: Option<crate::facts::DeclaredTask>,
}

/// A lint rule. Its doc text (`explain`) has the sections `## What it does`,
/// `## Why is this bad?`, `## Example`, `Use instead:`, `## Fix safety`.
pub trait Rule: Sync {
    /// `LL001`
    fn code(&self) -> &'static str;
    /// `implicit-reduction`
    fn name(&self) -> &'static str;
    /// The level when the configuration does not say.
    fn default_level(&self) -> Level;
    /// The rule's documentation, printed by `losslint explain`.
    fn explanation(&self) -> &'static str;
    /// Judges one file's facts.
    fn check(&self, facts: &FileFacts, ctx: &RuleContext<'_>) -> Vec<Diagnostic>;
}

/// Every rule, in code order: the registry that maps codes and names to rules.
#[must_use]
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &ParseError,
        &ImplicitReduction,
        &UnweightedImbalancedLoss,
        &SoftmaxBeforeCrossEntropy,
        &SigmoidBeforeBceWithLogits,
        &BceOnProbabilities,
        &NllWithoutLogSoftmax,
        &LegacyReductionArgs,
        &KlDivMeanReduction,
        &TaskLossMismatch,
        &MeanLossAccumulation,
        &UnboundLabelDirective,
    ]
}

/// The rule with this code (`LL003`) or name (`softmax-before-cross-entropy`), ignoring ASCII
/// case.
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    let wanted = code_or_name.trim();
    all().iter().copied().find(|rule| {
        rule.code().eq_ignore_ascii_case(wanted) || rule.name().eq_ignore_ascii_case(wanted)
    })
}
