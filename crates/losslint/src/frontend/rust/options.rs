//! The options structs of lossfit's functional losses: what `CrossEntropyOptions { .. }`,
//! `Default::default()` or an options variable shows about the reduction and the weights, and
//! the safe fix that writes a missing reduction (a field before `..`, or a literal in place of
//! `Default::default()`). Options built elsewhere (another function, a parameter) are unknown.

use super::calls::classify_option;
use super::dataflow::{FnAnalysis, OptionsReduction, OptionsUpdate, OptionsValue, Value, strip};
use super::lookup::{self, Meaning};
use super::spans::SpanMap;
use crate::facts::{Edit, Span};
use crate::frontend::apis::{LossApi, ReductionSpec, WeightAt};

impl FnAnalysis<'_, '_> {
    /// A struct literal: an options value when it is a functional loss's options struct.
    pub(crate) fn struct_expr(&mut self, expr: &syn::ExprStruct) -> Value {
        if expr.qself.is_none()
            && let Some(api) = self
                .cx
                .imports
                .resolve_path(&expr.path)
                .and_then(|path| options_api(&path))
        {
            return Value::Options(Box::new(self.struct_options(expr, api)));
        }
        // Any other struct: a record of its fields, stored into the type's fields when the
        // type is the file's (`Self { .. }` is the `impl`'s type).
        let name = expr.path.segments.last().map(|s| s.ident.to_string());
        let ty = match name {
            Some(name) if name == "Self" => self.self_type.clone(),
            other => other,
        };
        let mut fields = Vec::new();
        for field in &expr.fields {
            let value = self.eval_escaping(&field.expr);
            if let syn::Member::Named(member) = &field.member {
                let member = member.to_string();
                // A placeholder (`Tensor::new()`, `Default::default()`) until a method sets
                // the field says nothing about what the field holds when it is used.
                if let Some(ty) = &ty
                    && !is_placeholder(&field.expr)
                {
                    self.store_field(ty, &member, &value);
                }
                fields.push((member, value));
            }
        }
        if let Some(rest) = &expr.rest {
            self.eval_escaping(rest);
        }
        if expr.qself.is_some() {
            return Value::Unknown;
        }
        Value::Record { ty, fields }
    }

    /// What the options argument of a functional loss shows.
    pub(crate) fn options_value(
        &mut self,
        expr: &syn::Expr,
        api: &'static LossApi,
    ) -> OptionsValue {
        match strip(expr) {
            syn::Expr::Struct(literal) => self.struct_options(literal, api),
            syn::Expr::Call(call) if self.is_default_call(call) => {
                let span = self.span_of(call);
                default_options(api, span)
            }
            _ => match self.eval_escaping(expr) {
                Value::Options(options) => *options,
                _ => unknown_options(),
            },
        }
    }

    /// `Default::default()` or `XOptions::default()`.
    fn is_default_call(&self, call: &syn::ExprCall) -> bool {
        let syn::Expr::Path(func) = &*call.func else {
            return false;
        };
        if !call.args.is_empty() || func.qself.is_some() {
            return false;
        }
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        if segments.last().is_none_or(|last| last != "default") {
            return false;
        }
        let owner = &segments[..segments.len() - 1];
        match owner {
            [one] if one == "Default" => true,
            [std, module, trait_]
                if (std == "std" || std == "core")
                    && module == "default"
                    && trait_ == "Default" =>
            {
                true
            }
            _ => self
                .cx
                .imports
                .resolve(owner)
                .is_some_and(|path| options_api(&path).is_some()),
        }
    }

    /// `let options: CrossEntropyOptions<f32> = Default::default();`
    pub(crate) fn default_options_for_type(
        &self,
        ty: &syn::Type,
        init: &syn::Expr,
    ) -> Option<OptionsValue> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let api = self
            .cx
            .imports
            .resolve_path(&path.path)
            .and_then(|resolved| options_api(&resolved))?;
        match strip(init) {
            syn::Expr::Call(call) if self.is_default_call(call) => {
                Some(default_options(api, self.span_of(call)))
            }
            _ => None,
        }
    }

    /// A literal `XOptions { field: value, ..base }`.
    fn struct_options(&mut self, literal: &syn::ExprStruct, api: &'static LossApi) -> OptionsValue {
        let ReductionSpec::OptionsField {
            field,
            value: default_value,
            ..
        } = &api.reduction
        else {
            return unknown_options();
        };
        let mut written = None;
        let mut fields = Vec::new();
        for member in &literal.fields {
            let syn::Member::Named(name) = &member.member else {
                self.eval_escaping(&member.expr);
                continue;
            };
            if name == field {
                let span = self.span_of(&member.expr);
                written = Some(OptionsReduction::Explicit {
                    value: self.text_of(span),
                    span,
                });
            } else if api
                .weights
                .iter()
                .any(|param| matches!(param.at, WeightAt::OptionField(f) if name == f))
            {
                fields.push((name.to_string(), classify_option(&member.expr)));
            }
            self.eval_escaping(&member.expr);
        }
        let base = literal
            .rest
            .as_ref()
            .map(|rest| self.options_value(rest, api));
        let reduction = match (written, &base) {
            (Some(written), _) => written,
            (None, None) => OptionsReduction::Unknown,
            (None, Some(base)) => match &base.reduction {
                OptionsReduction::Explicit { .. } => base.reduction.clone(),
                OptionsReduction::Missing { .. } => OptionsReduction::Missing {
                    fix: literal.dot2_token.as_ref().map(|dots| Edit {
                        span: SpanMap::point(self.cx.spans.span(dots.spans[0]).start),
                        content: format!("{field}: {default_value}, "),
                    }),
                },
                OptionsReduction::Unknown => OptionsReduction::Unknown,
            },
        };
        let complete = base.as_ref().is_none_or(|base| base.complete);
        if let Some(base) = base {
            for (name, param) in base.fields {
                if !fields.iter().any(|(written, _)| *written == name) {
                    fields.push((name, param));
                }
            }
        }
        OptionsValue {
            reduction,
            fields,
            complete,
        }
    }

    /// How `options.member = right` changes an options value.
    pub(crate) fn options_field_update(
        &mut self,
        member: &str,
        right: &syn::Expr,
    ) -> OptionsUpdate {
        let update = if member == "reduction" {
            let span = self.span_of(right);
            OptionsUpdate::Reduction {
                value: self.text_of(span),
                span,
            }
        } else if member.contains("weight") || member == "alpha" {
            OptionsUpdate::Param(classify_option(right))
        } else {
            OptionsUpdate::Other
        };
        self.eval_escaping(right);
        update
    }
}

/// The default options, with the fix that writes them out.
pub(crate) fn default_options(api: &'static LossApi, span: Span) -> OptionsValue {
    let fix = match &api.reduction {
        ReductionSpec::OptionsField {
            options,
            field,
            value,
            ..
        } => Some(Edit {
            span,
            content: format!("{options} {{ {field}: {value}, ..Default::default() }}"),
        }),
        _ => None,
    };
    OptionsValue {
        reduction: OptionsReduction::Missing { fix },
        fields: Vec::new(),
        complete: true,
    }
}

/// The functional loss whose options struct is at `path`.
pub(crate) fn options_api(path: &str) -> Option<&'static LossApi> {
    lookup::meanings(path)
        .iter()
        .find_map(|meaning| match meaning {
            Meaning::Options(api) => Some(api.api),
            _ => None,
        })
}

fn unknown_options() -> OptionsValue {
    OptionsValue {
        reduction: OptionsReduction::Unknown,
        fields: Vec::new(),
        complete: false,
    }
}

/// A field's initial placeholder: a tensor made empty or filled (`Tensor::new()`,
/// `Tensor::zeros(..)`), `Default::default()`, `None`.
fn is_placeholder(expr: &syn::Expr) -> bool {
    match strip(expr) {
        syn::Expr::Call(call) => {
            let syn::Expr::Path(path) = &*call.func else {
                return false;
            };
            let names: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect();
            match names.as_slice() {
                [.., owner, new] if new == "new" => owner == "Tensor" && call.args.is_empty(),
                [.., owner, default] if default == "default" => owner == "Default",
                [.., filled] => matches!(
                    filled.as_str(),
                    "zeros" | "ones" | "empty" | "zeros_like" | "ones_like" | "empty_like"
                ),
                [] => false,
            }
        }
        syn::Expr::Path(path) => path.path.is_ident("None"),
        _ => false,
    }
}
