//! Seeded candidate samplers for sampled losses (TensorFlow's uniform and log-uniform
//! candidate samplers) and the expected counts that correct for them.

use std::collections::HashSet;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::tensor::check_param;
use crate::{LossError, Result};

/// The distribution negative classes are drawn from.
///
/// ```
/// use lossfit::functional::Sampler;
///
/// // Log-uniform favours small class ids: vocabularies sorted by decreasing frequency.
/// let v = 1000;
/// assert!(Sampler::LogUniform.probability(0, v) > Sampler::LogUniform.probability(999, v));
/// assert_eq!(Sampler::Uniform.probability(7, v), 1.0 / 1000.0);
/// assert_eq!(Sampler::Uniform.probability(1000, v), 0.0); // outside the range
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sampler {
    /// Log-uniform (Zipfian) over `0..V`, TensorFlow's `log_uniform_candidate_sampler` and the
    /// default of `tf.nn.sampled_softmax_loss`:
    /// `P(c) = (ln(c + 2) - ln(c + 1)) / ln(V + 1)`.
    /// It assumes class ids sorted by decreasing frequency (id 0 the most frequent token), as
    /// tokenizer vocabularies usually are; with unsorted ids, use [`Sampler::Uniform`].
    #[default]
    LogUniform,
    /// Uniform over `0..V` (`tf.random.uniform_candidate_sampler`): `P(c) = 1 / V`.
    Uniform,
}

impl Sampler {
    /// The probability that one draw yields `class`, out of `num_classes` classes (0 for a class
    /// outside `0..num_classes`).
    #[must_use]
    pub fn probability(self, class: usize, num_classes: usize) -> f64 {
        if class >= num_classes {
            return 0.0;
        }
        match self {
            Sampler::Uniform => 1.0 / num_classes as f64,
            // ln((c + 2) / (c + 1)) written as ln(1 + 1 / (c + 1)): accurate for huge ids.
            Sampler::LogUniform => {
                (1.0 / (class as f64 + 1.0)).ln_1p() / (num_classes as f64).ln_1p()
            }
        }
    }

    /// One draw from `0..num_classes` (`num_classes >= 1`).
    fn draw(self, rng: &mut ChaCha8Rng, num_classes: usize) -> usize {
        match self {
            Sampler::Uniform => below(rng, num_classes as u64) as usize,
            Sampler::LogUniform => {
                // Inverse CDF: the CDF of c is ln(c + 2) / ln(V + 1), so
                // c = floor(exp(u * ln(V + 1))) - 1 for u uniform in [0, 1). Rounding of exp can
                // only push the last class one past the end; clamp it back.
                let u = unit_interval(rng);
                let c = (u * (num_classes as f64).ln_1p()).exp().floor() as usize;
                c.saturating_sub(1).min(num_classes - 1)
            }
        }
    }
}

/// The negative classes drawn for one call, and the expected counts that correct for them.
///
/// `sampled` is in draw order, which is the column order of the sampled logits.
///
/// ```
/// use lossfit::functional::{sample_candidates, Sampler};
///
/// let sample = sample_candidates(Sampler::Uniform, 100, 5, true, 42, &[3, 17])?;
/// assert_eq!(sample.sampled.len(), 5);
/// assert!(sample.num_tries >= 5);
/// // The correction of a class is its expected count under this very draw.
/// assert_eq!(sample.true_expected_count[1], sample.expected_count(17));
/// # Ok::<(), lossfit::LossError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateSample {
    /// The distribution the candidates were drawn from.
    pub sampler: Sampler,
    /// The number of classes `V` drawn from.
    pub num_classes: usize,
    /// Whether duplicates were rejected (sampling without replacement).
    pub unique: bool,
    /// How many draws it took: `sampled.len()` with replacement, at least that without.
    pub num_tries: usize,
    /// The sampled class ids, in draw order (distinct when `unique`).
    pub sampled: Vec<usize>,
    /// `expected_count(c)` of each sampled class.
    pub sampled_expected_count: Vec<f64>,
    /// `expected_count(c)` of each true class, in the order they were given.
    pub true_expected_count: Vec<f64>,
}

impl CandidateSample {
    /// The expected number of occurrences of `class` in a draw like this one, TensorFlow's
    /// estimate (its `RangeSampler` documentation):
    ///
    /// ```text
    /// p = P(class), k = sampled.len(), t = num_tries
    /// expected_count = k * p                 if t == k (always so with replacement)
    ///                = 1 - (1 - p)^t         otherwise (the inclusion probability if every
    ///                                        draw took exactly t tries)
    /// ```
    ///
    /// ```
    /// use lossfit::functional::{sample_candidates, Sampler};
    ///
    /// let sample = sample_candidates(Sampler::Uniform, 10, 4, false, 1, &[])?;
    /// assert!((sample.expected_count(3) - 0.4).abs() < 1e-15); // k * p = 4 / 10
    /// # Ok::<(), lossfit::LossError>(())
    /// ```
    #[must_use]
    pub fn expected_count(&self, class: usize) -> f64 {
        let p = self.sampler.probability(class, self.num_classes);
        let k = self.sampled.len();
        if self.num_tries == k {
            p * k as f64
        } else {
            // 1 - (1 - p)^t without cancellation for small p.
            -(self.num_tries as f64 * (-p).ln_1p()).exp_m1()
        }
    }
}

/// Draws `num_sampled` candidate classes from `sampler` over `0..num_classes`, seeded, and
/// reports the expected counts of the candidates and of `true_classes` (TensorFlow's
/// `*_candidate_sampler` functions).
///
/// With `unique` (TensorFlow's default), draws are repeated until `num_sampled` distinct
/// classes were seen and `num_tries` counts every draw; otherwise the draws are independent
/// (with replacement). The candidates depend only on `(sampler, num_classes, num_sampled,
/// unique, seed)`, never on the true classes: the generator is `ChaCha8` keyed with the seed's
/// little-endian bytes, whose stream is the same on every platform, so a seed reproduces a
/// draw exactly (the first draws of a seed are pinned by a test, so a change is deliberate).
///
/// Without replacement, the number of draws grows like the coupon collector's when
/// `num_sampled` approaches `num_classes`, and much faster for the log-uniform sampler, whose
/// rarest class has probability about `1 / (V ln V)`; keep `num_sampled` well below `V`.
///
/// # Errors
/// [`LossError::Parameter`] when `num_classes` is 0, `num_sampled` is 0, or `num_sampled`
/// exceeds `num_classes` with `unique`; [`LossError::ClassIndex`] for a true class outside
/// `0..num_classes`.
///
/// ```
/// use lossfit::functional::{sample_candidates, Sampler};
///
/// let a = sample_candidates(Sampler::LogUniform, 50_000, 8, true, 7, &[])?;
/// let b = sample_candidates(Sampler::LogUniform, 50_000, 8, true, 7, &[])?;
/// assert_eq!(a.sampled, b.sampled);
/// assert!(sample_candidates(Sampler::Uniform, 4, 5, true, 7, &[]).is_err());
/// # Ok::<(), lossfit::LossError>(())
/// ```
pub fn sample_candidates(
    sampler: Sampler,
    num_classes: usize,
    num_sampled: usize,
    unique: bool,
    seed: u64,
    true_classes: &[usize],
) -> Result<CandidateSample> {
    const NAME: &str = "sample_candidates";
    for (i, &class) in true_classes.iter().enumerate() {
        if class >= num_classes {
            return Err(LossError::ClassIndex {
                loss: NAME,
                arg: "true_classes",
                position: vec![i],
                value: i64::try_from(class).unwrap_or(i64::MAX),
                classes: num_classes,
                ignore_index: None,
            });
        }
    }
    draw_candidates(
        NAME,
        sampler,
        num_classes,
        num_sampled,
        unique,
        seed,
        true_classes,
    )
}

/// [`sample_candidates`] for a loss named `loss` (errors name it); true classes are in range.
pub(crate) fn draw_candidates(
    loss: &'static str,
    sampler: Sampler,
    num_classes: usize,
    num_sampled: usize,
    unique: bool,
    seed: u64,
    true_classes: &[usize],
) -> Result<CandidateSample> {
    check_counts(loss, num_classes, num_sampled, unique)?;
    let mut rng = ChaCha8Rng::from_seed(seed_bytes(seed));
    let mut sampled = Vec::with_capacity(num_sampled);
    let mut seen = HashSet::with_capacity(if unique { num_sampled } else { 0 });
    let mut num_tries = 0_usize;
    while sampled.len() < num_sampled {
        let class = sampler.draw(&mut rng, num_classes);
        num_tries += 1;
        if !unique || seen.insert(class) {
            sampled.push(class);
        }
    }
    let mut sample = CandidateSample {
        sampler,
        num_classes,
        unique,
        num_tries,
        sampled,
        sampled_expected_count: Vec::new(),
        true_expected_count: Vec::new(),
    };
    sample.sampled_expected_count = sample
        .sampled
        .iter()
        .map(|&c| sample.expected_count(c))
        .collect();
    sample.true_expected_count = true_classes
        .iter()
        .map(|&c| sample.expected_count(c))
        .collect();
    Ok(sample)
}

/// Checks the vocabulary size and the number of candidates.
fn check_counts(
    loss: &'static str,
    num_classes: usize,
    num_sampled: usize,
    unique: bool,
) -> Result<()> {
    check_param(
        loss,
        "num_classes",
        num_classes as f64,
        num_classes > 0,
        "expected at least one class: `weights` must have one row per class",
    )?;
    check_param(
        loss,
        "num_sampled",
        num_sampled as f64,
        num_sampled > 0,
        "expected at least one sampled class (64 to a few thousand is usual)",
    )?;
    check_param(
        loss,
        "num_sampled",
        num_sampled as f64,
        !unique || num_sampled <= num_classes,
        &format!(
            "sampling without replacement (`unique`) can draw at most the {num_classes} \
             classes there are; lower `num_sampled`, or set `unique: false` to sample with \
             replacement"
        ),
    )
}

/// The `ChaCha8` key of a seed: its little-endian bytes, then zeros.
fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0_u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes
}

/// Uniform in `[0, 1)` with 53 random bits.
fn unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
}

/// Uniform in `0..n` (`n >= 1`) without modulo bias (Lemire's multiply-and-reject).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    // Low products under `2^64 mod n` belong to an over-represented residue: redraw them.
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if product as u64 >= threshold {
            return (product >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_uniform_probabilities_sum_to_one() {
        for v in [1, 2, 10, 1000] {
            let total: f64 = (0..v).map(|c| Sampler::LogUniform.probability(c, v)).sum();
            assert!((total - 1.0).abs() < 1e-12, "V = {v}: {total}");
        }
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = ChaCha8Rng::from_seed(seed_bytes(3));
        for v in [1, 2, 3, 1000] {
            for _ in 0..2000 {
                assert!(Sampler::LogUniform.draw(&mut rng, v) < v);
                assert!(Sampler::Uniform.draw(&mut rng, v) < v);
            }
        }
    }

    #[test]
    fn unique_sampling_of_every_class_finds_them_all() {
        let sample = draw_candidates("test", Sampler::LogUniform, 20, 20, true, 5, &[]).unwrap();
        let mut sorted = sample.sampled.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }
}
