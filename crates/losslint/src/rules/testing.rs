//! Hand-built facts for the rules' unit tests.

use lossfit_stats::{
    ClassCounts, ClassLabel, ImbalancePolicy, LabelStats, MultiLabelCounts, WeightScheme,
};

use crate::diagnostic::Diagnostic;
use crate::facts::{
    Activation, ApiStyle, Argument, DeclaredTask, FileFacts, Framework, Language, LossKind,
    LossSite, Origin, Pos, Reduction, Role, Span, Weighting,
};
use crate::rules::{BoundLabels, Rule, RuleContext};

/// A span on one line, columns `start..end` (1-based), with made-up offsets.
pub(crate) fn span(line: usize, start: usize, end: usize) -> Span {
    Span {
        start: Pos {
            line,
            column: start,
            offset: line * 100 + start,
        },
        end: Pos {
            line,
            column: end,
            offset: line * 100 + end,
        },
    }
}

/// A lossfit typed construction of `kind` on line 10 with an explicit `Mean`, no weights, no
/// arguments: the blandest site, which no rule flags on its own.
pub(crate) fn site(kind: LossKind) -> LossSite {
    LossSite {
        framework: Framework::Lossfit,
        style: ApiStyle::LossfitTyped,
        loss: kind,
        api: format!("lossfit::{}", crate::rules::describe::canonical(kind)),
        span: span(10, 5, 60),
        name_span: span(10, 5, 17),
        reduction: Reduction::Explicit {
            value: "Mean".into(),
            span: span(10, 40, 44),
        },
        weighting: Weighting::None,
        legacy_args: Vec::new(),
        arguments: Vec::new(),
        declared_task: None,
        labels: None,
        weight_hint: None,
        legacy_fix: None,
        logits_fix: None,
    }
}

/// An input argument on line 12 with `origin`.
pub(crate) fn input(origin: Origin) -> Argument {
    Argument {
        role: Role::Input,
        span: span(12, 30, 35),
        origin,
    }
}

/// An activation origin on line 11.
pub(crate) fn activation(activation: Activation) -> Origin {
    Origin::Activation {
        activation,
        span: span(11, 17, 40),
    }
}

pub(crate) fn facts(losses: Vec<LossSite>) -> FileFacts {
    FileFacts {
        losses,
        ..FileFacts::default()
    }
}

/// Multi-class statistics with ids `0..` and these counts.
pub(crate) fn classes(counts: &[u64]) -> LabelStats {
    LabelStats::MultiClass(ClassCounts::from_pairs(
        counts
            .iter()
            .enumerate()
            .map(|(i, &n)| (ClassLabel::Id(i as u64), n)),
    ))
}

/// Multi-label statistics: labels `a`, `b`, ... with these positives out of `rows`.
pub(crate) fn multilabel(positives: &[u64], rows: u64) -> LabelStats {
    let labels = (0..positives.len())
        .map(|i| char::from(b'a' + (i % 26) as u8).to_string())
        .collect();
    LabelStats::MultiLabel(MultiLabelCounts::new(labels, positives.to_vec(), rows))
}

/// Runs `rule` on `facts` with no labels bound.
pub(crate) fn check(rule: &dyn Rule, facts: &FileFacts) -> Vec<Diagnostic> {
    let none = |_: &LossSite| None;
    rule.check(facts, &context(&none))
}

/// Runs `rule` on `facts` with `stats` bound to every site (source `data/labels.csv`).
pub(crate) fn check_with(
    rule: &dyn Rule,
    facts: &FileFacts,
    stats: &LabelStats,
    task: Option<DeclaredTask>,
) -> Vec<Diagnostic> {
    let bound = |_: &LossSite| {
        Some(BoundLabels {
            stats,
            source: "data/labels.csv",
            task,
        })
    };
    rule.check(facts, &context(&bound))
}

fn context<'a>(labels_for: &'a dyn Fn(&LossSite) -> Option<BoundLabels<'a>>) -> RuleContext<'a> {
    RuleContext {
        language: Language::Rust,
        labels_for,
        policy: ImbalancePolicy::default(),
        scheme: WeightScheme::InverseFrequency,
    }
}

mod registry {
    use crate::rules::{Level, Rule, all, find};

    #[test]
    fn codes_names_and_levels_follow_the_design() {
        let expected = [
            ("LL000", "parse-error", Level::Warn),
            ("LL001", "implicit-reduction", Level::Warn),
            ("LL002", "unweighted-imbalanced-loss", Level::Deny),
            ("LL003", "softmax-before-cross-entropy", Level::Deny),
            ("LL004", "sigmoid-before-bce-with-logits", Level::Deny),
            ("LL005", "bce-on-probabilities", Level::Deny),
            ("LL006", "nll-without-log-softmax", Level::Deny),
            ("LL007", "legacy-reduction-args", Level::Warn),
            ("LL008", "kl-div-mean-reduction", Level::Warn),
            ("LL009", "task-loss-mismatch", Level::Deny),
            ("LL010", "mean-loss-accumulation", Level::Warn),
        ];
        // Codes may be added after LL010, never renumbered.
        let found: Vec<_> = all()
            .iter()
            .take(expected.len())
            .map(|r| (r.code(), r.name(), r.default_level()))
            .collect();
        assert_eq!(found, expected);
        let codes: Vec<_> = all().iter().map(|r| r.code()).collect();
        assert!(
            codes.windows(2).all(|pair| pair[0] < pair[1]),
            "codes are unique and in order: {codes:?}"
        );
    }

    #[test]
    fn every_rule_is_documented_in_the_fixed_sections() {
        let sections = [
            "## What it does\n",
            "\n## Why is this bad?\n",
            "\n## Example\n```",
            "\nUse instead:\n```",
            "\n## Fix safety\n",
        ];
        for rule in all() {
            let doc = rule.explanation();
            let mut from = 0;
            for section in sections {
                let at = doc[from..]
                    .find(section)
                    .unwrap_or_else(|| panic!("{}: no {section:?} after byte {from}", rule.code()));
                from += at + section.len();
            }
            assert!(doc.starts_with("## What it does"), "{}", rule.code());
            assert_eq!(doc.matches("```").count() % 2, 0, "{}", rule.code());
            assert!(doc.contains("default level is `"), "{}", rule.code());
        }
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find("LL003").map(Rule::code), Some("LL003"));
        assert_eq!(find("ll003").map(Rule::code), Some("LL003"));
        assert_eq!(
            find("softmax-before-cross-entropy").map(Rule::code),
            Some("LL003")
        );
        assert!(find("LL099").is_none());
        assert!(find("").is_none());
    }
}
