//! `cargo +nightly fuzz run --no-cfg-fuzzing config_loader`; the body is [`lossfit_fuzz::config_loader`]. Built
//! without cargo-fuzz, this is a program that runs the body on each file named on its command
//! line: `cargo run --manifest-path fuzz/Cargo.toml --bin config_loader -- FILE..`.
#![cfg_attr(libfuzzer, no_main)]

#[cfg(libfuzzer)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lossfit_fuzz::config_loader(data));

#[cfg(not(libfuzzer))]
fn main() {
    lossfit_fuzz::replay_args("config_loader", lossfit_fuzz::config_loader);
}
