//! Runtime CPU dispatch for the host loops initlab writes itself (activation kernels, the
//! optimizer step).
//!
//! Why: a portable x86-64 build may only assume SSE2, so these loops would run 4 floats at a
//! time with separate multiplies and adds. Compiled a second time for AVX2 + FMA and picked at
//! run time, the same source runs 8 floats at a time with fused multiply-adds, without asking
//! users to build with `-C target-cpu=native`. Results differ between the two versions only in
//! the last bits (FMA rounds once); on one machine they are always the same.

/// How a kernel computes `a * b + c`: fused where the CPU has FMA, separately otherwise
/// (`f32::mul_add` without FMA hardware is a slow library call).
pub trait Arith {
    fn madd(a: f32, b: f32, c: f32) -> f32;
}

/// Baseline: a multiply and an add.
pub struct Plain;

/// AVX2 + FMA: one fused multiply-add.
pub struct Fma;

impl Arith for Plain {
    #[inline(always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

impl Arith for Fma {
    #[inline(always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// Defines `fn $name(args)` that runs `$imp::<Fma>(args)` compiled for AVX2 + FMA when the CPU
/// has them, and `$imp::<Plain>(args)` otherwise. `$imp` must be `#[inline(always)]`, so that it
/// is compiled inside each version.
#[macro_export]
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $imp:ident) => {
        $(#[$m])*
        $vis fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn fma($($arg: $ty),*) {
                    $imp::<$crate::simd::Fma>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU has the features `fma` was compiled for.
                    return unsafe { fma($($arg),*) };
                }
            }
            $imp::<$crate::simd::Plain>($($arg),*)
        }
    };
}
