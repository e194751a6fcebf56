//! `sampled_softmax_loss` and its candidate samplers: agreement with the full cross-entropy on
//! the sampled subset, reproducibility, convergence to the full softmax as `k` grows, sampler
//! statistics, finite-difference gradients and every error path.

use lossfit::functional::{
    CandidateSample, CrossEntropyOptions, SampledSoftmaxOptions, Sampler, cross_entropy,
    sample_candidates, sampled_softmax_loss,
};
use lossfit::{LossError, Reduction};
use ndarray::{Array1, Array2, ArrayD, IxDyn};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Test data

/// A small deterministic generator for test data (`SplitMix64`), independent of the crate's.
struct TestRng(u64);

impl TestRng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `(0, 1)`.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n
    }
}

/// A sampled-softmax problem: `inputs [N, D]`, `weights [V, D]`, `biases [V]`, `labels [N]`.
#[derive(Clone, Debug)]
struct Problem {
    inputs: Array2<f64>,
    weights: Array2<f64>,
    biases: Array1<f64>,
    labels: Array1<i64>,
}

impl Problem {
    fn random(seed: u64, n: usize, d: usize, v: usize) -> Self {
        let mut rng = TestRng(seed);
        let scale = 1.0 / (d as f64).sqrt();
        Problem {
            inputs: Array2::from_shape_simple_fn((n, d), || rng.normal()),
            weights: Array2::from_shape_simple_fn((v, d), || scale * rng.normal()),
            biases: Array1::from_shape_simple_fn(v, || 0.5 * rng.normal()),
            labels: Array1::from_shape_simple_fn(n, || rng.below(v) as i64),
        }
    }

    fn classes(&self) -> usize {
        self.weights.nrows()
    }
}

/// `|a - b| <= rel * |b| + abs`, elementwise, with a message naming the first mismatch.
fn assert_close(what: &str, actual: &[f64], expected: &[f64], rel: f64, abs: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (a, b)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - b).abs() <= rel * b.abs() + abs,
            "{what}[{i}]: {a:e} vs expected {b:e} (diff {:e})",
            (a - b).abs()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The reference: full cross-entropy on the sampled subset, built by hand

/// TensorFlow's expected count, written independently of the crate (powers, not `ln_1p`).
fn documented_expected_count(sample: &CandidateSample, class: usize) -> f64 {
    let v = sample.num_classes as f64;
    let p = match sample.sampler {
        Sampler::Uniform => 1.0 / v,
        Sampler::LogUniform => {
            ((class as f64 + 2.0).ln() - (class as f64 + 1.0).ln()) / (v + 1.0).ln()
        }
    };
    let k = sample.sampled.len();
    if sample.num_tries == k {
        k as f64 * p
    } else {
        1.0 - (1.0 - p).powi(sample.num_tries as i32)
    }
}

fn plain_logit(p: &Problem, biases: bool, n: usize, class: usize) -> f64 {
    let dot: f64 = p.inputs.row(n).dot(&p.weights.row(class));
    dot + if biases { p.biases[class] } else { 0.0 }
}

/// The `[N, 1 + k]` corrected logits of the documented formula.
fn hand_logits(
    p: &Problem,
    biases: bool,
    sample: &CandidateSample,
    options: &SampledSoftmaxOptions<'_, f64>,
) -> Array2<f64> {
    let log_q = |class: usize| {
        if options.subtract_log_q {
            documented_expected_count(sample, class).ln()
        } else {
            0.0
        }
    };
    let k = sample.sampled.len();
    Array2::from_shape_fn((p.labels.len(), k + 1), |(n, j)| {
        let label = p.labels[n] as usize;
        if j == 0 {
            return plain_logit(p, biases, n, label) - log_q(label);
        }
        let class = sample.sampled[j - 1];
        if options.remove_accidental_hits && class == label {
            f64::NEG_INFINITY
        } else {
            plain_logit(p, biases, n, class) - log_q(class)
        }
    })
}

/// The column ids of row `n`: its label, then the candidates.
fn column_ids(p: &Problem, sample: &CandidateSample, n: usize) -> Vec<usize> {
    std::iter::once(p.labels[n] as usize)
        .chain(sample.sampled.iter().copied())
        .collect()
}

/// Full cross-entropy on the hand-built logits, then dense gradients by the chain rule.
struct Reference {
    value: ArrayD<f64>,
    inputs: Array2<f64>,
    weights: Array2<f64>,
    biases: Array1<f64>,
}

fn reference(
    p: &Problem,
    biases: bool,
    sample: &CandidateSample,
    options: &SampledSoftmaxOptions<'_, f64>,
) -> Reference {
    let logits = hand_logits(p, biases, sample, options);
    let target = Array1::<i64>::zeros(p.labels.len());
    let ce = cross_entropy(
        &logits,
        &target,
        &CrossEntropyOptions {
            reduction: options.reduction,
            grad_output: options.grad_output.clone(),
            ..CrossEntropyOptions::default()
        },
    )
    .expect("cross_entropy on valid logits");
    let dz = ce.grad.input;
    let (n_rows, d) = p.inputs.dim();
    let mut reference = Reference {
        value: ce.value,
        inputs: Array2::zeros((n_rows, d)),
        weights: Array2::zeros((p.classes(), d)),
        biases: Array1::zeros(p.classes()),
    };
    for n in 0..n_rows {
        for (j, class) in column_ids(p, sample, n).into_iter().enumerate() {
            let g = dz[[n, j]];
            reference
                .inputs
                .row_mut(n)
                .scaled_add(g, &p.weights.row(class));
            reference
                .weights
                .row_mut(class)
                .scaled_add(g, &p.inputs.row(n));
            reference.biases[class] += g;
        }
    }
    reference
}

fn flat<'a>(values: impl IntoIterator<Item = &'a f64>) -> Vec<f64> {
    values.into_iter().copied().collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Equal to the full cross-entropy on the sampled subset

#[test]
fn equals_cross_entropy_on_the_sampled_subset() {
    let mut p = Problem::random(11, 7, 5, 60);
    let upstream =
        ArrayD::from_shape_vec(IxDyn(&[7]), vec![0.3, -1.2, 2.0, 0.7, 1.1, -0.4, 0.9]).unwrap();
    let scalar_upstream = ArrayD::from_elem(IxDyn(&[]), 0.75);
    // Put accidental hits in: the candidates depend only on the seed, so relabel rows with
    // classes that will be drawn.
    let draw = sample_candidates(Sampler::LogUniform, 60, 12, true, 5, &[]).unwrap();
    p.labels[1] = draw.sampled[0] as i64;
    p.labels[4] = draw.sampled[3] as i64;

    let mut checked = 0;
    for sampler in [Sampler::LogUniform, Sampler::Uniform] {
        for unique in [true, false] {
            for (remove, subtract) in [(true, true), (false, true), (true, false)] {
                for reduction in [Reduction::None, Reduction::Mean, Reduction::Sum] {
                    for biases in [true, false] {
                        let grad_output = match reduction {
                            Reduction::None => Some(upstream.view()),
                            _ if biases => Some(scalar_upstream.view()),
                            _ => None,
                        };
                        let options = SampledSoftmaxOptions {
                            biases: biases.then(|| p.biases.view()),
                            num_sampled: 12,
                            sampler,
                            unique,
                            seed: 5,
                            remove_accidental_hits: remove,
                            subtract_log_q: subtract,
                            reduction,
                            grad_output,
                        };
                        let loss = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options)
                            .unwrap();
                        let sample = &loss.grad.sample;
                        let want = reference(&p, biases, sample, &options);
                        let what = format!(
                            "{sampler:?} unique={unique} remove={remove} log_q={subtract} \
                             {reduction} biases={biases}"
                        );
                        // Same math, different summation order: agreement to ~1e-12, not bitwise.
                        let (rel, abs) = (1e-10, 1e-14);
                        assert_close(&what, &flat(&loss.value), &flat(&want.value), rel, abs);
                        assert_close(
                            &format!("{what} d/dinputs"),
                            &flat(&loss.grad.inputs),
                            &flat(&want.inputs),
                            rel,
                            abs,
                        );
                        let dense_w = loss.grad.weights.to_dense(p.classes()).unwrap();
                        assert_close(
                            &format!("{what} d/dweights"),
                            &flat(&dense_w),
                            &flat(&want.weights),
                            rel,
                            abs,
                        );
                        match &loss.grad.biases {
                            Some(grad_b) => assert_close(
                                &format!("{what} d/dbiases"),
                                &flat(&grad_b.to_dense(p.classes()).unwrap()),
                                &flat(&want.biases),
                                rel,
                                abs,
                            ),
                            None => assert!(!biases, "{what}: bias gradient missing"),
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 3 * 3 * 2);
}

#[test]
fn accidental_hits_are_removed_from_their_row_only() {
    let mut p = Problem::random(3, 3, 4, 40);
    let draw = sample_candidates(Sampler::Uniform, 40, 6, true, 9, &[]).unwrap();
    p.labels[0] = draw.sampled[2] as i64;
    let options = SampledSoftmaxOptions {
        num_sampled: 6,
        sampler: Sampler::Uniform,
        seed: 9,
        reduction: Reduction::None,
        ..Default::default()
    };
    let removed = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap();
    let kept = sampled_softmax_loss(
        &p.inputs,
        &p.weights,
        &p.labels,
        &SampledSoftmaxOptions {
            remove_accidental_hits: false,
            ..options.clone()
        },
    )
    .unwrap();
    // Row 0 loses one term of its normaliser; the other rows are untouched.
    assert!(removed.value[[0]] < kept.value[[0]]);
    assert_eq!(removed.value[[1]], kept.value[[1]]);
    assert_eq!(removed.value[[2]], kept.value[[2]]);
}

#[test]
fn sparse_rows_are_exactly_the_labels_and_candidates() {
    let p = Problem::random(21, 5, 3, 500);
    let options = SampledSoftmaxOptions::<f64> {
        num_sampled: 20,
        seed: 4,
        ..Default::default()
    };
    let loss = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap();
    let mut expected: Vec<usize> = p.labels.iter().map(|&l| l as usize).collect();
    expected.extend(&loss.grad.sample.sampled);
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(loss.grad.weights.rows, expected);
    assert_eq!(loss.grad.weights.values.dim(), (expected.len(), 3));
    assert!(loss.grad.biases.is_none());
}

#[test]
fn a_million_classes_cost_only_the_sampled_rows() {
    let v = 1_000_000;
    let weights = Array2::<f32>::from_elem((v, 4), 0.01);
    let inputs = Array2::<f32>::from_shape_fn((3, 4), |(n, d)| (n + d) as f32 * 0.1);
    let labels = ndarray::array![0_i64, 4_321, 999_999];
    let options = SampledSoftmaxOptions::<f32> {
        num_sampled: 128,
        seed: 1,
        ..Default::default()
    };
    let loss = sampled_softmax_loss(&inputs, &weights, &labels, &options).unwrap();
    assert!(loss.scalar().unwrap().is_finite());
    assert!(loss.grad.weights.rows.len() <= 3 + 128);
    assert_eq!(loss.grad.weights.values.ncols(), 4);
    assert!(loss.grad.weights.rows.contains(&999_999));
}

#[test]
fn float32_matches_float64() {
    let p = Problem::random(8, 6, 4, 300);
    let options64 = SampledSoftmaxOptions {
        biases: Some(p.biases.view()),
        num_sampled: 25,
        seed: 2,
        reduction: Reduction::Sum,
        ..Default::default()
    };
    let want = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options64).unwrap();
    let (x32, w32, b32) = (
        p.inputs.mapv(|v| v as f32),
        p.weights.mapv(|v| v as f32),
        p.biases.mapv(|v| v as f32),
    );
    let options32 = SampledSoftmaxOptions {
        biases: Some(b32.view()),
        num_sampled: 25,
        seed: 2,
        reduction: Reduction::Sum,
        ..Default::default()
    };
    let got = sampled_softmax_loss(&x32, &w32, &p.labels, &options32).unwrap();
    assert_eq!(got.grad.sample, want.grad.sample);
    let widen = |a: &[f32]| a.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
    let value32 = f64::from(got.scalar().unwrap());
    assert_close("value", &[value32], &[want.scalar().unwrap()], 1e-5, 1e-6);
    assert_close(
        "d/dinputs",
        &widen(got.grad.inputs.as_slice().unwrap()),
        &flat(&want.grad.inputs),
        1e-5,
        1e-6,
    );
    assert_close(
        "d/dweights",
        &widen(got.grad.weights.values.as_slice().unwrap()),
        &flat(&want.grad.weights.values),
        1e-5,
        1e-6,
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Reproducibility

#[test]
fn same_seed_same_draw_different_seed_different_draw() {
    let p = Problem::random(1, 4, 3, 5000);
    let run = |seed: u64| {
        let options = SampledSoftmaxOptions::<f64> {
            num_sampled: 32,
            seed,
            ..Default::default()
        };
        sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap()
    };
    let (a, b) = (run(123), run(123));
    assert_eq!(a.grad.sample, b.grad.sample);
    assert_eq!(a.value, b.value);
    assert_eq!(a.grad, b.grad);
    for seed in [0, 1, 124, u64::MAX] {
        assert_ne!(
            run(seed).grad.sample.sampled,
            a.grad.sample.sampled,
            "seed {seed}"
        );
    }
    // The draw depends on the seed only, not on the labels or the inputs.
    let other = sample_candidates(Sampler::LogUniform, 5000, 32, true, 123, &[7, 4999]).unwrap();
    assert_eq!(other.sampled, a.grad.sample.sampled);
    assert_eq!(other.num_tries, a.grad.sample.num_tries);
}

#[test]
fn seeds_pin_the_stream() {
    // A change of generator or algorithm would silently change every user's candidates: pin
    // the first draws of a seed (these values are the crate's, not TensorFlow's).
    let uniform = sample_candidates(Sampler::Uniform, 1000, 5, true, 2024, &[]).unwrap();
    let log_uniform = sample_candidates(Sampler::LogUniform, 1000, 5, true, 2024, &[]).unwrap();
    println!(
        "seed 2024: uniform {:?}, log-uniform {:?}",
        uniform.sampled, log_uniform.sampled
    );
    assert_eq!(uniform.sampled, PINNED_UNIFORM);
    assert_eq!(log_uniform.sampled, PINNED_LOG_UNIFORM);
}

const PINNED_UNIFORM: [usize; 5] = [504, 179, 429, 605, 100];
const PINNED_LOG_UNIFORM: [usize; 5] = [31, 2, 18, 64, 1];

// ---------------------------------------------------------------------------------------------
// 3. Convergence to the full softmax

/// Full cross-entropy over all `V` classes, mean over rows.
fn full_cross_entropy(p: &Problem) -> f64 {
    let logits = p.inputs.dot(&p.weights.t()) + &p.biases;
    let loss = cross_entropy(&logits, &p.labels, &CrossEntropyOptions::default()).unwrap();
    loss.scalar().unwrap()
}

/// A model whose biases are the log of a Zipf prior and whose labels follow it, as in language
/// modelling with a frequency-sorted vocabulary.
fn zipf_problem(seed: u64, n: usize, d: usize, v: usize) -> Problem {
    let mut p = Problem::random(seed, n, d, v);
    let mut rng = TestRng(seed ^ 0xABCD);
    for (c, b) in p.biases.iter_mut().enumerate() {
        *b = Sampler::LogUniform.probability(c, v).ln() + (v as f64).ln();
    }
    // Inverse-CDF draw from the log-uniform prior.
    for label in &mut p.labels {
        let c = ((rng.unit() * (v as f64 + 1.0).ln()).exp().floor() as usize).saturating_sub(1);
        *label = c.min(v - 1) as i64;
    }
    p
}

#[test]
fn sampled_loss_converges_to_the_full_loss_as_k_grows() {
    let v = 2000;
    let p = zipf_problem(99, 16, 16, v);
    let full = full_cross_entropy(&p);
    println!("full cross-entropy over {v} classes: {full:.5}");
    let seeds = 5;
    let sampled_loss = |sampler, k, seed| {
        let options = SampledSoftmaxOptions {
            biases: Some(p.biases.view()),
            num_sampled: k,
            sampler,
            seed,
            ..Default::default()
        };
        let loss = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap();
        loss.scalar().unwrap()
    };
    for sampler in [Sampler::Uniform, Sampler::LogUniform] {
        let mut errors = Vec::new();
        for k in [16, 128, 1024] {
            let diffs: Vec<f64> = (0..seeds)
                .map(|seed| sampled_loss(sampler, k, seed) - full)
                .collect();
            let error = diffs.iter().map(|d| d.abs()).sum::<f64>() / seeds as f64;
            let bias = diffs.iter().sum::<f64>() / seeds as f64;
            println!(
                "{sampler:?} k = {k:4}: mean |sampled - full| = {error:.5}, \
                 mean sampled - full = {bias:+.5}"
            );
            errors.push(error);
        }
        assert!(
            errors[0] > errors[1] && errors[1] > errors[2],
            "{sampler:?}: {errors:?}"
        );
        if sampler == Sampler::LogUniform {
            // The expected-count correction makes the default sampler's loss close at k = V / 2.
            assert!(errors[2] < 0.05 * full, "{sampler:?}: {errors:?}");
        }
    }
    // Uniform without replacement at k = V: every class is a candidate (the label's own is
    // removed), every correction is the same constant, and the loss is the full one exactly.
    let every_class = sampled_loss(Sampler::Uniform, v, 0);
    println!(
        "Uniform k = {v}: sampled - full = {:+e}",
        every_class - full
    );
    assert!((every_class - full).abs() < 1e-12 * full);
}

// ---------------------------------------------------------------------------------------------
// 4. Sampler statistics and expected counts

/// Pearson's chi-square of observed counts against `draws * P(c)`.
fn chi_square(counts: &[usize], probabilities: &[f64], draws: usize) -> f64 {
    counts
        .iter()
        .zip(probabilities)
        .map(|(&o, &p)| {
            let e = draws as f64 * p;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

#[test]
fn empirical_frequencies_match_the_distribution() {
    let v = 40;
    let draws = 200_000;
    for sampler in [Sampler::Uniform, Sampler::LogUniform] {
        let sample = sample_candidates(sampler, v, draws, false, 77, &[]).unwrap();
        assert_eq!(sample.num_tries, draws);
        let mut counts = vec![0_usize; v];
        for &c in &sample.sampled {
            counts[c] += 1;
        }
        let probabilities: Vec<f64> = (0..v).map(|c| sampler.probability(c, v)).collect();
        let chi2 = chi_square(&counts, &probabilities, draws);
        let max_dev = counts
            .iter()
            .zip(&probabilities)
            .map(|(&o, &p)| (o as f64 / draws as f64 - p).abs())
            .fold(0.0, f64::max);
        println!(
            "{sampler:?}: chi-square {chi2:.1} on {} dof, max |freq - P| {max_dev:.5}",
            v - 1
        );
        // 39 degrees of freedom: the 99.9% quantile is 72.1.
        assert!(chi2 < 72.1, "{sampler:?}: chi-square {chi2}");
        assert!(max_dev < 0.005, "{sampler:?}: {max_dev}");
    }
}

#[test]
fn log_uniform_probability_is_the_documented_one() {
    for v in [1_usize, 7, 2000, 1_000_000] {
        let total: f64 = (0..v.min(5000))
            .map(|c| Sampler::LogUniform.probability(c, v))
            .sum();
        assert!(total <= 1.0 + 1e-12);
        for c in [0, v / 2, v - 1] {
            // The literal formula loses digits to cancellation for large ids; the crate's
            // ln_1p form does not, hence the loose tolerance.
            let want = ((c as f64 + 2.0).ln() - (c as f64 + 1.0).ln()) / (v as f64 + 1.0).ln();
            let got = Sampler::LogUniform.probability(c, v);
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "V {v} c {c}: {got} vs {want}"
            );
        }
        assert_eq!(Sampler::LogUniform.probability(v, v), 0.0);
    }
}

#[test]
fn expected_counts_are_the_documented_ones() {
    let labels = [0_usize, 5, 99, 42];
    for sampler in [Sampler::Uniform, Sampler::LogUniform] {
        for unique in [true, false] {
            for seed in 0..5 {
                let sample = sample_candidates(sampler, 100, 30, unique, seed, &labels).unwrap();
                if unique {
                    let mut distinct = sample.sampled.clone();
                    distinct.sort_unstable();
                    distinct.dedup();
                    assert_eq!(distinct.len(), 30, "unique draw has duplicates");
                    assert!(sample.num_tries >= 30);
                } else {
                    assert_eq!(sample.num_tries, 30);
                }
                let want: Vec<f64> = sample
                    .sampled
                    .iter()
                    .map(|&c| documented_expected_count(&sample, c))
                    .collect();
                assert_close("sampled", &sample.sampled_expected_count, &want, 1e-12, 0.0);
                let want: Vec<f64> = labels
                    .iter()
                    .map(|&c| documented_expected_count(&sample, c))
                    .collect();
                assert_close("true", &sample.true_expected_count, &want, 1e-12, 0.0);
            }
        }
    }
}

#[test]
fn expected_counts_estimate_inclusion_probabilities() {
    // Without replacement, TensorFlow's expected count approximates the probability that a
    // class is among the candidates; with replacement it is exactly the mean count.
    let (v, k, runs) = (60, 12, 5_000);
    for unique in [true, false] {
        let mut included = vec![0.0; v];
        let mut estimate = vec![0.0; v];
        for seed in 0..runs {
            let sample = sample_candidates(Sampler::LogUniform, v, k, unique, seed, &[]).unwrap();
            for &c in &sample.sampled {
                // The mean count (an inclusion frequency when the draw is unique).
                included[c] += 1.0 / runs as f64;
            }
            for (c, e) in estimate.iter_mut().enumerate() {
                *e += sample.expected_count(c) / runs as f64;
            }
        }
        // Per class, the deviation in standard errors of the empirical mean (binomial
        // inclusion without replacement, multinomial count with). With replacement `k p` is the
        // exact mean count. Without, TensorFlow's `1 - (1 - p)^tries` is an approximation that
        // ignores how the number of tries correlates with what was drawn (for the most frequent
        // class here it says 0.99 where the inclusion frequency is about 0.94): allow 10%.
        let allowance = if unique { 0.1 } else { 0.0 };
        let worst = included
            .iter()
            .zip(&estimate)
            .map(|(&a, &b)| {
                let variance = if unique {
                    b * (1.0 - b)
                } else {
                    b * (1.0 - b / k as f64)
                };
                let standard_error = (variance / runs as f64).sqrt();
                ((a - b).abs() - allowance * b).max(0.0) / standard_error
            })
            .fold(0.0, f64::max);
        println!("unique = {unique}: worst deviation {worst:.2} standard errors");
        assert!(worst < 4.0, "unique = {unique}: {worst}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Finite differences

/// Central differences of `f` at every entry of `x`.
fn numeric_grad(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut probe = x.to_vec();
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            probe[i] = x[i] + h;
            let up = f(&probe);
            probe[i] = x[i] - h;
            let down = f(&probe);
            probe[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// `sum(value * upstream)` of the loss at `p` (which entries vary is up to the caller).
fn objective(p: &Problem, upstream: &ArrayD<f64>, options: &SampledSoftmaxOptions<'_, f64>) -> f64 {
    let options = SampledSoftmaxOptions {
        biases: Some(p.biases.view()),
        grad_output: None,
        ..options.clone()
    };
    let loss = sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap();
    loss.value.iter().zip(upstream).map(|(v, g)| v * g).sum()
}

/// Writes new values into one of a problem's tensors.
type Setter = dyn Fn(&mut Problem, &[f64]);

/// Checks the analytic gradients of inputs, weights (all rows) and biases at `p`.
fn check_finite_differences(
    p: &Problem,
    upstream: &ArrayD<f64>,
    options: &SampledSoftmaxOptions<'_, f64>,
) -> Result<(), TestCaseError> {
    let analytic = sampled_softmax_loss(
        &p.inputs,
        &p.weights,
        &p.labels,
        &SampledSoftmaxOptions {
            biases: Some(p.biases.view()),
            grad_output: Some(upstream.view()),
            ..options.clone()
        },
    )
    .unwrap();
    let v = p.classes();
    let dense_w = analytic.grad.weights.to_dense(v).unwrap();
    let dense_b = analytic.grad.biases.as_ref().unwrap().to_dense(v).unwrap();
    let eval = |set: &Setter, values: &[f64]| {
        let mut q = p.clone();
        set(&mut q, values);
        objective(&q, upstream, options)
    };
    let set_x = |q: &mut Problem, x: &[f64]| q.inputs.as_slice_mut().unwrap().copy_from_slice(x);
    let set_w = |q: &mut Problem, w: &[f64]| q.weights.as_slice_mut().unwrap().copy_from_slice(w);
    let set_b = |q: &mut Problem, b: &[f64]| q.biases.as_slice_mut().unwrap().copy_from_slice(b);
    let cases: [(&str, Vec<f64>, Vec<f64>, &Setter); 3] = [
        (
            "inputs",
            flat(&p.inputs),
            flat(&analytic.grad.inputs),
            &set_x,
        ),
        ("weights", flat(&p.weights), flat(&dense_w), &set_w),
        ("biases", flat(&p.biases), flat(&dense_b), &set_b),
    ];
    for (name, at, grad, set) in cases {
        let numeric = numeric_grad(|values| eval(set, values), &at);
        for (i, (a, n)) in grad.iter().zip(&numeric).enumerate() {
            prop_assert!(
                (a - n).abs() <= 1e-6 + 1e-5 * n.abs(),
                "d/d{name}[{i}]: analytic {a:e} vs finite difference {n:e}"
            );
        }
    }
    Ok(())
}

#[test]
fn gradients_match_finite_differences() {
    let mut p = Problem::random(5, 4, 3, 12);
    p.labels[2] = sample_candidates(Sampler::LogUniform, 12, 5, true, 31, &[])
        .unwrap()
        .sampled[1] as i64; // one accidental hit
    let upstream = ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, -0.5, 2.0, 0.25]).unwrap();
    for (unique, remove, subtract) in [
        (true, true, true),
        (false, false, true),
        (true, true, false),
    ] {
        let options = SampledSoftmaxOptions {
            num_sampled: 5,
            unique,
            seed: 31,
            remove_accidental_hits: remove,
            subtract_log_q: subtract,
            reduction: Reduction::None,
            ..Default::default()
        };
        check_finite_differences(&p, &upstream, &options).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Properties: finite differences, Sum = sum of None, non-negativity, on random problems

fn matrix(rows: usize, cols: usize, lo: f64, hi: f64) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(lo..hi, rows * cols)
        .prop_map(move |data| Array2::from_shape_vec((rows, cols), data).unwrap())
}

fn problems() -> impl Strategy<Value = Problem> {
    (1_usize..5, 1_usize..4, 6_usize..20).prop_flat_map(|(n, d, v)| {
        (
            matrix(n, d, -2.0, 2.0),
            matrix(v, d, -1.0, 1.0),
            proptest::collection::vec(-1.0..1.0, v),
            proptest::collection::vec(0..v as i64, n),
        )
            .prop_map(|(inputs, weights, biases, labels)| Problem {
                inputs,
                weights,
                biases: Array1::from(biases),
                labels: Array1::from(labels),
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(32)
    })]

    #[test]
    fn prop_gradients_match_finite_differences(
        p in problems(),
        seed in any::<u64>(),
        k in 1_usize..6,
        unique in any::<bool>(),
        sampler in prop_oneof![Just(Sampler::Uniform), Just(Sampler::LogUniform)],
    ) {
        let upstream = ArrayD::from_shape_fn(IxDyn(&[p.labels.len()]), |i| 0.5 + i[0] as f64);
        let options = SampledSoftmaxOptions {
            num_sampled: k,
            sampler,
            unique,
            seed,
            reduction: Reduction::None,
            ..Default::default()
        };
        check_finite_differences(&p, &upstream, &options)?;
    }

    #[test]
    fn prop_sum_is_sum_of_none_and_mean_divides_by_n(
        p in problems(),
        seed in any::<u64>(),
        k in 1_usize..6,
    ) {
        let run = |reduction| {
            let options = SampledSoftmaxOptions {
                biases: Some(p.biases.view()),
                num_sampled: k,
                seed,
                reduction,
                ..Default::default()
            };
            sampled_softmax_loss(&p.inputs, &p.weights, &p.labels, &options).unwrap()
        };
        let (none, sum, mean) = (run(Reduction::None), run(Reduction::Sum), run(Reduction::Mean));
        let total: f64 = none.value.iter().sum();
        let n = p.labels.len() as f64;
        prop_assert!((sum.scalar().unwrap() - total).abs() <= 1e-12 * (1.0 + total.abs()));
        prop_assert!((mean.scalar().unwrap() - total / n).abs() <= 1e-12 * (1.0 + total.abs()));
        // Cross-entropy with the true class among the columns is never negative.
        for v in &none.value {
            prop_assert!(*v >= 0.0, "negative loss {v}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Error paths

fn error_of(
    inputs: &ArrayD<f64>,
    weights: &ArrayD<f64>,
    labels: &ArrayD<i64>,
    options: &SampledSoftmaxOptions<'_, f64>,
) -> LossError {
    sampled_softmax_loss(inputs, weights, labels, options).expect_err("an error, not a value")
}

fn shape_arg(error: &LossError) -> &'static str {
    match error {
        LossError::Shape { loss, arg, .. } => {
            assert_eq!(*loss, "sampled_softmax_loss");
            arg
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
}

#[test]
fn every_error_path_returns_the_right_error() {
    let x = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
    let w = ArrayD::<f64>::zeros(IxDyn(&[10, 3]));
    let y = ArrayD::from_shape_vec(IxDyn(&[2]), vec![1_i64, 9]).unwrap();
    let ok = SampledSoftmaxOptions::<f64> {
        num_sampled: 4,
        ..Default::default()
    };
    assert!(sampled_softmax_loss(&x, &w, &y, &ok).is_ok());

    let zeros = |shape: &[usize]| ArrayD::<f64>::zeros(IxDyn(shape));
    assert_eq!(shape_arg(&error_of(&zeros(&[6]), &w, &y, &ok)), "inputs");
    assert_eq!(
        shape_arg(&error_of(&zeros(&[2, 3, 1]), &w, &y, &ok)),
        "inputs"
    );
    assert_eq!(shape_arg(&error_of(&x, &zeros(&[10]), &y, &ok)), "weights");
    assert_eq!(
        shape_arg(&error_of(&x, &zeros(&[10, 4]), &y, &ok)),
        "weights"
    );
    let empty_vocabulary = error_of(&x, &zeros(&[0, 3]), &y, &ok);
    assert_eq!(shape_arg(&empty_vocabulary), "weights");
    assert!(
        empty_vocabulary.to_string().contains("V >= 1"),
        "{empty_vocabulary}"
    );

    let labels =
        |shape: &[usize], data: Vec<i64>| ArrayD::from_shape_vec(IxDyn(shape), data).unwrap();
    assert_eq!(
        shape_arg(&error_of(&x, &w, &labels(&[2, 1], vec![1, 2]), &ok)),
        "labels"
    );
    assert_eq!(
        shape_arg(&error_of(&x, &w, &labels(&[3], vec![1, 2, 3]), &ok)),
        "labels"
    );
    for bad in [-1_i64, 10, i64::MIN] {
        match error_of(&x, &w, &labels(&[2], vec![0, bad]), &ok) {
            LossError::ClassIndex {
                loss,
                arg,
                position,
                value,
                classes,
                ignore_index,
            } => {
                assert_eq!((loss, arg), ("sampled_softmax_loss", "labels"));
                assert_eq!(
                    (position, value, classes, ignore_index),
                    (vec![1], bad, 10, None)
                );
            }
            other => panic!("expected a class-index error, got {other:?}"),
        }
    }

    let short_biases = Array1::<f64>::zeros(9);
    let with_biases = SampledSoftmaxOptions {
        biases: Some(short_biases.view()),
        ..ok.clone()
    };
    assert_eq!(shape_arg(&error_of(&x, &w, &y, &with_biases)), "biases");

    for (num_sampled, unique) in [(0, true), (0, false), (11, true)] {
        let options = SampledSoftmaxOptions {
            num_sampled,
            unique,
            ..ok.clone()
        };
        match error_of(&x, &w, &y, &options) {
            LossError::Parameter { loss, param, .. } => {
                assert_eq!((loss, param), ("sampled_softmax_loss", "num_sampled"));
            }
            other => panic!("expected a parameter error, got {other:?}"),
        }
    }
    // With replacement, more candidates than classes is fine.
    let options = SampledSoftmaxOptions {
        num_sampled: 25,
        unique: false,
        ..ok.clone()
    };
    assert!(sampled_softmax_loss(&x, &w, &y, &options).is_ok());

    let upstream = zeros(&[3]);
    for reduction in [Reduction::None, Reduction::Mean, Reduction::Sum] {
        let options = SampledSoftmaxOptions {
            reduction,
            grad_output: Some(upstream.view()),
            ..ok.clone()
        };
        assert_eq!(shape_arg(&error_of(&x, &w, &y, &options)), "grad_output");
    }

    match sample_candidates(Sampler::Uniform, 10, 3, true, 0, &[2, 10]) {
        Err(LossError::ClassIndex { arg, position, .. }) => {
            assert_eq!((arg, position), ("true_classes", vec![1]));
        }
        other => panic!("expected a class-index error, got {other:?}"),
    }
    assert!(matches!(
        sample_candidates(Sampler::LogUniform, 0, 1, false, 0, &[]),
        Err(LossError::Parameter {
            param: "num_classes",
            ..
        })
    ));
}

#[test]
fn empty_batch_follows_cross_entropy() {
    let x = Array2::<f64>::zeros((0, 3));
    let w = Array2::<f64>::ones((10, 3));
    let y = Array1::<i64>::zeros(0);
    let options = SampledSoftmaxOptions {
        num_sampled: 3,
        ..Default::default()
    };
    let mean = sampled_softmax_loss(&x, &w, &y, &options).unwrap();
    assert!(mean.scalar().unwrap().is_nan()); // 0 / 0, as PyTorch's mean over nothing
    let sum = sampled_softmax_loss(
        &x,
        &w,
        &y,
        &SampledSoftmaxOptions {
            reduction: Reduction::Sum,
            ..options
        },
    )
    .unwrap();
    assert_eq!(sum.scalar(), Some(0.0));
    assert_eq!(mean.grad.inputs.dim(), (0, 3));
}
