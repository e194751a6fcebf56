//! Cross-entropy over rows of logits in one streaming pass per row.
//!
//! A row is read in blocks. Each block's maximum is found in L1, the running maximum `M` is
//! raised if needed (rescaling the running sum once per block, not per element), and
//! `e_j = exp(x_j - M_block)` is computed once and stored where the gradient goes. A second
//! sweep over that row, still in cache, turns `e_j` into the gradient with one multiply (and,
//! for label smoothing or soft targets, one more term). Logits are read once from memory and the
//! gradient written once, with one `exp` per element; class weights, the ignore index, label
//! smoothing and the upstream gradient are per-row scalars.

use super::backend::Isa;
use super::float::{Float, max};
use super::lanes::{LANES, hmax, hsum, hsum_wide, load, load_tail, store, store_tail};
use super::vmath::exp_nonpositive;

/// Preferred block length: 1 KiB of `f32`, which stays in L1 from the max pass to the exp pass.
const BLOCK: usize = 256;
/// How many blocks ahead the `exp` pass prefetches: far enough to cover memory latency while
/// a block is computed.
const PREFETCH_BLOCKS: usize = 4;
/// Block maxima are kept on the stack; longer rows use longer blocks.
const MAX_BLOCKS: usize = 512;

/// The parameters every row of one call shares.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowSpec<'a, F> {
    pub(crate) classes: usize,
    /// One weight per class.
    pub(crate) weight: Option<&'a [F]>,
    /// `sum_c w[c]` (or `C` without weights).
    pub(crate) weight_total: f64,
    /// `eps` of label smoothing.
    pub(crate) smoothing: f64,
}

impl<F: Float> RowSpec<'_, F> {
    fn block_len(&self) -> usize {
        let needed = self.classes.div_ceil(MAX_BLOCKS).next_multiple_of(LANES);
        needed.max(BLOCK)
    }

    #[inline(always)]
    fn w(&self, c: usize) -> f64 {
        self.weight.map_or(1.0, |w| w[c].wide())
    }
}

/// Running log-sum-exp state of one row.
struct Running {
    /// Maximum so far (`-inf` before the first finite block).
    max: f64,
    /// `sum exp(x - max)` so far.
    sum: f64,
    /// A NaN logit was seen: the row's loss and gradient are NaN.
    nan: bool,
}

impl Running {
    fn new() -> Running {
        Running {
            max: f64::NEG_INFINITY,
            sum: 0.0,
            nan: false,
        }
    }

    /// `(max, ln sum, dot)`, NaN for a row with a NaN logit.
    fn finish(&self, dot: f64) -> (f64, f64, f64) {
        if self.nan {
            (f64::NAN, f64::NAN, dot)
        } else {
            (self.max, self.sum.ln(), dot)
        }
    }

    /// Raises the running maximum to include `block_max` and returns the new maximum.
    #[inline(always)]
    fn raise(&mut self, block_max: f64) -> f64 {
        // `>=` keeps a NaN block maximum (it then poisons the sum, as it must).
        let new = if self.max >= block_max {
            self.max
        } else {
            block_max
        };
        if new != self.max && self.sum != 0.0 {
            self.sum *= (self.max - new).exp();
        }
        self.max = new;
        new
    }
}

/// What the max pass also sums (for label smoothing): nothing, `sum x` or `sum w x`.
///
/// Public only because `Float` (a supertrait of the sealed `Real`) mentions it; not nameable
/// outside the crate.
#[allow(unreachable_pub)]
#[derive(Clone, Copy, Debug)]
pub enum DotWith<'a, F> {
    Off,
    Ones,
    Weights(&'a [F]),
}

impl<'a, F> DotWith<'a, F> {
    /// The part of the weights for elements `start..end`.
    fn block(self, start: usize, end: usize) -> DotWith<'a, F> {
        match self {
            DotWith::Weights(w) => DotWith::Weights(&w[start..end]),
            other => other,
        }
    }
}

/// Maximum of a block, whether it holds a NaN, and the requested dot product.
///
/// This pass streams the block in from memory, so the extra work is hidden behind the load;
/// doing the smoothing dot product here instead of in a pass of its own saves a whole read of
/// the logits. The NaN test lets the `exp` pass skip NaN handling (a NaN logit would otherwise
/// come out of the exponent-bit arithmetic as an arbitrary number): `x - x` is 0 for finite
/// `x` and NaN for NaN and infinities; only when that sum is NaN is the block scanned.
#[inline(always)]
pub(crate) fn block_max<F: Float>(x: &[F], dot: DotWith<'_, F>) -> (F, bool, f64) {
    let mut acc = [F::c(f64::NEG_INFINITY); LANES];
    let mut finite = [F::c(0.0); LANES];
    let chunks = x.len() / LANES;
    for k in 0..chunks {
        let v = load(x, k * LANES);
        for j in 0..LANES {
            acc[j] = max(acc[j], v[j]);
            #[allow(clippy::eq_op)] // 0 for finite values, NaN otherwise
            let probe = v[j] - v[j];
            finite[j] = finite[j] + probe;
        }
    }
    if chunks * LANES < x.len() {
        let v = load_tail(x, chunks * LANES, F::c(f64::NEG_INFINITY));
        for j in 0..LANES {
            acc[j] = max(acc[j], v[j]);
        }
    }
    let tail = &x[chunks * LANES..];
    #[allow(clippy::eq_op)] // the NaN test
    let suspect = hsum(finite) != F::c(0.0) || tail.iter().any(|&v| v != v);
    #[allow(clippy::eq_op)]
    let nan = suspect && x.iter().any(|&v| v != v);
    let dot = match dot {
        DotWith::Off => 0.0,
        DotWith::Ones => dot_wide(x, None, None),
        DotWith::Weights(w) => dot_wide(x, Some(w), None),
    };
    (hmax(acc), nan, dot)
}

/// `sum_j exp(x_j - m)` over a block, storing each term in `out` when given.
///
/// With `x == None` the block is read from `out` and overwritten (in place): each chunk is
/// loaded before the same chunk is stored.
#[inline(always)]
pub(crate) fn block_exp_sum<I: Isa, F: Float>(
    x: Option<&[F]>,
    m: F,
    mut out: Option<&mut [F]>,
    ahead: usize,
) -> f64 {
    let mut acc = [F::c(0.0); LANES];
    let len = x.map_or_else(|| out.as_deref().map_or(0, <[F]>::len), <[F]>::len);
    let chunks = len / LANES;
    let exps = |v: [F; LANES], acc: &mut [F; LANES]| {
        let mut e = [F::c(0.0); LANES];
        for j in 0..LANES {
            e[j] = exp_nonpositive::<I, F>(v[j] - m);
            acc[j] = acc[j] + e[j];
        }
        e
    };
    for k in 0..chunks {
        let i = k * LANES;
        let v = match (x, out.as_deref()) {
            (Some(x), _) => {
                // The next block streams in from memory while this one is computed.
                I::prefetch(x.as_ptr().wrapping_add(i + ahead));
                load(x, i)
            }
            (None, Some(o)) => {
                I::prefetch(o.as_ptr().wrapping_add(i + ahead));
                load(o, i)
            }
            (None, None) => return 0.0,
        };
        let e = exps(v, &mut acc);
        if let Some(out) = out.as_deref_mut() {
            store(out, i, &e);
        }
    }
    let i = chunks * LANES;
    if i < len {
        // Padding with -inf adds exp(-inf) = 0.
        let pad = F::c(f64::NEG_INFINITY);
        let v = match (x, out.as_deref()) {
            (Some(x), _) => load_tail(x, i, pad),
            (None, Some(o)) => load_tail(o, i, pad),
            (None, None) => return 0.0,
        };
        let e = exps(v, &mut acc);
        if let Some(out) = &mut out {
            store_tail(out, i, &e);
        }
    }
    hsum(acc).wide()
}

/// `sum_j a_j * b_j * c_j` in `f64` lanes (`None` factors are ones).
#[inline(always)]
fn dot_wide<F: Float>(a: &[F], b: Option<&[F]>, c: Option<&[F]>) -> f64 {
    let mut acc = [0.0_f64; LANES];
    let ones = [F::c(1.0); LANES];
    let mut add = |va: [F; LANES], vb: [F; LANES], vc: [F; LANES]| {
        for j in 0..LANES {
            acc[j] += va[j].wide() * vb[j].wide() * vc[j].wide();
        }
    };
    let chunks = a.len() / LANES;
    for k in 0..chunks {
        let i = k * LANES;
        add(
            load(a, i),
            b.map_or(ones, |b| load(b, i)),
            c.map_or(ones, |c| load(c, i)),
        );
    }
    let i = chunks * LANES;
    if i < a.len() {
        let zero = F::c(0.0);
        add(
            load_tail(a, i, zero),
            b.map_or(ones, |b| load_tail(b, i, zero)),
            c.map_or(ones, |c| load_tail(c, i, zero)),
        );
    }
    hsum_wide(acc)
}

/// `(max, ln sum exp(x - max))` of a row without writing anything: the forward-only pass.
#[inline(always)]
pub(crate) fn row_log_sum_exp<I: Isa, F: Float>(
    x: &[F],
    block: usize,
    dot: DotWith<'_, F>,
) -> (f64, f64, f64) {
    let mut run = Running::new();
    let mut dot_total = 0.0;
    for (b, xb) in x.chunks(block).enumerate() {
        let (bm, nan, d) = I::block_max(xb, dot.block(b * block, b * block + xb.len()));
        dot_total += d;
        run.nan |= nan;
        let bm = bm.wide();
        if nan || bm == f64::NEG_INFINITY {
            continue;
        }
        let m = run.raise(bm);
        run.sum += I::block_exp_sum(Some(xb), F::c(m), None, PREFETCH_BLOCKS * block);
    }
    run.finish(dot_total)
}

/// Pass 1 of a row with a gradient: stores `exp(x_j - M_b)` in `out`, returns `(M, ln S)`
/// and leaves each block's `M_b` in `block_maxes`.
///
/// `x` is `None` when the logits are in `out` already (in place).
#[inline(always)]
fn row_exps<I: Isa, F: Float>(
    x: Option<&[F]>,
    out: &mut [F],
    block: usize,
    block_maxes: &mut [f64; MAX_BLOCKS],
    dot: DotWith<'_, F>,
) -> (f64, f64, f64) {
    let mut run = Running::new();
    let mut dot_total = 0.0;
    for (b, start) in (0..out.len()).step_by(block).enumerate() {
        let end = (start + block).min(out.len());
        let (bm, nan, d) = match x {
            Some(x) => I::block_max(&x[start..end], dot.block(start, end)),
            None => I::block_max(&out[start..end], dot.block(start, end)),
        };
        dot_total += d;
        run.nan |= nan;
        let bm = bm.wide();
        if nan || bm == f64::NEG_INFINITY {
            out[start..end].fill(F::c(0.0));
            block_maxes[b] = f64::NEG_INFINITY;
            continue;
        }
        let m = run.raise(bm);
        block_maxes[b] = m;
        run.sum += I::block_exp_sum(
            x.map(|x| &x[start..end]),
            F::c(m),
            Some(&mut out[start..end]),
            PREFETCH_BLOCKS * block,
        );
    }
    run.finish(dot_total)
}

/// Pass 2: `out_j = e_j * scale_b - offset * w_j` with `scale_b = a * exp(M_b - M) / S`.
#[inline(always)]
fn row_finish<F: Float>(
    out: &mut [F],
    block: usize,
    block_maxes: &[f64; MAX_BLOCKS],
    (max, ln_sum): (f64, f64),
    a: f64,
    offset: Option<(f64, Option<&[F]>)>,
) {
    for (b, start) in (0..out.len()).step_by(block).enumerate() {
        let end = (start + block).min(out.len());
        let scale = F::c(a * (block_maxes[b] - max - ln_sum).exp());
        let out = &mut out[start..end];
        match offset {
            None => {
                for v in out.iter_mut() {
                    *v = *v * scale;
                }
            }
            Some((off, None)) => {
                let off = F::c(off);
                for v in out.iter_mut() {
                    *v = *v * scale - off;
                }
            }
            Some((off, Some(w))) => {
                let off = F::c(off);
                for (v, &w) in out.iter_mut().zip(&w[start..end]) {
                    *v = *v * scale - off * w;
                }
            }
        }
    }
}

/// Hard-target row: the weighted, smoothed loss `l_n` of the row and, when `out` is given, its
/// gradient times `g` written into `out`.
///
/// `x` is `None` when the logits are in `out` (in place). `t` is a valid class.
#[inline(always)]
pub(crate) fn hard_row<I: Isa, F: Float>(
    spec: &RowSpec<'_, F>,
    x: Option<&[F]>,
    out: Option<&mut [F]>,
    t: usize,
    g: f64,
) -> f64 {
    let eps = spec.smoothing;
    let classes = spec.classes as f64;
    let block = spec.block_len();
    let logits = |out: &Option<&mut [F]>| -> F {
        match (x, out) {
            (Some(x), _) => x[t],
            (None, Some(o)) => o[t],
            (None, None) => unreachable!("a row needs its logits"),
        }
    };
    let x_t = logits(&out).wide();
    let w_t = spec.w(t);
    // sum_c w_c x_c, read before an in-place pass overwrites the logits.
    // sum_c w_c x_c, summed in the max pass (before an in-place pass overwrites the logits).
    let dot_with = match (eps > 0.0, spec.weight) {
        (false, _) => DotWith::Off,
        (true, None) => DotWith::Ones,
        (true, Some(w)) => DotWith::Weights(w),
    };
    let (max, ln_sum, dot) = match out {
        None => row_log_sum_exp::<I, F>(x.unwrap_or_default(), block, dot_with),
        Some(out) => {
            let mut block_maxes = [0.0_f64; MAX_BLOCKS];
            let (max, ln_sum, dot) = row_exps::<I, F>(x, out, block, &mut block_maxes, dot_with);
            let stats = (max, ln_sum);
            let a = g * ((1.0 - eps) * w_t + eps * spec.weight_total / classes);
            let offset = (eps > 0.0).then_some((g * eps / classes, spec.weight));
            row_finish(out, block, &block_maxes, stats, a, offset);
            out[t] = out[t] - F::c(g * (1.0 - eps) * w_t);
            (max, ln_sum, dot)
        }
    };
    // -log p_t = (M - x_t) + ln S, PyTorch's order, exact in f64 for f32 logits.
    let nll = w_t * ((max - x_t) + ln_sum);
    if eps > 0.0 {
        let smooth = spec.weight_total * (max + ln_sum) - dot;
        (1.0 - eps) * nll + eps / classes * smooth
    } else {
        nll
    }
}

/// Soft-target row (`target` holds class probabilities): the loss `l_n`, and when asked the
/// input gradient (into `grad_input`) and the target gradient (into `grad_target`), times `g`.
#[inline(always)]
pub(crate) fn soft_row<I: Isa, F: Float>(
    spec: &RowSpec<'_, F>,
    x: &[F],
    target: &[F],
    grad_input: Option<&mut [F]>,
    grad_target: Option<&mut [F]>,
    g: f64,
) -> f64 {
    let eps = spec.smoothing;
    let uniform = eps / spec.classes as f64;
    let block = spec.block_len();
    // mass = sum_c w_c t'_c and sum_c w_c t'_c x_c, with t' = (1 - eps) t + eps / C.
    let t_w = dot_wide(target, spec.weight, None);
    let mass = (1.0 - eps) * t_w + uniform * spec.weight_total;
    let txw = (1.0 - eps) * dot_wide(x, Some(target), spec.weight)
        + uniform * dot_wide(x, spec.weight, None);
    let (max, ln_sum, _) = match grad_input {
        None => row_log_sum_exp::<I, F>(x, block, DotWith::Off),
        Some(out) => {
            let mut block_maxes = [0.0_f64; MAX_BLOCKS];
            let stats = row_exps::<I, F>(Some(x), out, block, &mut block_maxes, DotWith::Off);
            row_finish(out, block, &block_maxes, (stats.0, stats.1), g * mass, None);
            // - g * w_j t'_j
            let (keep, add) = (F::c(g * (1.0 - eps)), F::c(g * uniform));
            for (c, (v, &t)) in out.iter_mut().zip(target).enumerate() {
                let w = F::c(spec.w(c));
                *v = *v - (keep * t + add) * w;
            }
            stats
        }
    };
    if let Some(gt) = grad_target {
        // d l / d t_j = -(1 - eps) w_j log p_j, log p_j = (x_j - M) - ln S
        let (m, ls, k) = (F::c(max), F::c(ln_sum), F::c(-g * (1.0 - eps)));
        for (c, (v, &xc)) in gt.iter_mut().zip(x).enumerate() {
            *v = k * F::c(spec.w(c)) * ((xc - m) - ls);
        }
    }
    mass * (max + ln_sum) - txw
}
