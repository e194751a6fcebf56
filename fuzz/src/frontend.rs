//! The Rust frontend on any UTF-8 text.

use losslint::frontend::{Frontend, RustFrontend};

use crate::positions;

/// `RustFrontend::may_contain_losses` and `facts` on `data` (skipped when it is not UTF-8).
///
/// Checks: no panic (the frontend turns a panic on its thread into an "internal error" parse
/// failure, which counts as one here); no loss found in a text the pre-filter rejects (the
/// engine would never have looked); every position agrees with the text; the same facts twice
/// (no hash-order dependence).
///
/// # Panics
/// When a check fails.
pub fn frontend(data: &[u8]) {
    check_frontend(&RustFrontend, data);
}

/// The checks of [`frontend`] for any frontend (the Python target shares them).
pub(crate) fn check_frontend(frontend: &impl Frontend, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let may = frontend.may_contain_losses(text);
    let facts = frontend.facts(text);
    if let Some(failure) = &facts.parse_failure {
        assert!(
            !failure.message.starts_with("internal error"),
            "the frontend panicked: {}",
            failure.message
        );
    }
    assert!(
        may || facts.losses.is_empty(),
        "may_contain_losses is false, but the frontend found {} loss(es): {:?}",
        facts.losses.len(),
        facts.losses.iter().map(|s| &s.api).collect::<Vec<_>>()
    );
    let json = serde_json::to_value(&facts).expect("facts serialise");
    positions::check(text, &json, "facts");
    let again = serde_json::to_value(frontend.facts(text)).expect("facts serialise");
    assert!(again == json, "two runs on the same text disagree");
}
