//! Class-weight schemes (inverse frequency, inverse square root, effective number) and the
//! multi-label `pos_weight`.
//!
//! Every scheme gives one weight per class, scaled so that the weights average 1 over the
//! classes: a weighted loss then stays on the scale of the unweighted one.
//!
//! ```text
//! inverse_frequency       w_c ∝ n / (C · n_c)              (scikit-learn's "balanced")
//! inverse_sqrt_frequency  w_c ∝ 1 / sqrt(n_c)
//! effective_number        w_c ∝ (1 - β) / (1 - β^n_c)      (Cui et al. 2019, β = 0.999)
//! then                    w_c ← w_c · C / Σ_k w_k           (mean 1 over the C classes)
//! pos_weight              neg / pos per label               (BCEWithLogitsLoss's pos_weight)
//! ```

use std::fmt;
use std::str::FromStr;

use crate::counts::{ClassCounts, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};

/// How class weights are computed from class counts.
///
/// Parses from and displays as the names used in `losslint.toml` (`weights = "..."`):
/// `inverse_frequency` (also `balanced`), `inverse_sqrt_frequency`, `effective_number`
/// (β = 0.999) or `effective_number(0.99)`.
///
/// # Example
/// ```
/// use lossfit_stats::WeightScheme;
///
/// let scheme: WeightScheme = "effective_number".parse()?;
/// assert_eq!(scheme, WeightScheme::EffectiveNumber { beta: 0.999 });
/// assert_eq!(WeightScheme::default(), WeightScheme::InverseFrequency);
/// assert_eq!(WeightScheme::InverseSqrtFrequency.to_string(), "inverse_sqrt_frequency");
/// # Ok::<(), lossfit_stats::StatsError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum WeightScheme {
    /// `w_c ∝ n / (C · n_c)`: scikit-learn's `class_weight="balanced"`.
    #[default]
    InverseFrequency,
    /// `w_c ∝ 1 / sqrt(n_c)`: a milder correction.
    InverseSqrtFrequency,
    /// `w_c ∝ (1 - β) / (1 - β^n_c)`: the inverse of the effective number of samples
    /// (Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019).
    EffectiveNumber {
        /// β in `[0, 1)`; 0 gives equal weights, values near 1 approach inverse frequency.
        beta: f64,
    },
}

impl WeightScheme {
    /// The β of `effective_number` when none is given.
    pub const DEFAULT_BETA: f64 = 0.999;
}

impl fmt::Display for WeightScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InverseFrequency => f.write_str("inverse_frequency"),
            Self::InverseSqrtFrequency => f.write_str("inverse_sqrt_frequency"),
            Self::EffectiveNumber { beta } if *beta == Self::DEFAULT_BETA => {
                f.write_str("effective_number")
            }
            Self::EffectiveNumber { beta } => write!(f, "effective_number({beta})"),
        }
    }
}

impl FromStr for WeightScheme {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || {
            StatsError::new(ErrorKind::UnknownName {
                what: "weight scheme",
                value: s.to_string(),
                expected: "`inverse_frequency`, `inverse_sqrt_frequency`, `effective_number` \
                           or `effective_number(0.999)`",
            })
        };
        match s.trim() {
            "inverse_frequency" | "balanced" => Ok(Self::InverseFrequency),
            "inverse_sqrt_frequency" => Ok(Self::InverseSqrtFrequency),
            "effective_number" => Ok(Self::EffectiveNumber {
                beta: Self::DEFAULT_BETA,
            }),
            other => {
                let beta = other
                    .strip_prefix("effective_number(")
                    .and_then(|rest| rest.strip_suffix(')'))
                    .ok_or_else(unknown)?;
                let beta = beta.trim().parse::<f64>().map_err(|_| unknown())?;
                check_beta(beta)?;
                Ok(Self::EffectiveNumber { beta })
            }
        }
    }
}

fn check_beta(beta: f64) -> Result<(), StatsError> {
    if (0.0..1.0).contains(&beta) {
        Ok(())
    } else {
        Err(ErrorKind::InvalidBeta { beta }.into())
    }
}

impl ClassCounts {
    /// One weight per class, in class order, by `scheme`, scaled to mean 1 over the classes.
    ///
    /// # Errors
    /// [`ErrorKind::ZeroCount`] naming the first class with no samples (declare fewer classes or
    /// set its weight by hand); [`ErrorKind::Empty`] when there are no classes;
    /// [`ErrorKind::InvalidBeta`] for an effective-number β outside `[0, 1)`;
    /// [`ErrorKind::UnorderedClasses`] when the labels are names in no declared order
    /// ([`ClassCounts::with_class_names`]): weight `i` is for the model's output `i`.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, WeightScheme};
    ///
    /// let counts = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100)])
    ///     .with_class_names(&["cat", "dog"])?;
    /// // scikit-learn's "balanced" gives [1000/1800, 1000/200] = [0.556, 5.0]; scaled to mean 1:
    /// let w = counts.weights(WeightScheme::InverseFrequency)?;
    /// assert!((w[0] - 0.2).abs() < 1e-12 && (w[1] - 1.8).abs() < 1e-12);
    /// # Ok::<(), lossfit_stats::StatsError>(())
    /// ```
    pub fn weights(&self, scheme: WeightScheme) -> Result<Vec<f64>, StatsError> {
        if self.is_empty() {
            return Err(ErrorKind::Empty.into());
        }
        self.require_order()?;
        if let Some((label, _)) = self.iter().find(|&(_, c)| c == 0) {
            return Err(ErrorKind::ZeroCount {
                class: label.to_string(),
            }
            .into());
        }
        let counts = self.counts();
        let classes = counts.len() as f64;
        let raw: Vec<f64> = match scheme {
            WeightScheme::InverseFrequency => {
                let n = self.total() as f64;
                counts.iter().map(|&c| n / (classes * c as f64)).collect()
            }
            WeightScheme::InverseSqrtFrequency => {
                counts.iter().map(|&c| 1.0 / (c as f64).sqrt()).collect()
            }
            WeightScheme::EffectiveNumber { beta } => {
                check_beta(beta)?;
                // 1 - β^n as -expm1(n ln β): exact where β^n is close to 1 (β near 1, n small).
                let ln_beta = beta.ln();
                counts
                    .iter()
                    .map(|&c| (1.0 - beta) / -(c as f64 * ln_beta).exp_m1())
                    .collect()
            }
        };
        let mean = raw.iter().sum::<f64>() / classes;
        Ok(raw.into_iter().map(|w| w / mean).collect())
    }
}

impl MultiLabelCounts {
    /// `neg / pos` per label: the `pos_weight` of a binary cross-entropy with logits that
    /// balances each label's positives against its negatives.
    ///
    /// # Errors
    /// [`ErrorKind::NoPositives`] naming the first label with no positive rows.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::MultiLabelCounts;
    ///
    /// let counts = MultiLabelCounts::new(vec!["cat".into(), "dog".into()], vec![100, 500], 1000);
    /// assert_eq!(counts.pos_weight()?, [9.0, 1.0]);
    /// # Ok::<(), lossfit_stats::StatsError>(())
    /// ```
    pub fn pos_weight(&self) -> Result<Vec<f64>, StatsError> {
        self.labels()
            .iter()
            .zip(self.neg_pos_ratios())
            .map(|(label, ratio)| {
                ratio.ok_or_else(|| {
                    ErrorKind::NoPositives {
                        label: label.clone(),
                    }
                    .into()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::ClassLabel;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x - y).abs() <= 1e-12 * y.abs())
    }

    fn counts(c: &[u64]) -> ClassCounts {
        ClassCounts::from_pairs(
            c.iter()
                .enumerate()
                .map(|(i, &n)| (ClassLabel::Id(i as u64), n)),
        )
    }

    #[test]
    fn inverse_frequency_by_hand() {
        // n = 100, C = 3: balanced = 100/(3*50), 100/(3*30), 100/(3*20) = 2/3, 10/9, 5/3;
        // mean = (6 + 10 + 15)/27 = 31/27; normalised: 18/31, 30/31, 45/31.
        let w = counts(&[50, 30, 20])
            .weights(WeightScheme::InverseFrequency)
            .unwrap();
        assert!(close(&w, &[18.0 / 31.0, 30.0 / 31.0, 45.0 / 31.0]), "{w:?}");
        assert!((w.iter().sum::<f64>() / 3.0 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn inverse_sqrt_by_hand() {
        // 1/sqrt(4), 1/sqrt(16), 1/sqrt(64) = 1/2, 1/4, 1/8; mean 7/24: 12/7, 6/7, 3/7.
        let w = counts(&[4, 16, 64])
            .weights(WeightScheme::InverseSqrtFrequency)
            .unwrap();
        assert!(close(&w, &[12.0 / 7.0, 6.0 / 7.0, 3.0 / 7.0]), "{w:?}");
    }

    #[test]
    fn effective_number_by_hand() {
        // β = 0.5: (1-β)/(1-β^n) for n = 1, 2, 3 = 1, 2/3, 4/7; sum = 47/21, mean = 47/63.
        let w = counts(&[1, 2, 3])
            .weights(WeightScheme::EffectiveNumber { beta: 0.5 })
            .unwrap();
        let raw = [1.0, 2.0 / 3.0, 4.0 / 7.0];
        let mean = 47.0 / 63.0;
        assert!(close(&w, &raw.map(|x| x / mean)), "{w:?}");
        // β = 0 weighs every class equally; β = 0.999 at n = 1000: 0.001/(1 - 0.999^1000).
        let w = counts(&[1, 1000])
            .weights(WeightScheme::EffectiveNumber { beta: 0.0 })
            .unwrap();
        assert_eq!(w, [1.0, 1.0]);
        let w = counts(&[1, 1000])
            .weights(WeightScheme::EffectiveNumber { beta: 0.999 })
            .unwrap();
        let r1 = 0.001 / (1.0 - 0.999f64.powi(1000));
        assert!(
            close(&w, &[2.0 / (1.0 + r1), 2.0 * r1 / (1.0 + r1)]),
            "{w:?}"
        );
    }

    #[test]
    fn weights_reject_absent_classes_and_bad_beta() {
        let c = counts(&[3]).with_declared_classes(2).unwrap();
        let err = c.weights(WeightScheme::InverseFrequency).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::ZeroCount { class } if class == "1"));
        assert!(err.to_string().starts_with("class `1` has no samples; "));
        let err = counts(&[3])
            .weights(WeightScheme::EffectiveNumber { beta: 1.0 })
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidBeta { .. }));
        let err = ClassCounts::default()
            .weights(WeightScheme::InverseFrequency)
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Empty));
    }

    #[test]
    fn scheme_names_round_trip() {
        for scheme in [
            WeightScheme::InverseFrequency,
            WeightScheme::InverseSqrtFrequency,
            WeightScheme::EffectiveNumber { beta: 0.999 },
            WeightScheme::EffectiveNumber { beta: 0.99 },
        ] {
            assert_eq!(scheme.to_string().parse::<WeightScheme>().unwrap(), scheme);
        }
        assert_eq!(
            "balanced".parse::<WeightScheme>().unwrap(),
            WeightScheme::InverseFrequency
        );
        let err = "focal".parse::<WeightScheme>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown weight scheme `focal`; write ")
        );
        assert!(matches!(
            "effective_number(1.5)"
                .parse::<WeightScheme>()
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidBeta { .. }
        ));
    }

    #[test]
    fn pos_weight_names_the_label_without_positives() {
        let m = MultiLabelCounts::new(vec!["a".into(), "b".into()], vec![20, 0], 100);
        let err = m.pos_weight().unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NoPositives { label } if label == "b"));
        let m = MultiLabelCounts::new(vec!["a".into(), "b".into()], vec![20, 50], 100);
        assert_eq!(m.pos_weight().unwrap(), [4.0, 1.0]);
    }
}
