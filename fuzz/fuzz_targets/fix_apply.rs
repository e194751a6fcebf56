//! `cargo +nightly fuzz run --no-cfg-fuzzing fix_apply`; the body is [`lossfit_fuzz::fix_apply`]. Built
//! without cargo-fuzz, this is a program that runs the body on each file named on its command
//! line: `cargo run --manifest-path fuzz/Cargo.toml --bin fix_apply -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::fix_apply(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("fix_apply", lossfit_fuzz::fix_apply);
}
