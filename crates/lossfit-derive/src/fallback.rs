//! On errors: the errors, plus stub items so the user sees those errors and not a cascade from
//! the rest of their code: a `...Targets` struct with a field per head (of any type, so that
//! `ClassifierTargets { logits: ClassIndices::new(..) }` still compiles) and a `loss` method
//! that takes any targets, so no "struct has no field" or mismatched-types error follows the
//! real one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields};

pub(crate) fn fallback(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error());
    let ident = &input.ident;
    let vis = &input.vis;
    let targets = format_ident!("{}Targets", ident);
    let grads = format_ident!("{}Grads", ident);
    if !input.generics.params.is_empty() {
        return quote! { #errors };
    }
    // The fields the user will name in the targets struct: every field of a struct with
    // named fields (whether or not its attribute parsed).
    let fields: Vec<&syn::Ident> = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .filter_map(|f| f.ident.as_ref())
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let params: Vec<syn::Ident> = (0..fields.len())
        .map(|i| format_ident!("__LossfitT{}", i))
        .collect();
    let targets_struct = if fields.is_empty() {
        quote! { #vis struct #targets; }
    } else {
        quote! {
            #vis struct #targets<#(#params = ()),*> {
                #(pub #fields: #params,)*
            }
        }
    };
    quote! {
        #errors
        #[doc(hidden)]
        #[allow(dead_code)]
        #targets_struct
        #[doc(hidden)]
        #vis struct #grads;
        impl ::lossfit::ModelOutput for #ident {
            type Elem = f32;
            type Targets = #targets;
            type Grads = #grads;
            const HEADS: &'static [::lossfit::HeadSpec] = &[];
            fn loss(
                &self,
                _: &#targets,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, #grads>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }
            fn loss_into(
                &self,
                _: &#targets,
                _: &mut #grads,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, ()>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }
            fn loss_in_place(
                self,
                _: &#targets,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, #grads>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }
            fn grads_like(&self) -> #grads {
                #grads
            }
        }
        impl #ident {
            /// Stands in for `ModelOutput::loss` while the derive reports errors: takes any
            /// targets, so that the calling code adds no errors of its own.
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis fn loss<__LossfitAny>(
                &self,
                _: &__LossfitAny,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, #grads>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }

            /// Stands in for `ModelOutput::loss_into` while the derive reports errors.
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis fn loss_into<__LossfitAny, __LossfitGrads>(
                &self,
                _: &__LossfitAny,
                _: &mut __LossfitGrads,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, ()>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }

            /// Stands in for `ModelOutput::loss_in_place` while the derive reports errors.
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis fn loss_in_place<__LossfitAny>(
                self,
                _: &__LossfitAny,
            ) -> ::core::result::Result<::lossfit::LossReport<f32, #grads>, ::lossfit::LossError> {
                ::core::unreachable!("the derive reported errors; this impl is never compiled into a program")
            }

            /// Stands in for `ModelOutput::grads_like` while the derive reports errors.
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis fn grads_like(&self) -> #grads {
                #grads
            }
        }
    }
}
