//! Frontend tests: parse failures, the pre-filter, directives, spans and robustness.

use super::*;
use crate::facts::{Language, Origin};

#[test]
fn parse_failures_are_facts_with_the_error_span() {
    let source =
        "use lossfit::CrossEntropy;\n\nfn main() {\n    let loss = CrossEntropy::new(;\n}\n";
    let found = facts(source);
    assert!(found.losses.is_empty());
    let failure = found.parse_failure.expect("a parse failure");
    assert_eq!(
        failure.message,
        "unexpected closing delimiter `}`: an earlier delimiter is not closed"
    );
    assert_eq!(failure.span.start, pos(source, "}", 0));

    let source = "fn main() {\n    let = 1;\n}\n";
    let failure = facts(source).parse_failure.expect("a parse failure");
    assert!(failure.message.starts_with("expected one of: identifier"));
    assert_eq!(failure.span, span(source, "=", 0));
}

#[test]
fn unexpected_end_of_file_points_at_the_end() {
    let source = "use tch::Tensor;\nfn main()\n";
    let failure = facts(source).parse_failure.expect("a parse failure");
    assert_eq!(
        failure.message,
        "unexpected end of input, expected curly braces"
    );
    assert_eq!(failure.span.start.offset, source.len());
    assert_eq!((failure.span.start.line, failure.span.start.column), (3, 1));
}

#[test]
fn unclosed_delimiters_point_at_the_opening_one() {
    let source = "fn main() {\n    let x = 1;\n";
    let failure = facts(source).parse_failure.expect("a parse failure");
    assert_eq!(failure.message, "unclosed delimiter `{`");
    assert_eq!(failure.span.start, pos(source, "{", 0));
}

#[test]
fn shebang_and_byte_order_mark() {
    let source = "\u{feff}#!/usr/bin/env run-cargo-script\nuse candle_nn::loss;\nfn f(a: &T, b: &T) { let l = loss::mse(a, b); }\n";
    let site = only(source);
    assert_eq!(site.name_span, span(source, "mse", 0));
    let source = "\u{feff}use candle_nn::loss; fn f(a: &T, b: &T) { let l = loss::mse(a, b); }";
    let site = only(source);
    assert_eq!(site.name_span.start.column, 57);
    assert_eq!(
        &source[site.name_span.start.offset..site.name_span.end.offset],
        "mse"
    );
}

#[test]
fn the_pre_filter_skips_files_without_loss_apis() {
    let frontend = RustFrontend;
    assert_eq!(frontend.language(), Language::Rust);
    assert!(!frontend.may_contain_losses("fn main() { println!(\"hello\"); }"));
    assert!(frontend.may_contain_losses("let l = CrossEntropy::new();"));
    assert!(frontend.may_contain_losses("x.cross_entropy_for_logits(&y)"));
    assert!(frontend.may_contain_losses("loss::nll(&a, &b)"));
    assert!(frontend.may_contain_losses("#[head(task = Binary)]"));
    assert!(frontend.may_contain_losses("let m = Mse::new();"));
    assert!(frontend.may_contain_losses("KLDivLossConfig::new()"));
}

#[test]
fn every_snippet_with_a_site_passes_the_pre_filter() {
    for source in [
        "use lossfit::*; fn f() { let l = Huber::<f32>::new(); }",
        "use burn::nn::loss as l; fn f() { let m = l::MseLoss; }",
        "use tch::Tensor; fn f(x: &Tensor) { x.kl_div(&x, tch::Reduction::Mean, false); }",
    ] {
        assert!(RustFrontend.may_contain_losses(source), "{source}");
        assert_eq!(sites(source).len(), 1, "{source}");
    }
}

#[test]
fn labels_directive_on_or_above_the_site() {
    let source = r#"use candle_nn::loss;

fn step(x: &Tensor, y: &Tensor) {
    // losslint: labels = "data/train_labels.csv"
    let a = loss::cross_entropy(x, y);
    let b = loss::cross_entropy(x, y); // losslint: labels = "data/other.json"

    let c = loss::cross_entropy(x, y);
}
"#;
    let labels: Vec<Option<String>> = sites(source).into_iter().map(|s| s.labels).collect();
    assert_eq!(
        labels,
        [
            Some("data/train_labels.csv".to_string()),
            Some("data/other.json".to_string()),
            None
        ]
    );
}

#[test]
fn nested_functions_impls_traits_and_constants() {
    let source = r"use candle_nn::loss;

trait Objective {
    fn loss(&self, x: &Tensor, y: &Tensor) -> Result<Tensor> { loss::nll(x, y) }
}

mod inner {
    use candle_nn::ops;
    pub fn f(x: &Tensor, y: &Tensor) {
        fn helper(x: &Tensor, y: &Tensor) -> Result<Tensor> {
            super::loss::mse(&ops::sigmoid(x)?, y)
        }
    }
}

static LOSS: fn(&Tensor, &Tensor) -> Result<Tensor> = loss::cross_entropy;
";
    assert_eq!(
        summary(&sites(source)),
        [
            "candle_nn::loss::nll Nll @4:70 unknown None [input:?, target:?]",
            "candle_nn::loss::mse Mse @11:26 unknown None [input:Sigmoid, target:?]",
        ]
    );
}

#[test]
fn deeply_nested_input_does_not_crash() {
    let depth = 20_000;
    let source = format!(
        "use candle_nn::loss;\nfn f() {{ let x = {}1{}; let l = loss::nll(&x, &y); }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let facts = facts(&source);
    // Either parsed (with the site) or reported, never a crash.
    assert!(facts.parse_failure.is_some() || facts.losses.len() == 1);

    let chain = format!(
        "use tch::Tensor;\nfn f(x: &Tensor, y: &Tensor) {{ let p = x{}; p.nll_loss(y); }}\n",
        ".shallow_clone()".repeat(20_000)
    );
    let facts = facts_of(&chain);
    assert!(facts.parse_failure.is_some() || facts.losses.len() == 1);

    let sum = format!(
        "use tch::Tensor;\nfn f(x: &Tensor, y: &Tensor) {{ let p = x{}; p.nll_loss(y); }}\n",
        " + x".repeat(50_000)
    );
    let facts = facts_of(&sum);
    assert_eq!(facts.parse_failure, None);
    assert_eq!(facts.losses.len(), 1);
    assert_eq!(facts.losses[0].arguments[0].origin, Origin::Unknown);
}

fn facts_of(source: &str) -> crate::facts::FileFacts {
    facts(source)
}

#[test]
fn garbage_and_odd_text_never_panics() {
    for source in [
        "",
        "\u{feff}",
        "#!",
        "#![allow(dead_code)]",
        "fn",
        "fn f() { loss::nll( }",
        "\0\0\0",
        "use ::tch::*; fn f() { x.nll_loss(); }",
        "use self::*; use super::*; use crate::*;",
        "macro_rules! m { () => { loss::nll(a, b) } } fn f() { m!(); }",
        "fn f() { let CrossEntropy { a, .. } = b; }",
        "#[head(loss = CrossEntropy)] struct S;",
        "#[derive(lossfit::ModelOutput)] struct S(#[head(loss = Mse)] f32);",
        "#[derive(lossfit::ModelOutput)] struct S { #[head] a: f32, #[head(= = ,,)] b: f32, #[head(loss)] c: f32 }",
    ] {
        let _ = facts(source);
    }
}
