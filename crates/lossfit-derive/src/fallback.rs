//! On errors: the errors, plus stub items so the user sees those errors and not a cascade of
//! "cannot find type `...Targets`" from the rest of their code.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::DeriveInput;

pub(crate) fn fallback(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error());
    let ident = &input.ident;
    let vis = &input.vis;
    let targets = format_ident!("{}Targets", ident);
    let grads = format_ident!("{}Grads", ident);
    if !input.generics.params.is_empty() {
        return quote! { #errors };
    }
    quote! {
        #errors
        #[doc(hidden)]
        #vis struct #targets;
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
        }
    }
}
