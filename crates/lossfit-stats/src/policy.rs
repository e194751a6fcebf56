//! The imbalance policy: when label statistics count as imbalanced, and the verdict that says
//! why.

use std::fmt;

use crate::counts::{ClassLabel, LabelStats};

/// When labels count as imbalanced: the class imbalance ratio `max count / min count` (over
/// the classes that occur), or the worst multi-label `neg/pos`, at or above `max_ratio`.
///
/// # Example
/// ```
/// use lossfit_stats::{ClassCounts, ImbalancePolicy, LabelStats};
///
/// let stats = LabelStats::MultiClass(ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100)]));
/// let verdict = ImbalancePolicy::default().judge(&stats).expect("IR 9 >= 3");
/// assert_eq!(verdict.to_string(), "imbalance ratio 9.0 (class `dog`: 100 samples, class `cat`: 900 samples)");
/// assert!(ImbalancePolicy { max_ratio: 10.0 }.judge(&stats).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImbalancePolicy {
    /// The ratio at or above which labels count as imbalanced (`[imbalance] max_ratio`).
    pub max_ratio: f64,
}

impl ImbalancePolicy {
    /// The default `max_ratio`.
    pub const DEFAULT_MAX_RATIO: f64 = 3.0;

    /// `Some` with the evidence when `stats` are imbalanced under this policy, `None` when not
    /// (or when no class occurs at all).
    ///
    /// Multi-class: the imbalance ratio over the classes that occur; declared classes that never
    /// occur do not count here (see [`ClassCounts::absent`](crate::ClassCounts::absent)).
    /// Multi-label: the label with the largest `neg/pos`; a label with no positives counts as
    /// infinitely imbalanced. Ties go to the first class or label.
    #[must_use]
    pub fn judge(&self, stats: &LabelStats) -> Option<Imbalance> {
        match stats {
            LabelStats::MultiClass(counts) => {
                let ratio = counts.imbalance_ratio()?;
                let (rare, rare_n) = counts.rarest()?;
                let (common, common_n) = counts.commonest()?;
                (ratio >= self.max_ratio).then(|| Imbalance::Classes {
                    ratio,
                    rarest: (rare.clone(), rare_n),
                    commonest: (common.clone(), common_n),
                })
            }
            LabelStats::MultiLabel(counts) => {
                let rows = counts.rows();
                let (label, positives, ratio) = counts
                    .labels()
                    .iter()
                    .zip(counts.positives().iter().copied())
                    .map(|(label, p)| {
                        let ratio = if p == 0 {
                            f64::INFINITY
                        } else {
                            rows.saturating_sub(p) as f64 / p as f64
                        };
                        (label, p, ratio)
                    })
                    .fold(None, |best: Option<(&String, u64, f64)>, cur| match best {
                        Some(b) if b.2 >= cur.2 => Some(b),
                        _ => Some(cur),
                    })?;
                (ratio >= self.max_ratio).then(|| Imbalance::Labels {
                    label: label.clone(),
                    ratio,
                    positives,
                    negatives: rows.saturating_sub(positives),
                })
            }
        }
    }
}

impl Default for ImbalancePolicy {
    fn default() -> Self {
        Self {
            max_ratio: Self::DEFAULT_MAX_RATIO,
        }
    }
}

/// Why labels count as imbalanced (see [`ImbalancePolicy::judge`]).
///
/// # Example
/// ```
/// use lossfit_stats::{ImbalancePolicy, LabelStats, MultiLabelCounts};
///
/// let stats = LabelStats::MultiLabel(MultiLabelCounts::new(vec!["cat".into()], vec![100], 1000));
/// let verdict = ImbalancePolicy::default().judge(&stats).unwrap();
/// assert_eq!(verdict.ratio(), 9.0);
/// assert_eq!(verdict.to_string(), "neg/pos ratio 9.0 for label `cat` (100 positives, 900 negatives)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Imbalance {
    /// Single-label classes: `ratio = commonest / rarest`.
    Classes {
        /// The imbalance ratio.
        ratio: f64,
        /// The class with the fewest samples (among those that occur) and its count.
        rarest: (ClassLabel, u64),
        /// The class with the most samples and its count.
        commonest: (ClassLabel, u64),
    },
    /// Multi-label: the label with the worst `neg/pos`.
    Labels {
        /// The label.
        label: String,
        /// `negatives / positives`; infinite when the label has no positives.
        ratio: f64,
        /// Rows where the label is 1.
        positives: u64,
        /// Rows where the label is 0.
        negatives: u64,
    },
}

impl Imbalance {
    /// The ratio that was judged (the imbalance ratio or the worst `neg/pos`).
    #[must_use]
    pub fn ratio(&self) -> f64 {
        match self {
            Self::Classes { ratio, .. } | Self::Labels { ratio, .. } => *ratio,
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Imbalance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Classes {
                ratio,
                rarest: (rare, rare_n),
                commonest: (common, common_n),
            } => write!(
                f,
                "imbalance ratio {ratio:.1} (class `{rare}`: {}, class `{common}`: {})",
                plural(*rare_n, "sample", "samples"),
                plural(*common_n, "sample", "samples"),
            ),
            Self::Labels {
                label,
                positives: 0,
                negatives,
                ..
            } => write!(
                f,
                "label `{label}` has no positives ({})",
                plural(*negatives, "negative", "negatives")
            ),
            Self::Labels {
                label,
                ratio,
                positives,
                negatives,
            } => write!(
                f,
                "neg/pos ratio {ratio:.1} for label `{label}` ({}, {})",
                plural(*positives, "positive", "positives"),
                plural(*negatives, "negative", "negatives")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::{ClassCounts, MultiLabelCounts};

    fn classes(c: &[u64]) -> LabelStats {
        LabelStats::MultiClass(ClassCounts::from_pairs(
            c.iter()
                .enumerate()
                .map(|(i, &n)| (ClassLabel::Id(i as u64), n)),
        ))
    }

    #[test]
    fn class_threshold_is_inclusive() {
        let policy = ImbalancePolicy::default();
        assert!(policy.judge(&classes(&[10, 29])).is_none()); // 2.9: below
        let at = policy.judge(&classes(&[10, 30])).unwrap(); // 3.0: at
        assert_eq!(
            at,
            Imbalance::Classes {
                ratio: 3.0,
                rarest: (ClassLabel::Id(0), 10),
                commonest: (ClassLabel::Id(1), 30),
            }
        );
        assert_eq!(policy.judge(&classes(&[10, 31])).unwrap().ratio(), 3.1); // above
    }

    #[test]
    fn display_matches_the_design() {
        let stats = classes(&[1000, 500, 500, 20]);
        let v = ImbalancePolicy::default().judge(&stats).unwrap();
        assert_eq!(
            v.to_string(),
            "imbalance ratio 50.0 (class `3`: 20 samples, class `0`: 1000 samples)"
        );
        let v = ImbalancePolicy { max_ratio: 1.0 }
            .judge(&classes(&[1, 1]))
            .unwrap();
        assert_eq!(
            v.to_string(),
            "imbalance ratio 1.0 (class `0`: 1 sample, class `0`: 1 sample)"
        );
    }

    #[test]
    fn absent_classes_and_empty_counts() {
        let stats = LabelStats::MultiClass(
            ClassCounts::from_pairs([(ClassLabel::Id(0), 5)])
                .with_declared_classes(3)
                .unwrap(),
        );
        assert!(ImbalancePolicy::default().judge(&stats).is_none());
        assert!(ImbalancePolicy::default().judge(&classes(&[])).is_none());
    }

    #[test]
    fn labels_threshold_and_no_positives() {
        let ml = |p: Vec<u64>| {
            LabelStats::MultiLabel(MultiLabelCounts::new(
                (0..p.len()).map(|i| i.to_string()).collect(),
                p,
                100,
            ))
        };
        let policy = ImbalancePolicy::default();
        assert!(policy.judge(&ml(vec![50, 26])).is_none()); // 74/26 = 2.85
        let at = policy.judge(&ml(vec![50, 25])).unwrap(); // 75/25 = 3
        assert_eq!(
            at,
            Imbalance::Labels {
                label: "1".into(),
                ratio: 3.0,
                positives: 25,
                negatives: 75
            }
        );
        let none = policy.judge(&ml(vec![10, 0, 5])).unwrap();
        assert_eq!(none.ratio(), f64::INFINITY);
        assert_eq!(
            none.to_string(),
            "label `1` has no positives (100 negatives)"
        );
        assert!(policy.judge(&ml(vec![])).is_none());
    }
}
