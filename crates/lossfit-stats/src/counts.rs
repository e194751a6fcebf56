//! Per-class and per-label counts and the measures read off them (shares, imbalance ratio,
//! rarest, commonest, absent classes, positive rates).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{ErrorKind, StatsError};

/// A class as it appears in the data: an integer id or a name.
///
/// Ids sort numerically and names lexicographically (by bytes); a file's labels are all one
/// or the other.
///
/// # Example
/// ```
/// use lossfit_stats::ClassLabel;
///
/// assert_eq!(ClassLabel::Id(3).to_string(), "3");
/// assert_eq!(ClassLabel::from("cat").to_string(), "cat");
/// assert!(ClassLabel::Id(2) < ClassLabel::Id(10));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClassLabel {
    /// An integer class id (`0`, `1`, ...).
    Id(u64),
    /// A class name (`cat`).
    Name(String),
}

impl fmt::Display for ClassLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

impl From<u64> for ClassLabel {
    fn from(id: u64) -> Self {
        Self::Id(id)
    }
}

impl From<&str> for ClassLabel {
    fn from(name: &str) -> Self {
        Self::Name(name.to_string())
    }
}

impl From<String> for ClassLabel {
    fn from(name: String) -> Self {
        Self::Name(name)
    }
}

/// Per-class counts of a single-label (multi-class or binary) dataset, in class order: ids
/// ascending; names in the order declared with [`ClassCounts::with_class_names`], else sorted
/// for display only (DESIGN §4: the class order of names is the user's or the dataset's, never
/// a guess, so index-based results such as [`ClassCounts::weights`] refuse undeclared names).
///
/// # Example
/// ```
/// use lossfit_stats::{ClassCounts, ClassLabel};
///
/// let counts = ClassCounts::from_pairs([("dog".into(), 100), ("cat".into(), 900)]);
/// assert_eq!(counts.labels(), [ClassLabel::from("cat"), ClassLabel::from("dog")]);
/// assert_eq!(counts.counts(), [900, 100]);
/// assert_eq!(counts.imbalance_ratio(), Some(9.0));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    labels: Vec<ClassLabel>,
    counts: Vec<u64>,
    /// Whether `labels` is the class order the model's outputs use: ids, or names in a
    /// declared order.
    ordered: bool,
}

impl ClassCounts {
    /// The most classes [`ClassCounts::with_declared_classes`] takes (as many as the readers
    /// count before they stop with [`ErrorKind::TooManyClasses`]).
    pub const MAX_DECLARED_CLASSES: usize = 1_000_000;

    /// Counts from `(class, count)` pairs in any order; a class given twice has its counts added
    /// (saturating at `u64::MAX`).
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel};
    ///
    /// let counts = ClassCounts::from_pairs([(ClassLabel::Id(1), 5), (ClassLabel::Id(0), 3), (ClassLabel::Id(1), 2)]);
    /// assert_eq!(counts.counts(), [3, 7]);
    /// ```
    pub fn from_pairs(pairs: impl IntoIterator<Item = (ClassLabel, u64)>) -> Self {
        let mut merged = BTreeMap::new();
        for (label, count) in pairs {
            let slot: &mut u64 = merged.entry(label).or_default();
            *slot = slot.saturating_add(count);
        }
        let (labels, counts): (Vec<ClassLabel>, Vec<u64>) = merged.into_iter().unzip();
        let ordered = labels.iter().all(|l| matches!(l, ClassLabel::Id(_)));
        Self {
            labels,
            counts,
            ordered,
        }
    }

    /// The same counts with the classes in a declared order: `names[i]` is class `i` (the
    /// model's `i`th output). Names that never occur get count 0. Integer labels keep their
    /// numeric order: the names then only say how many classes there are (as
    /// [`ClassCounts::with_declared_classes`]).
    ///
    /// # Errors
    /// [`ErrorKind::UndeclaredClass`] for a label that is not among `names`;
    /// [`ErrorKind::InvalidOptions`] for an empty list, an empty (or blank) name, or a name
    /// given twice.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel, WeightScheme};
    ///
    /// let counts = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 60), ("bird".into(), 40)]);
    /// // Sorted for display, but not an order a model's outputs follow: weights are refused.
    /// assert!(counts.weights(WeightScheme::InverseFrequency).is_err());
    /// let counts = counts.with_class_names(&["cat", "dog", "bird"])?;
    /// assert_eq!(counts.counts(), [900, 60, 40]);
    /// assert_eq!(counts.order(), "0 = `cat`, 1 = `dog`, 2 = `bird`");
    /// let w = counts.weights(WeightScheme::InverseFrequency)?;
    /// assert!(w[0] < w[1] && w[1] < w[2]);
    /// # Ok::<(), lossfit_stats::StatsError>(())
    /// ```
    pub fn with_class_names<S: AsRef<str>>(self, names: &[S]) -> Result<Self, StatsError> {
        if names.is_empty() {
            return Err(ErrorKind::InvalidOptions {
                message: "the declared class list is empty; list the classes in the order of                           the model's outputs"
                    .to_string(),
            }
            .into());
        }
        if names.iter().any(|n| n.as_ref().trim().is_empty()) {
            return Err(ErrorKind::InvalidOptions {
                message: "the declared class list has an empty name; name every class (a label \
                          is never empty)"
                    .to_string(),
            }
            .into());
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = names.iter().map(AsRef::as_ref).find(|n| !seen.insert(*n)) {
            return Err(ErrorKind::InvalidOptions {
                message: format!(
                    "class `{}` is declared twice; list each class once",
                    crate::error::excerpt(twice)
                ),
            }
            .into());
        }
        if self.labels.iter().all(|l| matches!(l, ClassLabel::Id(_))) {
            return self.with_declared_classes(names.len());
        }
        let mut counts = vec![0u64; names.len()];
        for (label, count) in self.labels.into_iter().zip(self.counts) {
            let name = label.to_string();
            let at = names
                .iter()
                .position(|n| n.as_ref() == name)
                .ok_or_else(|| ErrorKind::UndeclaredClass { name: name.clone() })?;
            counts[at] = counts[at].saturating_add(count);
        }
        Ok(Self {
            labels: names.iter().map(|n| ClassLabel::from(n.as_ref())).collect(),
            counts,
            ordered: true,
        })
    }

    /// A few of the class names, for messages (`` `bird`, `cat`, `dog` ``).
    pub(crate) fn order_hint(&self) -> String {
        let mut names: Vec<String> = self
            .labels
            .iter()
            .take(6)
            .map(|l| format!("`{}`", crate::error::excerpt(&l.to_string())))
            .collect();
        if self.labels.len() > 6 {
            names.push("..".to_string());
        }
        names.join(", ")
    }

    /// `Ok` when the classes are in the order a model's outputs use; otherwise the error that
    /// says how to declare it (for results that need class indices: weights, which class is
    /// the positive one).
    ///
    /// # Errors
    /// [`ErrorKind::UnorderedClasses`] for names in no declared order.
    pub fn require_order(&self) -> Result<(), StatsError> {
        if self.ordered {
            Ok(())
        } else {
            Err(ErrorKind::UnorderedClasses {
                names: self.order_hint(),
            }
            .into())
        }
    }

    /// Whether the classes are in the order a model's outputs use (ids, or declared names);
    /// index-based results need it.
    #[must_use]
    pub fn is_ordered(&self) -> bool {
        self.ordered
    }

    /// The index → class mapping, as messages show it: `0..=9` for the ids `0` to `9`,
    /// `` 0 = `cat`, 1 = `dog` `` for names (long lists are cut after 12).
    #[must_use]
    pub fn order(&self) -> String {
        let ids = self
            .labels
            .iter()
            .enumerate()
            .all(|(i, l)| *l == ClassLabel::Id(i as u64));
        if ids && !self.labels.is_empty() {
            return format!("0..={}", self.labels.len() - 1);
        }
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .take(12)
            .enumerate()
            .map(|(i, l)| format!("{i} = `{}`", crate::error::excerpt(&l.to_string())))
            .collect();
        if self.labels.len() > 12 {
            parts.push(format!("... ({} classes)", self.labels.len()));
        }
        parts.join(", ")
    }

    /// The same counts over exactly the ids `0..classes`: ids that never occur are added with
    /// count 0 (see [`ClassCounts::absent`]).
    ///
    /// # Errors
    /// [`ErrorKind::ClassOutOfRange`] if an id is `>= classes`; [`ErrorKind::NamedClasses`] if a
    /// label is a name; [`ErrorKind::InvalidOptions`] if `classes` is above
    /// [`ClassCounts::MAX_DECLARED_CLASSES`] (every declared class is listed, so a larger count
    /// would only allocate, or fail to).
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel};
    ///
    /// let counts = ClassCounts::from_pairs([(ClassLabel::Id(0), 4), (ClassLabel::Id(2), 1)])
    ///     .with_declared_classes(4)?;
    /// assert_eq!(counts.counts(), [4, 0, 1, 0]);
    /// assert_eq!(counts.absent(), [&ClassLabel::Id(1), &ClassLabel::Id(3)]);
    /// # Ok::<(), lossfit_stats::StatsError>(())
    /// ```
    pub fn with_declared_classes(self, classes: usize) -> Result<Self, StatsError> {
        if classes > Self::MAX_DECLARED_CLASSES {
            return Err(ErrorKind::InvalidOptions {
                message: format!(
                    "{classes} classes were declared, more than the {} supported; declare the \
                     number of classes of the labels",
                    Self::MAX_DECLARED_CLASSES
                ),
            }
            .into());
        }
        let mut counts = vec![0u64; classes];
        for (label, count) in self.labels.into_iter().zip(self.counts) {
            match label {
                ClassLabel::Name(name) => {
                    return Err(ErrorKind::NamedClasses { name }.into());
                }
                ClassLabel::Id(id) => {
                    let slot = usize::try_from(id)
                        .ok()
                        .and_then(|i| counts.get_mut(i))
                        .ok_or(ErrorKind::ClassOutOfRange { id, classes })?;
                    *slot = slot.saturating_add(count);
                }
            }
        }
        let labels = (0..classes as u64).map(ClassLabel::Id).collect();
        Ok(Self {
            labels,
            counts,
            ordered: true,
        })
    }

    /// The number of classes (including absent ones after
    /// [`ClassCounts::with_declared_classes`]).
    #[must_use]
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no classes at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of samples (saturating at `u64::MAX`).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    /// `(class, count)` in class order.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel};
    ///
    /// let counts = ClassCounts::from_pairs([(ClassLabel::Id(1), 5), (ClassLabel::Id(0), 3)]);
    /// for (class, n) in counts.iter() {
    ///     println!("class {class}: {n} samples");
    /// }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&ClassLabel, u64)> {
        self.labels.iter().zip(self.counts.iter().copied())
    }

    /// The count of `label`, or `None` if it is not one of the classes.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel};
    ///
    /// let counts = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100)]);
    /// assert_eq!(counts.count(&"dog".into()), Some(100));
    /// assert_eq!(counts.count(&ClassLabel::Id(0)), None);
    /// assert_eq!(counts.total(), 1000);
    /// ```
    #[must_use]
    pub fn count(&self, label: &ClassLabel) -> Option<u64> {
        // Declared names are in the user's order, not sorted.
        let i = self.labels.iter().position(|l| l == label)?;
        self.counts.get(i).copied()
    }

    /// The counts in class order.
    #[must_use]
    pub fn counts(&self) -> Vec<u64> {
        self.counts.clone()
    }

    /// The classes in class order.
    #[must_use]
    pub fn labels(&self) -> &[ClassLabel] {
        &self.labels
    }

    /// Each class's share of the samples, in class order (all 0 when there are no samples).
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::ClassCounts;
    ///
    /// let counts = ClassCounts::from_pairs([("a".into(), 1), ("b".into(), 3)]);
    /// assert_eq!(counts.shares(), [0.25, 0.75]);
    /// ```
    #[must_use]
    pub fn shares(&self) -> Vec<f64> {
        let total = self.total();
        if total == 0 {
            return vec![0.0; self.counts.len()];
        }
        let total = total as f64;
        self.counts.iter().map(|&c| c as f64 / total).collect()
    }

    /// The imbalance ratio `IR = max count / min count` over the classes that occur (count > 0);
    /// `None` if no class occurs.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::ClassCounts;
    ///
    /// let counts = ClassCounts::from_pairs([("a".into(), 10), ("b".into(), 200), ("c".into(), 0)]);
    /// assert_eq!(counts.imbalance_ratio(), Some(20.0));
    /// ```
    #[must_use]
    pub fn imbalance_ratio(&self) -> Option<f64> {
        let (_, min) = self.rarest()?;
        let (_, max) = self.commonest()?;
        Some(max as f64 / min as f64)
    }

    /// The class with the fewest samples among those that occur (the first in class order on a
    /// tie).
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ClassCounts, ClassLabel};
    ///
    /// let counts = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100), ("eel".into(), 0)]);
    /// assert_eq!(counts.rarest(), Some((&ClassLabel::from("dog"), 100)));
    /// assert_eq!(counts.commonest(), Some((&ClassLabel::from("cat"), 900)));
    /// ```
    #[must_use]
    pub fn rarest(&self) -> Option<(&ClassLabel, u64)> {
        self.iter()
            .filter(|&(_, c)| c > 0)
            .fold(None, |best, (l, c)| match best {
                Some((_, b)) if b <= c => best,
                _ => Some((l, c)),
            })
    }

    /// The class with the most samples (the first in class order on a tie).
    #[must_use]
    pub fn commonest(&self) -> Option<(&ClassLabel, u64)> {
        self.iter()
            .filter(|&(_, c)| c > 0)
            .fold(None, |best, (l, c)| match best {
                Some((_, b)) if b >= c => best,
                _ => Some((l, c)),
            })
    }

    /// The classes with count 0: after [`ClassCounts::with_declared_classes`], the declared ids
    /// that never occur.
    #[must_use]
    pub fn absent(&self) -> Vec<&ClassLabel> {
        self.iter()
            .filter(|&(_, c)| c == 0)
            .map(|(l, _)| l)
            .collect()
    }
}

/// Per-label positive counts of a multi-label dataset (each row has a 0/1 value per label).
///
/// # Example
/// ```
/// use lossfit_stats::MultiLabelCounts;
///
/// let counts = MultiLabelCounts::new(vec!["cat".into(), "dog".into()], vec![100, 0], 1000);
/// assert_eq!(counts.positive_rates(), [0.1, 0.0]);
/// assert_eq!(counts.neg_pos_ratios(), [Some(9.0), None]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultiLabelCounts {
    labels: Vec<String>,
    positives: Vec<u64>,
    rows: u64,
}

impl MultiLabelCounts {
    /// Counts of `rows` rows where label `labels[i]` is positive in `positives[i]` rows.
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::MultiLabelCounts;
    ///
    /// let counts = MultiLabelCounts::new(vec!["cat".into(), "dog".into()], vec![120, 40], 1000);
    /// assert_eq!(counts.labels(), ["cat", "dog"]);
    /// assert_eq!(counts.negatives(), [880, 960]);
    /// ```
    ///
    /// # Panics
    /// If `labels` and `positives` differ in length (a programming error, not a data error:
    /// the readers never do it).
    #[must_use]
    pub fn new(labels: Vec<String>, positives: Vec<u64>, rows: u64) -> Self {
        assert_eq!(
            labels.len(),
            positives.len(),
            "MultiLabelCounts::new: one positive count per label"
        );
        Self {
            labels,
            positives,
            rows,
        }
    }

    /// The labels, in column order.
    #[must_use]
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The positive count of each label.
    #[must_use]
    pub fn positives(&self) -> &[u64] {
        &self.positives
    }

    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The negative count of each label (`rows - positives`, saturating at 0).
    #[must_use]
    pub fn negatives(&self) -> Vec<u64> {
        self.positives
            .iter()
            .map(|&p| self.rows.saturating_sub(p))
            .collect()
    }

    /// `positives / rows` per label (all 0 when there are no rows).
    #[must_use]
    pub fn positive_rates(&self) -> Vec<f64> {
        if self.rows == 0 {
            return vec![0.0; self.positives.len()];
        }
        let rows = self.rows as f64;
        self.positives.iter().map(|&p| p as f64 / rows).collect()
    }

    /// `negatives / positives` per label; `None` where a label has no positives.
    #[must_use]
    pub fn neg_pos_ratios(&self) -> Vec<Option<f64>> {
        self.positives
            .iter()
            .map(|&p| (p > 0).then(|| self.rows.saturating_sub(p) as f64 / p as f64))
            .collect()
    }
}

/// The statistics of one label file: per-class counts, or per-label positives.
///
/// # Example
/// ```
/// use lossfit_stats::{ClassCounts, LabelStats};
///
/// let stats = LabelStats::MultiClass(ClassCounts::from_pairs([("a".into(), 3), ("b".into(), 1)]));
/// assert_eq!(stats.rows(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelStats {
    /// One label per row (multi-class or binary).
    MultiClass(ClassCounts),
    /// A 0/1 value per label per row.
    MultiLabel(MultiLabelCounts),
}

impl LabelStats {
    /// The number of rows (samples).
    #[must_use]
    pub fn rows(&self) -> u64 {
        match self {
            Self::MultiClass(counts) => counts.total(),
            Self::MultiLabel(counts) => counts.rows(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(pairs: &[(u64, u64)]) -> ClassCounts {
        ClassCounts::from_pairs(pairs.iter().map(|&(l, c)| (ClassLabel::Id(l), c)))
    }

    #[test]
    fn declared_names_are_never_empty() {
        let counts = ClassCounts::from_pairs([("cat".into(), 1)]);
        for names in [&["cat", ""][..], &["cat", "  "][..]] {
            let err = counts.clone().with_class_names(names).unwrap_err();
            assert!(err.to_string().contains("empty name"), "{err}");
        }
    }

    #[test]
    fn from_pairs_merges_and_sorts() {
        let c = ids(&[(10, 1), (2, 3), (10, 4)]);
        assert_eq!(c.labels(), [ClassLabel::Id(2), ClassLabel::Id(10)]);
        assert_eq!(c.counts(), [3, 5]);
        assert_eq!(c.total(), 8);
        assert_eq!(c.count(&ClassLabel::Id(10)), Some(5));
        assert_eq!(c.count(&ClassLabel::Id(3)), None);
    }

    #[test]
    fn declared_classes_add_absent_ids() {
        let c = ids(&[(1, 5), (3, 2)]).with_declared_classes(5).unwrap();
        assert_eq!(c.counts(), [0, 5, 0, 2, 0]);
        let absent: Vec<_> = c.absent().into_iter().cloned().collect();
        assert_eq!(absent, [0, 2, 4].map(ClassLabel::Id));
        assert_eq!(c.imbalance_ratio(), Some(2.5));
        assert_eq!(c.rarest(), Some((&ClassLabel::Id(3), 2)));
        assert_eq!(c.commonest(), Some((&ClassLabel::Id(1), 5)));
    }

    #[test]
    fn declared_classes_reject_out_of_range_and_names() {
        let err = ids(&[(4, 1)]).with_declared_classes(4).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::ClassOutOfRange { id: 4, classes: 4 }
        ));
        assert_eq!(
            err.to_string(),
            "class id 4 is out of range for 4 declared classes; \
             declare at least 5 classes or fix the label"
        );
        let err = ClassCounts::from_pairs([("cat".into(), 1)])
            .with_declared_classes(2)
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NamedClasses { name } if name == "cat"));
    }

    #[test]
    fn declared_class_counts_beyond_the_limit_are_errors_not_allocations() {
        // Found by the `label_readers` fuzz target: `classes = usize::MAX` panicked with
        // "capacity overflow", `1 << 40` aborted on a failed allocation.
        for classes in [ClassCounts::MAX_DECLARED_CLASSES + 1, 1 << 40, usize::MAX] {
            let err = ids(&[(1, 5)]).with_declared_classes(classes).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::InvalidOptions { message }
                    if message.starts_with(&format!("{classes} classes were declared"))),
                "{err}"
            );
        }
        let c = ids(&[(1, 5)])
            .with_declared_classes(ClassCounts::MAX_DECLARED_CLASSES)
            .unwrap();
        assert_eq!(c.len(), ClassCounts::MAX_DECLARED_CLASSES);
    }

    #[test]
    fn measures_of_nothing() {
        let c = ClassCounts::default();
        assert!(c.is_empty());
        assert_eq!(c.imbalance_ratio(), None);
        assert_eq!(c.rarest(), None);
        let c = ids(&[(0, 0)]);
        assert_eq!(c.shares(), [0.0]);
        assert_eq!(c.imbalance_ratio(), None);
    }

    #[test]
    fn ties_pick_the_first_class() {
        let c = ids(&[(0, 2), (1, 2), (2, 2)]);
        assert_eq!(c.rarest(), Some((&ClassLabel::Id(0), 2)));
        assert_eq!(c.commonest(), Some((&ClassLabel::Id(0), 2)));
        assert_eq!(c.imbalance_ratio(), Some(1.0));
    }

    #[test]
    fn saturating_counts() {
        let c = ids(&[(0, u64::MAX), (0, 5), (1, 3)]);
        assert_eq!(c.counts(), [u64::MAX, 3]);
        assert_eq!(c.total(), u64::MAX);
    }

    #[test]
    fn multi_label_measures() {
        let m = MultiLabelCounts::new(vec!["a".into(), "b".into()], vec![25, 0], 100);
        assert_eq!(m.positive_rates(), [0.25, 0.0]);
        assert_eq!(m.neg_pos_ratios(), [Some(3.0), None]);
        assert_eq!(m.negatives(), [75, 100]);
        assert_eq!(LabelStats::MultiLabel(m).rows(), 100);
    }
}
