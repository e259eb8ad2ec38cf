//! How a page says that its data could not be loaded. Leptos' own text for a failed server
//! function ("error running server function: …") is for developers; pages show the reason as
//! a sentence and a link to where the missing choice can be made.

use leptos::prelude::*;

/// A server function's failure as a sentence for the page.
pub fn error_text(e: &ServerFnError) -> String {
    #[allow(deprecated)] // `WrappedServerError` is deprecated but still a variant to match.
    let text = match e {
        ServerFnError::ServerError(m)
        | ServerFnError::MiddlewareError(m)
        | ServerFnError::Registration(m) => m.clone(),
        ServerFnError::Request(m) => format!(
            "the console could not be reached ({m}); check the connection and reload the page"
        ),
        ServerFnError::Response(m) | ServerFnError::Deserialization(m) => {
            format!("the console's answer could not be read ({m}); reload the page")
        }
        ServerFnError::Serialization(m) | ServerFnError::Args(m) => {
            format!("the page's address has a parameter the console cannot read ({m})")
        }
        ServerFnError::MissingArg(m) => format!("the page's address lacks `{m}`"),
        ServerFnError::WrappedServerError(e) => e.to_string(),
    };
    sentence(&text)
}

/// Capital first letter and a full stop: the messages are clauses written for logs.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return "Something went wrong; reload the page.".to_string(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// An area's data could not be loaded: the reason, and a link to go on from (`href`, `label`).
#[component]
pub fn ErrorState(
    title: &'static str,
    error: ServerFnError,
    href: &'static str,
    label: &'static str,
) -> impl IntoView {
    view! {
        <section class="empty-state" role="alert" aria-labelledby="error-title">
            <h2 id="error-title">{title}</h2>
            <div class="empty-body">
                <p>{error_text(&error)}</p>
                <p><a href=href>{label}</a></p>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_text_never_reaches_the_page() {
        let e = ServerFnError::new("no registry named `x`");
        assert_eq!(
            e.to_string(),
            "error running server function: no registry named `x`"
        );
        assert_eq!(error_text(&e), "No registry named `x`.");
        let e = ServerFnError::Request("connection refused".into());
        assert!(error_text(&e).starts_with("The console could not be reached"));
        assert_eq!(
            error_text(&ServerFnError::new("")),
            "Something went wrong; reload the page."
        );
        assert_eq!(error_text(&ServerFnError::new("done.")), "Done.");
    }
}
