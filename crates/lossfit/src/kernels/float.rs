//! The element types the kernels run on (`f32`, `f64`): arithmetic plus the bit-level pieces of
//! `exp` and `ln` that differ between the two formats.
//!
//! Everything here is plain scalar code that LLVM vectorises once a kernel is inlined into a
//! `#[target_feature]` function (see [`super::backend`]). Multiply-adds go through [`fmadd`],
//! fused where the instruction set has it.

use std::ops::{Add, Div, Mul, Neg, Sub};

#[cfg(not(target_arch = "x86_64"))]
use super::backend::Baseline;
use super::backend::Isa;
use super::softmax::DotWith;

/// Arithmetic and format constants of a kernel element type.
///
/// Public only so that it can be a supertrait of the sealed [`crate::Real`]; it is not
/// nameable outside the crate.
#[allow(unreachable_pub)]
pub trait Float:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Send
    + Sync
    + 'static
{
    /// Polynomial coefficients of `e^r` on `|r| <= ln(2)/2`, constant term first, accurate to
    /// the format's precision.
    const EXP_POLY: &'static [f64];
    /// Number of odd terms of `atanh` used by [`super::vmath::ln_unit`].
    const LOG_TERMS: usize;
    /// Largest argument whose `exp` is finite is below this; larger ones give `inf`.
    const EXP_HI: f64;
    /// Below this, `exp` returns 0 (the true result is subnormal).
    const EXP_LO: f64;
    /// `ln 2` split so that `n * LN2_HI` is exact for the exponents in range.
    const LN2_HI: f64;
    /// The rest of `ln 2`.
    const LN2_LO: f64;
    /// Adding and subtracting this rounds to an integer (1.5 * 2^mantissa bits).
    const ROUND_MAGIC: f64;

    /// Rounds an `f64` constant to this type.
    fn c(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn wide(self) -> f64;
    /// `2^(n - 1)` where `t = n + ROUND_MAGIC` (`n` an integer in the exponent range).
    fn pow2_minus_one(t: Self) -> Self;
    /// Splits a positive normal `x` into `(m, e)` with `x = m * 2^e`, `m` in `[1, 2)`.
    fn frexp1(x: Self) -> (Self, Self);
    /// `p * 2^n` where `t = n + ROUND_MAGIC`, by adding `n` to the exponent bits of `p` (exact
    /// while the result is normal; callers keep `n` in range).
    fn scale_exponent(p: Self, t: Self) -> Self;
    /// `self * a + b` with one rounding.
    fn fused(self, a: Self, b: Self) -> Self;
    /// The block maximum on the AVX-512 path (see `Isa::block_max`); same contract as below.
    fn block_max_avx512(x: &[Self], dot: DotWith<'_, Self>) -> (Self, bool, f64);
    /// The softmax block pass on the AVX-512 path (see `Isa::block_exp_sum`). Only called
    /// from code compiled for, and run on, AVX-512 CPUs.
    fn block_exp_sum_avx512(
        x: Option<&[Self]>,
        m: Self,
        out: Option<&mut [Self]>,
        ahead: usize,
    ) -> f64;
}

/// `a * b + c`: one fused instruction on FMA hardware, a multiply and an add elsewhere.
#[inline(always)]
pub(crate) fn fmadd<I: Isa, F: Float>(a: F, b: F, c: F) -> F {
    if I::FMA { a.fused(b, c) } else { a * b + c }
}

/// `if a > b { a } else { b }`: one `max` instruction; a NaN in `b` propagates, one in `a` is
/// dropped (callers put the running value in `a`).
#[inline(always)]
pub(crate) fn max<F: Float>(a: F, b: F) -> F {
    if a > b { a } else { b }
}

/// `if b < a { b } else { a }`: one `min` instruction; a NaN in `a` propagates.
#[inline(always)]
pub(crate) fn min<F: Float>(a: F, b: F) -> F {
    if b < a { b } else { a }
}

/// `|x|` (clears the sign; NaN stays NaN).
#[inline(always)]
pub(crate) fn abs<F: Float>(x: F) -> F {
    if x < F::c(0.0) { -x } else { x }
}

impl Float for f32 {
    // Near-minimax (Lawson-iterated least squares, relative error) degree 6 on
    // [-ln2/2, ln2/2]: 1.7e-8 relative, 0.3 ulp, before rounding.
    const EXP_POLY: &'static [f64] = &[
        1.0,
        1.0,
        0.499_999_910_593_032_84,
        0.166_664_198_040_962_22,
        0.041_668_225_079_774_86,
        0.008_374_815_806_746_483,
        0.001_383_684_575_557_708_7,
    ];
    // s^2 <= 0.0295 on [sqrt(1/2), sqrt(2)): 0.0295^5 / 11 = 2e-9.
    const LOG_TERMS: usize = 5;
    const EXP_HI: f64 = 88.8;
    const EXP_LO: f64 = -86.6;
    const LN2_HI: f64 = 0.693_359_375;
    const LN2_LO: f64 = -2.121_944_4e-4;
    const ROUND_MAGIC: f64 = 12_582_912.0;

    #[inline(always)]
    fn c(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn pow2_minus_one(t: Self) -> Self {
        // t = 1.5 * 2^23 + n has n in its low mantissa bits.
        let n = t.to_bits().cast_signed().wrapping_sub(0x4B40_0000);
        f32::from_bits((n + 126).cast_unsigned() << 23)
    }
    #[inline(always)]
    fn fused(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
    #[inline(always)]
    fn block_max_avx512(x: &[Self], dot: DotWith<'_, Self>) -> (Self, bool, f64) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: reached only through the AVX-512 backend (see the trait); weights, when
            // given, cover the block.
            #[allow(unsafe_code)]
            unsafe {
                super::avx512::block_max(x, dot)
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Baseline::block_max(x, dot)
    }
    #[inline(always)]
    fn block_exp_sum_avx512(
        x: Option<&[Self]>,
        m: Self,
        out: Option<&mut [Self]>,
        ahead: usize,
    ) -> f64 {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: this is reached only through the AVX-512 backend (see the trait); the
            // softmax pass passes equal-length blocks.
            #[allow(unsafe_code)]
            unsafe {
                super::avx512::block_exp_sum(x, m, out, ahead)
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Baseline::block_exp_sum(x, m, out, ahead)
    }
    #[inline(always)]
    fn scale_exponent(p: Self, t: Self) -> Self {
        // The magic's own bits shift out: (0x4B40_0000 + n) << 23 == n << 23 (mod 2^32).
        f32::from_bits(p.to_bits().wrapping_add(t.to_bits() << 23))
    }
    #[inline(always)]
    fn frexp1(x: Self) -> (Self, Self) {
        let bits = x.to_bits();
        let e = ((bits >> 23) & 0xff).cast_signed() - 127;
        let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
        (m, e as f32)
    }
}

impl Float for f64 {
    // 0.347^14 / 14! = 4.5e-18: below half an ulp of f64.
    const EXP_POLY: &'static [f64] = &[
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    // 0.0295^11 / 23 = 7e-19.
    const LOG_TERMS: usize = 11;
    const EXP_HI: f64 = 709.9;
    const EXP_LO: f64 = -707.7;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;

    #[inline(always)]
    fn c(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn pow2_minus_one(t: Self) -> Self {
        let n = t
            .to_bits()
            .cast_signed()
            .wrapping_sub(0x4338_0000_0000_0000);
        f64::from_bits((n + 1022).cast_unsigned() << 52)
    }
    #[inline(always)]
    fn fused(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
    #[inline(always)]
    fn block_max_avx512(x: &[Self], dot: DotWith<'_, Self>) -> (Self, bool, f64) {
        super::backend::X86Fma::block_max(x, dot)
    }
    #[inline(always)]
    fn block_exp_sum_avx512(
        x: Option<&[Self]>,
        m: Self,
        out: Option<&mut [Self]>,
        ahead: usize,
    ) -> f64 {
        // f64 has no hand-written AVX-512 path; the FMA formulation vectorises as it is.
        super::backend::X86Fma::block_exp_sum(x, m, out, ahead)
    }
    #[inline(always)]
    fn scale_exponent(p: Self, t: Self) -> Self {
        f64::from_bits(p.to_bits().wrapping_add(t.to_bits() << 52))
    }
    #[inline(always)]
    fn frexp1(x: Self) -> (Self, Self) {
        let bits = x.to_bits();
        let e = ((bits >> 52) & 0x7ff).cast_signed() - 1023;
        let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
        (m, e as f64)
    }
}
