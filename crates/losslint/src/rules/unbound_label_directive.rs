//! LL012 unbound-label-directive: a `losslint: labels = ".."` directive that binds no loss.

use crate::diagnostic::Diagnostic;
use crate::facts::FileFacts;
use crate::rules::describe::diagnostic;
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain`.
macro_rules! documentation {
    () => {
        r#"## What it does
Flags a `losslint: labels = "..."` directive that binds no loss: no loss is built, named or
applied on the directive's line or the line after it.

## Why is this bad?
The directive is how a loss is tied to the label file that LL002 (unweighted loss on imbalanced
labels) and LL009 (task-loss mismatch) judge it against. One that binds nothing is silently
dropped: the checks it was written for never run, and the code looks checked when it is not.
It happens when a blank line or a comment gets between the directive and the loss, or when the
directive sits above code that builds no loss.

The default level is `warn`: the code itself is not wrong, but a check you asked for is off.

## Example
```rust
// losslint: labels = "data/train_labels.csv"

let loss = criterion.forward(logits, targets);
```

Use instead:
```rust
// losslint: labels = "data/train_labels.csv"
let loss = criterion.forward(logits, targets);
```

The directive binds the loss object wherever the code shows it: on the line of its
construction, or on the line of a `forward` / `compute` call of a loss built elsewhere. For every
loss of a project, set `[labels]` in `losslint.toml` instead.

## Fix safety
There is no automatic fix: which loss the directive was meant for is for you to say.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct UnboundLabelDirective;

impl UnboundLabelDirective {
    pub const CODE: &'static str = "LL012";
    pub const NAME: &'static str = "unbound-label-directive";
}

impl Rule for UnboundLabelDirective {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        facts
            .unbound_label_directives
            .iter()
            .map(|(span, path)| {
                let mut d = diagnostic(
                    Self::CODE,
                    Self::NAME,
                    *span,
                    format!("the label directive for `{path}` binds no loss"),
                    "no loss is built or applied on this line or the next".to_string(),
                );
                d.help = Some(
                    "put the directive on the line of the loss (or right above it, with no blank \
                     line between), or remove it"
                        .to_string(),
                );
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Pos, Span};
    use crate::rules::testing::check;

    #[test]
    fn each_unbound_directive_is_reported() {
        let at = |line| Span {
            start: Pos {
                line,
                column: 5,
                offset: 0,
            },
            end: Pos {
                line,
                column: 40,
                offset: 0,
            },
        };
        let facts = FileFacts {
            unbound_label_directives: vec![(at(3), "a.csv".into()), (at(9), "b.json".into())],
            ..FileFacts::default()
        };
        let found = check(&UnboundLabelDirective, &facts);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].code, "LL012");
        assert_eq!(found[0].span, at(3));
        assert_eq!(
            found[1].message,
            "the label directive for `b.json` binds no loss"
        );
        assert!(check(&UnboundLabelDirective, &FileFacts::default()).is_empty());
    }
}
