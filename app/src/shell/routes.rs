//! Every page is a lazily loaded route: the browser downloads a page's code the first time that
//! page is shown (built with `cargo leptos build --split`), so the first load carries the shell
//! and one area instead of all five. The server renders the same pages eagerly; nothing changes
//! for requests without JavaScript.
//!
//! The pages fetch their own data, so `data()` carries nothing: the page's chunk and its data
//! still load one after the other, but each chunk is small and cached after the first visit.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::{
    cache::{CacheDetailPage, CachePage},
    catalog::{
        CatalogDetailPage, CatalogListPage, CatalogPage, CatalogProjectPage, CatalogSearchPage,
    },
    history::{CompareRegistriesPage, HistoryTimelinePage},
    permissions::{PermissionAuditPage, PermissionEditorPage, PermissionsPage},
    recovery::{RecoveryDeploymentPage, RecoveryPage},
    topology::{FeatureStorePage, TopologyPage},
};

pub struct CatalogRoute;
#[lazy_route]
impl LazyRoute for CatalogRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogPage/> }.into_any()
    }
}

pub struct CatalogListRoute;
#[lazy_route]
impl LazyRoute for CatalogListRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogListPage/> }.into_any()
    }
}

pub struct CatalogSearchRoute;
#[lazy_route]
impl LazyRoute for CatalogSearchRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogSearchPage/> }.into_any()
    }
}

pub struct CatalogProjectRoute;
#[lazy_route]
impl LazyRoute for CatalogProjectRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogProjectPage/> }.into_any()
    }
}

pub struct CatalogDetailRoute;
#[lazy_route]
impl LazyRoute for CatalogDetailRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogDetailPage/> }.into_any()
    }
}

pub struct PermissionsRoute;
#[lazy_route]
impl LazyRoute for PermissionsRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <PermissionsPage/> }.into_any()
    }
}

pub struct PermissionEditorRoute;
#[lazy_route]
impl LazyRoute for PermissionEditorRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <PermissionEditorPage/> }.into_any()
    }
}

pub struct PermissionAuditRoute;
#[lazy_route]
impl LazyRoute for PermissionAuditRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <PermissionAuditPage/> }.into_any()
    }
}

pub struct TopologyRoute;
#[lazy_route]
impl LazyRoute for TopologyRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <TopologyPage/> }.into_any()
    }
}

pub struct FeatureStoreRoute;
#[lazy_route]
impl LazyRoute for FeatureStoreRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <FeatureStorePage/> }.into_any()
    }
}

pub struct CacheRoute;
#[lazy_route]
impl LazyRoute for CacheRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CachePage/> }.into_any()
    }
}

pub struct CacheDetailRoute;
#[lazy_route]
impl LazyRoute for CacheDetailRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CacheDetailPage/> }.into_any()
    }
}

pub struct RecoveryRoute;
#[lazy_route]
impl LazyRoute for RecoveryRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <RecoveryPage/> }.into_any()
    }
}

pub struct RecoveryDeploymentRoute;
#[lazy_route]
impl LazyRoute for RecoveryDeploymentRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <RecoveryDeploymentPage/> }.into_any()
    }
}

pub struct HistoryRoute;
#[lazy_route]
impl LazyRoute for HistoryRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <HistoryTimelinePage/> }.into_any()
    }
}

pub struct CompareRoute;
#[lazy_route]
impl LazyRoute for CompareRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CompareRegistriesPage/> }.into_any()
    }
}
