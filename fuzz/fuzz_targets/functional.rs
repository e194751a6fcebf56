//! `cargo +nightly fuzz run --no-cfg-fuzzing functional`; the body is [`lossfit_fuzz::functional`]. Built
//! without cargo-fuzz, this is a program that runs the body on each file named on its command
//! line: `cargo run --manifest-path fuzz/Cargo.toml --bin functional -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::functional(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("functional", lossfit_fuzz::functional);
}
