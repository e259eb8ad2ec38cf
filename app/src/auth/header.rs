//! The header's identity widget: who you are, your console role, what Feast will see, and
//! sign-out; in development mode a banner and the demo-user picker. Plain forms, so both work
//! without JavaScript.

use leptos::prelude::*;

use super::demo::DEMO_USERS;
use super::roles::ConsoleRole;
use super::session::SessionView;

/// Shown on every page while authentication is off.
#[component]
pub fn AuthOffBanner(session: SessionView) -> impl IntoView {
    session.auth_off.then(|| {
        view! {
            <div class="auth-off-banner" role="status" data-testid="auth-off-banner">
                <strong>"Authentication off."</strong>
                " Development mode: no identity provider is configured and the demo user below is trusted as is."
            </div>
        }
    })
}

#[component]
pub fn IdentityMenu(session: SessionView) -> impl IntoView {
    let role = session
        .role
        .map(ConsoleRole::name)
        .unwrap_or("no console role");
    let Some(identity) = session.identity.clone() else {
        return view! { <a class="identity" href="/auth/login">"Sign in"</a> }.into_any();
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let details = view! {
        <dl class="identity-details">
            <dt>"Username (from " {identity.username_claim.clone()} ")"</dt><dd>{identity.username.clone()}</dd>
            <dt>"Console role"</dt><dd>{role}</dd>
            <dt>"Feast roles"</dt><dd>{list(&identity.feast_roles)}</dd>
            <dt>"Groups"</dt><dd>{list(&identity.groups)}</dd>
            <dt>"Namespaces"</dt><dd>{list(&identity.namespaces)}</dd>
            <dt>"Realm roles (ignored by Feast)"</dt><dd>{list(&identity.realm_roles_ignored_by_feast)}</dd>
        </dl>
    };
    let action = if session.auth_off {
        let current = identity.username.clone();
        view! {
            <form class="demo-picker" method="post" action="/auth/dev/identity">
                <label>
                    <span class="visually-hidden">"Demo user"</span>
                    <select name="user" data-testid="demo-user">
                        {DEMO_USERS
                            .iter()
                            .map(|u| view! { <option value=u.id selected=u.id == current>{u.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit">"Switch user"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <form class="sign-out" method="post" action="/auth/logout">
                <button type="submit">"Sign out"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <div class="identity-menu">
            <details class="identity">
                <summary data-testid="identity">
                    <span class="identity-dot" aria-hidden="true"></span>
                    {identity.username.clone()}
                    <span class="role-badge">{role}</span>
                </summary>
                {details}
            </details>
            {action}
        </div>
    }
    .into_any()
}
