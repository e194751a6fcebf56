//! The derive input as a typed model: the struct and its `#[head(...)]` fields.

use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{HeadAttr, parse_head};
use crate::ctxt::Ctxt;

/// The output struct.
pub(crate) struct Input {
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    pub(crate) heads: Vec<Head>,
}

/// A field with a `#[head(...)]`.
pub(crate) struct Head {
    pub(crate) field: Ident,
    pub(crate) ty: Type,
    pub(crate) attr: HeadAttr,
}

impl Input {
    /// Reads the struct; `None` when it is not a struct with named fields.
    pub(crate) fn from_syn(cx: &mut Ctxt, input: &DeriveInput) -> Option<Input> {
        let Data::Struct(data) = &input.data else {
            cx.error_spanned_by(
                &input.ident,
                "`ModelOutput` can only be derived for a struct with one field per model head",
            );
            return None;
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "`ModelOutput` cannot be derived for a generic struct yet: give every head a \
                 concrete type such as `Array2<f32>`",
            );
            return None;
        }
        let Fields::Named(fields) = &data.fields else {
            cx.error_spanned_by(
                &input.ident,
                "`ModelOutput` needs named fields: the field names name the heads",
            );
            return None;
        };
        let mut heads = Vec::new();
        for field in &fields.named {
            let mut attrs = field.attrs.iter().filter(|a| a.path().is_ident("head"));
            let Some(attr) = attrs.next() else { continue };
            for extra in attrs {
                cx.error_spanned_by(
                    extra,
                    "a field has one `#[head(...)]`: merge the keys into the first one",
                );
            }
            let Some(ident) = field.ident.clone() else {
                continue;
            };
            heads.push(Head {
                field: ident,
                ty: field.ty.clone(),
                attr: parse_head(cx, attr),
            });
        }
        if heads.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                "no field has a `#[head(...)]`: mark each output field, e.g. \
                 `#[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]`",
            );
            return None;
        }
        Some(Input {
            ident: input.ident.clone(),
            vis: input.vis.clone(),
            heads,
        })
    }
}
