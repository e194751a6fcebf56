//! Fixed-width lane arrays: the shape LLVM turns into vector registers.

use super::float::{Float, max};

/// Elements per lane array: one AVX-512 register of `f32`, two of AVX2.
pub(crate) const LANES: usize = 16;

/// Loads `LANES` elements starting at `i`.
#[inline(always)]
pub(crate) fn load<F: Float>(data: &[F], i: usize) -> [F; LANES] {
    let mut out = [F::c(0.0); LANES];
    out.copy_from_slice(&data[i..i + LANES]);
    out
}

/// Loads the `data.len() - i < LANES` elements from `i` on, padding with `fill`.
///
/// Tails go through the same lane code as full chunks, with a neutral `fill`: indexing an
/// accumulator with a run-time lane number would force it out of registers.
#[inline(always)]
pub(crate) fn load_tail<F: Float>(data: &[F], i: usize, fill: F) -> [F; LANES] {
    let mut out = [fill; LANES];
    let rest = &data[i..];
    out[..rest.len()].copy_from_slice(rest);
    out
}

/// Stores the first `data.len() - i` lanes of `v` from `i` on.
#[inline(always)]
pub(crate) fn store_tail<F: Float>(data: &mut [F], i: usize, v: &[F; LANES]) {
    let rest = &mut data[i..];
    let n = rest.len();
    rest.copy_from_slice(&v[..n]);
}

/// Stores `LANES` elements starting at `i`.
#[inline(always)]
pub(crate) fn store<F: Float>(data: &mut [F], i: usize, v: &[F; LANES]) {
    data[i..i + LANES].copy_from_slice(v);
}

/// Sum of the lanes, in a fixed pairwise order.
#[inline(always)]
pub(crate) fn hsum<F: Float>(v: [F; LANES]) -> F {
    let mut v = v;
    let mut width = LANES / 2;
    while width > 0 {
        for j in 0..width {
            v[j] = v[j] + v[j + width];
        }
        width /= 2;
    }
    v[0]
}

/// Sum of `f64` lanes, in the same fixed pairwise order.
#[inline(always)]
pub(crate) fn hsum_wide(v: [f64; LANES]) -> f64 {
    let mut v = v;
    let mut width = LANES / 2;
    while width > 0 {
        for j in 0..width {
            v[j] += v[j + width];
        }
        width /= 2;
    }
    v[0]
}

/// Maximum of the lanes. A NaN may be dropped here; callers rely on it reaching their sums.
#[inline(always)]
pub(crate) fn hmax<F: Float>(v: [F; LANES]) -> F {
    let mut v = v;
    let mut width = LANES / 2;
    while width > 0 {
        for j in 0..width {
            v[j] = max(v[j], v[j + width]);
        }
        width /= 2;
    }
    v[0]
}
