//! `exp`, `ln`, `log1p`, sigmoid and friends as branch-free scalar code that vectorises.
//!
//! Each function is `#[inline(always)]` so that it is compiled inside the `#[target_feature]`
//! wrapper that runs the kernel, where a loop over 16 lanes becomes AVX-512 or AVX2
//! instructions. Accuracy: a few ulp over the whole range (checked against `std` in the tests
//! below); NaN propagates, `exp(-inf) = 0`, `exp(+inf) = inf`.

use super::backend::Isa;
use super::float::{Float, abs, fmadd, min};

/// `e^x`. Results below the smallest normal number are flushed to 0.
#[inline(always)]
pub(crate) fn exp<I: Isa, F: Float>(x: F) -> F {
    // Clamp by comparisons that let NaN through.
    let xc = if x > F::c(F::EXP_HI) {
        F::c(F::EXP_HI)
    } else {
        x
    };
    let xc = if xc < F::c(F::EXP_LO) {
        F::c(F::EXP_LO)
    } else {
        xc
    };
    let (p, t) = exp_parts::<I, F>(xc);
    // 2^n as 2^(n-1) * 2 keeps n = 128 (f32) finite until the product overflows for real.
    let y = p * F::pow2_minus_one(t) * F::c(2.0);
    if x < F::c(F::EXP_LO) { F::c(0.0) } else { y }
}

/// `e^x` for `x <= 0` (softmax terms `x - max`), the hot path of cross-entropy: the scaling by
/// `2^n` is an integer add to the exponent bits, which cannot overflow here. `x` must not be
/// NaN (the result would be arbitrary); the cross-entropy kernel checks rows for NaN.
#[inline(always)]
pub(crate) fn exp_nonpositive<I: Isa, F: Float>(x: F) -> F {
    let below = x < F::c(F::EXP_LO);
    let xc = if below { F::c(F::EXP_LO) } else { x };
    let (p, t) = exp_parts::<I, F>(xc);
    if below {
        F::c(0.0)
    } else {
        F::scale_exponent(p, t)
    }
}

/// `(e^r, n + ROUND_MAGIC)` with `x = n ln2 + r`, `|r| <= ln2 / 2`.
#[inline(always)]
fn exp_parts<I: Isa, F: Float>(x: F) -> (F, F) {
    // Cody-Waite: the high part of n ln2 is exact.
    let t = fmadd::<I, F>(x, F::c(std::f64::consts::LOG2_E), F::c(F::ROUND_MAGIC));
    let n = t - F::c(F::ROUND_MAGIC);
    let r = fmadd::<I, F>(-n, F::c(F::LN2_HI), x);
    let r = fmadd::<I, F>(-n, F::c(F::LN2_LO), r);
    let coeffs = F::EXP_POLY;
    let mut p = F::c(coeffs[coeffs.len() - 1]);
    for &k in coeffs[..coeffs.len() - 1].iter().rev() {
        p = fmadd::<I, F>(p, r, F::c(k));
    }
    (p, t)
}

/// `ln(x)` for any positive normal `x`; `ln(0) = -inf`, negative or NaN `x` give NaN.
#[inline(always)]
pub(crate) fn ln<I: Isa, F: Float>(x: F) -> F {
    let (m, e) = F::frexp1(x);
    // Bring m into [sqrt(1/2), sqrt(2)) so that s = (m - 1) / (m + 1) is small.
    let big = m > F::c(std::f64::consts::SQRT_2);
    let m = if big { m * F::c(0.5) } else { m };
    let e = if big { e + F::c(1.0) } else { e };
    let s = (m - F::c(1.0)) / (m + F::c(1.0));
    let s2 = s * s;
    // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)
    let mut p = F::c(1.0 / (2 * F::LOG_TERMS + 1) as f64);
    for k in (0..F::LOG_TERMS).rev() {
        p = fmadd::<I, F>(p, s2, F::c(1.0 / (2 * k + 1) as f64));
    }
    let y = fmadd::<I, F>(
        e,
        F::c(F::LN2_HI),
        fmadd::<I, F>(e, F::c(F::LN2_LO), F::c(2.0) * s * p),
    );
    if x > F::c(0.0) {
        y
    } else if x == F::c(0.0) {
        F::c(f64::NEG_INFINITY)
    } else {
        x * F::c(f64::NAN)
    }
}

/// `ln(1 + u)` for `u` in `[0, 1]`, accurate for tiny `u` (the rounding of `1 + u` is undone).
#[inline(always)]
pub(crate) fn log1p_unit<I: Isa, F: Float>(u: F) -> F {
    let w = u + F::c(1.0);
    // ln(w) + (u - (w - 1)) / w: the correction term recovers the bits lost in w.
    ln::<I, F>(w) + (u - (w - F::c(1.0))) / w
}

/// `ln(sigmoid(x)) = min(x, 0) - ln(1 + e^-|x|)`, PyTorch's formulation.
#[inline(always)]
pub(crate) fn log_sigmoid<I: Isa, F: Float>(x: F) -> F {
    min(x, F::c(0.0)) - log1p_unit::<I, F>(exp::<I, F>(-abs(x)))
}

/// `(sigmoid(x), log_sigmoid(x))` from one `exp(-|x|)` and one division: what the logit losses
/// need per element, at half the cost of computing the two separately. Agrees with
/// [`sigmoid`] and [`log_sigmoid`] to an ulp or two.
#[inline(always)]
pub(crate) fn sigmoid_and_log_sigmoid<I: Isa, F: Float>(x: F) -> (F, F) {
    let e = exp::<I, F>(-abs(x));
    let w = F::c(1.0) + e;
    let inv = F::c(1.0) / w;
    // sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below; NaN takes the second branch.
    let p = if x >= F::c(0.0) { inv } else { e * inv };
    // log1p(e) = ln(w) + (e - (w - 1)) / w, the division shared with the sigmoid.
    let log1p = ln::<I, F>(w) + (e - (w - F::c(1.0))) * inv;
    (p, min(x, F::c(0.0)) - log1p)
}

/// `1 / (1 + e^-x)`, PyTorch's formulation (the reference for [`sigmoid_and_log_sigmoid`]).
#[cfg(test)]
#[inline(always)]
pub(crate) fn sigmoid<I: Isa, F: Float>(x: F) -> F {
    F::c(1.0) / (F::c(1.0) + exp::<I, F>(-x))
}

/// `base^gamma` for `base >= 0` and `gamma != 0` (PyTorch `pow`), branch-free: `0^gamma` is 0
/// for `gamma > 0` and `inf` below (through `ln 0 = -inf`); a negative base gives NaN. Bases
/// are 0 or at least the smallest normal number (the focal losses' `1 - p_t`).
#[inline(always)]
pub(crate) fn pow_positive<I: Isa, F: Float>(base: F, gamma: F) -> F {
    exp::<I, F>(gamma * ln::<I, F>(base))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::backend::{Baseline, X86Fma};

    fn ulps_f32(a: f32, b: f32) -> u32 {
        if a == b {
            return 0;
        }
        a.to_bits().abs_diff(b.to_bits())
    }

    fn ulps_f64(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        a.to_bits().abs_diff(b.to_bits())
    }

    /// Evenly spread test points over `[lo, hi]`.
    fn grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..=n).map(move |i| lo + (hi - lo) * i as f64 / n as f64)
    }

    // `X86Fma` only decides whether `mul_add` is used; off x86 (or without FMA hardware) it is
    // a correct but slow library call, so these tests run everywhere.

    #[test]
    fn exp_f32_is_within_a_few_ulp() {
        for (isa, worst) in [
            (
                "baseline",
                grid(-86.0, 88.7, 200_000)
                    .map(|x| ulps_f32(exp::<Baseline, f32>(x as f32), (x as f32).exp()))
                    .max(),
            ),
            (
                "fma",
                grid(-86.0, 88.7, 200_000)
                    .map(|x| ulps_f32(exp::<X86Fma, f32>(x as f32), (x as f32).exp()))
                    .max(),
            ),
        ] {
            let worst = worst.unwrap();
            assert!(worst <= 2, "{isa}: worst exp f32 error {worst} ulp");
        }
    }

    #[test]
    fn exp_f64_is_within_a_few_ulp() {
        for (isa, worst) in [
            (
                "baseline",
                grid(-707.0, 709.7, 200_000)
                    .map(|x| ulps_f64(exp::<Baseline, f64>(x), x.exp()))
                    .max(),
            ),
            (
                "fma",
                grid(-707.0, 709.7, 200_000)
                    .map(|x| ulps_f64(exp::<X86Fma, f64>(x), x.exp()))
                    .max(),
            ),
        ] {
            let worst = worst.unwrap();
            assert!(worst <= 2, "{isa}: worst exp f64 error {worst} ulp");
        }
    }

    #[test]
    fn exp_nonpositive_agrees_with_exp() {
        for x in grid(-100.0, 0.0, 100_000) {
            let x = x as f32;
            assert_eq!(
                exp_nonpositive::<Baseline, f32>(x),
                exp::<Baseline, f32>(x),
                "{x}"
            );
            assert_eq!(
                exp_nonpositive::<X86Fma, f32>(x),
                exp::<X86Fma, f32>(x),
                "{x}"
            );
        }
        assert_eq!(exp_nonpositive::<Baseline, f32>(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpositive::<Baseline, f64>(-800.0), 0.0);
    }

    #[test]
    fn exp_edges() {
        assert_eq!(exp::<Baseline, _>(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp::<Baseline, _>(-1000.0_f32), 0.0);
        assert_eq!(exp::<Baseline, _>(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp::<Baseline, _>(89.0_f32), f32::INFINITY);
        assert!(exp::<Baseline, _>(88.72_f32).is_finite());
        assert!(exp::<Baseline, _>(f32::NAN).is_nan());
        assert_eq!(exp::<Baseline, _>(0.0_f32), 1.0);
        assert_eq!(exp::<Baseline, _>(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp::<Baseline, _>(710.0_f64), f64::INFINITY);
        assert!(exp::<Baseline, _>(f64::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_a_few_ulp() {
        let worst32 = grid(-30.0, 30.0, 100_000)
            .map(|e| {
                let x = (e as f32).exp();
                ulps_f32(ln::<Baseline, _>(x), x.ln())
            })
            .max()
            .unwrap();
        assert!(worst32 <= 2, "worst ln f32 error {worst32} ulp");
        let worst64 = grid(-300.0, 300.0, 100_000)
            .map(|e| {
                let x = e.exp();
                ulps_f64(ln::<Baseline, _>(x), x.ln())
            })
            .max()
            .unwrap();
        assert!(worst64 <= 2, "worst ln f64 error {worst64} ulp");
        assert_eq!(ln::<Baseline, _>(0.0_f32), f32::NEG_INFINITY);
        assert!(ln::<Baseline, _>(-1.0_f32).is_nan());
        assert!(ln::<Baseline, _>(f32::NAN).is_nan());
    }

    #[test]
    fn log1p_unit_keeps_tiny_arguments() {
        for u in [1e-30_f64, 1e-12, 1e-7, 0.3, 1.0] {
            let (a, b) = (log1p_unit::<Baseline, _>(u), u.ln_1p());
            assert!(ulps_f64(a, b) <= 2, "log1p({u}) = {a}, std {b}");
            let (a, b) = (log1p_unit::<Baseline, _>(u as f32), (u as f32).ln_1p());
            assert!(ulps_f32(a, b) <= 2, "log1p({u}) = {a}, std {b}");
        }
    }

    #[test]
    fn sigmoid_family_matches_std() {
        for x in grid(-50.0, 50.0, 10_000) {
            let s = 1.0 / (1.0 + (-x).exp());
            assert!((sigmoid::<Baseline, _>(x) - s).abs() <= 4.0 * f64::EPSILON * s);
            let ls = x.min(0.0) - (-x.abs()).exp().ln_1p();
            let (p, l) = sigmoid_and_log_sigmoid::<Baseline, _>(x);
            assert!((p - s).abs() <= 4.0 * f64::EPSILON * s, "sigmoid({x})");
            assert!(
                (l - ls).abs() <= 4.0 * f64::EPSILON * ls.abs().max(1e-300),
                "log_sigmoid({x})"
            );
            assert!(
                (log_sigmoid::<Baseline, _>(x) - ls).abs()
                    <= 4.0 * f64::EPSILON * ls.abs().max(1e-300)
            );
        }
        assert_eq!(pow_positive::<Baseline, _>(0.0_f32, 0.5), 0.0);
        assert_eq!(pow_positive::<Baseline, _>(0.0_f32, -0.5), f32::INFINITY);
        assert!((pow_positive::<Baseline, _>(3.0_f32, 2.0) - 9.0).abs() < 4e-6);
        assert!((pow_positive::<Baseline, _>(2.0_f64, 0.5) - 2.0_f64.sqrt()).abs() < 1e-15);
        assert!(pow_positive::<Baseline, _>(-1.0_f64, 0.5).is_nan());
    }
}
