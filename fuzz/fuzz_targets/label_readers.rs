//! `cargo +nightly fuzz run --no-cfg-fuzzing label_readers`; the body is [`lossfit_fuzz::label_readers`]. Built
//! without cargo-fuzz, this is a program that runs the body on each file named on its command
//! line: `cargo run --manifest-path fuzz/Cargo.toml --bin label_readers -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::label_readers(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("label_readers", lossfit_fuzz::label_readers);
}
