//! Binding, serving and graceful shutdown.

use std::{future::IntoFuture, time::Duration};

use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

use crate::{
    config::Config,
    db::ConsoleDb,
    error::StartError,
    registry::refresher::Registries,
    state::{AppState, Lifecycle},
};

/// How long in-flight requests get after SIGTERM before the process exits anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(20);

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(app::shell::OUTPUT_NAME)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build()
}

/// Opens the console database, builds the shared state and starts the background work.
pub async fn build_state(config: Config) -> Result<AppState, StartError> {
    if matches!(
        crate::db::DbKind::of_url(&config.database_url),
        Ok(crate::db::DbKind::Sqlite)
    ) {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
    }
    check_open_without_auth(&config)?;
    let db = ConsoleDb::open(&config.database_url, config.database_max_connections).await?;
    let auth = crate::auth::Auth::new(&config, db.clone()).map_err(StartError::Auth)?;
    let demo = demo_registry(&config);
    let sources = match (&demo, config.registries.is_empty()) {
        (Some(d), _) => vec![d.source()],
        // No copy could be made: the bundled registry, read-only.
        (None, true) => crate::registry::demo::demo_source().into_iter().collect(),
        (None, false) => config.registries.clone(),
    };
    for source in &sources {
        tracing::info!(registry = %source.name, source = %source.display(), "reading Feast registry");
    }
    let registries = Registries::new(&sources);
    warn_if_everything_shown(&config);
    let topology = crate::topology::source::open(
        &config.kubernetes,
        config.kubernetes_namespaces.clone(),
        &config.manifests,
        Duration::from_secs(config.topology_refresh_seconds),
    )
    .await
    .map_err(StartError::Topology)?;
    tracing::info!(source = %topology.source, "reading the topology");
    let lease = std::sync::Arc::new(crate::lease::LeaseKeeper::new(
        db.clone(),
        crate::lease::PROBES,
        Duration::from_secs(config.leader_lease_seconds),
    ));
    let recovery = crate::recovery::runner::for_console(
        &config,
        sources,
        &topology,
        demo.clone(),
        lease.leadership.replica(),
    );
    let state = AppState {
        auth,
        registries,
        lease,
        topology,
        visibility_cache: std::sync::Arc::new(crate::catalog::visibility::VisibilityCache::new(
            config.visibility_cache_mib as usize * 1024 * 1024,
        )),
        cross_check: std::sync::Arc::new(crate::catalog::cross_check::CrossCheck::new(
            config.visibility_cross_check as usize,
        )),
        page_cache: std::sync::Arc::new(crate::http::page_cache::PageCache::with_limit(
            Duration::from_millis(config.page_cache_ms),
            config.page_cache_mib as usize * 1024 * 1024,
        )),
        cpu: std::sync::Arc::new(crate::cpu::CpuPool::new(
            config.cpu_workers as usize,
            config.cpu_queue as usize,
        )),
        compiled_permissions: Default::default(),
        demo,
        leptos: leptos_options(&config),
        config: std::sync::Arc::new(config),
        db,
        metrics: Default::default(),
        lifecycle: std::sync::Arc::new(Lifecycle::default()),
        recovery,
        tasks: Default::default(),
    };
    crate::background::start(&state);
    Ok(state)
}

/// `catalog_visibility = all` ignores Feast's permissions in the catalog: said at every start.
fn warn_if_everything_shown(config: &Config) {
    use app::catalog::visibility::VisibilityRule;
    if config.catalog_visibility == VisibilityRule::All {
        tracing::warn!("catalog_visibility = all: every signed-in viewer sees every object of every registry, whatever Feast's permissions allow them to DESCRIBE");
    } else if config.catalog_visibility_admins == VisibilityRule::All {
        tracing::warn!("catalog_visibility_admins = all: console admins see every object of every registry in the catalog, whatever Feast's permissions allow them to DESCRIBE");
    }
}

/// With no registry configured: the demo registry's copy in the data folder (made on the first
/// start). None when registries are configured, or when no copy can be made (logged; the
/// bundled registry is then served read-only).
fn demo_registry(config: &Config) -> Option<std::sync::Arc<crate::registry::demo::DemoRegistry>> {
    if !config.registries.is_empty() {
        return None;
    }
    match crate::registry::demo::DemoRegistry::prepare(&config.data_dir) {
        Ok(demo) => demo.map(std::sync::Arc::new),
        Err(e) => {
            tracing::warn!(error = %app::backend::error_chain(&e), "serving the bundled demo registry read-only");
            None
        }
    }
}

/// Without an identity provider the console trusts every visitor: allowed on loopback
/// (development), elsewhere only with `insecure_no_auth`, and then loudly. A public
/// `public_url` says a proxy or Ingress sends people here, so it counts as elsewhere.
fn check_open_without_auth(config: &Config) -> Result<(), StartError> {
    if config.auth.oidc.is_some() {
        return Ok(());
    }
    let public_host = config
        .auth
        .public_url
        .split_once("://")
        .map_or("", |(_, host)| host);
    let exposed = if !config.listen.ip().is_loopback() {
        Some(format!("listen address {}", config.listen))
    } else if !crate::auth::origin::is_loopback_host(public_host) {
        Some(format!("public_url {}", config.auth.public_url))
    } else {
        None
    };
    match exposed {
        None => {
            tracing::info!("authentication off: development mode with demo users (loopback only)");
            Ok(())
        }
        Some(place) if config.auth.insecure_no_auth => {
            tracing::warn!(
                %place,
                "AUTHENTICATION IS OFF on a non-loopback address (--insecure-no-auth): anyone who can reach this console with a loopback Host is an admin"
            );
            Ok(())
        }
        Some(place) => Err(StartError::OpenWithoutAuth { place }),
    }
}

/// Binds `addr`, which the flag `--<flag>` sets (named when the address is taken).
pub async fn bind(
    addr: std::net::SocketAddr,
    flag: &'static str,
) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => StartError::AddressInUse { addr, flag },
            _ => StartError::Listen { addr, source },
        })
}

/// Serves until SIGTERM or Ctrl-C, then drains: `/readyz` turns false, no new connections are
/// accepted, in-flight requests get [`DRAIN_LIMIT`] to finish. The ops port (`ops_listener`)
/// answers until the process ends, so probes see the drain.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    ops_listener: TcpListener,
) -> Result<(), StartError> {
    let lifecycle = state.lifecycle.clone();
    let db = state.db.clone();
    let lease = state.lease.clone();
    let drain_delay = Duration::from_secs(state.config.drain_delay_seconds);
    let ops_addr = ops_listener.local_addr().map_err(StartError::Serve)?;
    let ops_server = axum::serve(ops_listener, crate::http::ops_router(state.clone()));
    let ops = tokio::spawn(async move {
        if let Err(e) = ops_server.into_future().await {
            tracing::error!(error = %e, "the operations endpoints stopped serving");
        }
    });
    tracing::info!(%ops_addr, "operations endpoints (/readyz, /metrics) on http://{ops_addr}");
    let app = crate::http::router(state);
    lifecycle.mark_started();
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    tracing::info!(%addr, "feast-console listening on http://{addr}");

    let (drained_tx, drained_rx) = tokio::sync::oneshot::channel::<()>();
    let signal_lifecycle = lifecycle.clone();
    let signal_lease = lease.clone();
    let shutdown = async move {
        shutdown_signal().await;
        signal_lifecycle.mark_draining();
        tracing::info!("shutdown requested: /readyz is false from now on");
        // Hand background work to another replica now rather than when the lease expires.
        signal_lease.stop().await;
        if !drain_delay.is_zero() {
            // Still serving, with /readyz false, until the load balancer has noticed.
            tracing::info!(
                ?drain_delay,
                "still serving while the load balancer notices"
            );
            tokio::time::sleep(drain_delay).await;
        }
        tracing::info!("draining: no new connections, finishing in-flight requests");
        let _ = drained_tx.send(());
    };
    // The peer address is the client for per-client limits (`auth::client`).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown);
    let server = async move { server.await.map_err(StartError::Serve) };
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        _ = async {
            let _ = drained_rx.await;
            tokio::time::sleep(DRAIN_LIMIT).await;
        } => {
            tracing::warn!("in-flight requests did not finish within {DRAIN_LIMIT:?}; exiting");
        }
    }
    ops.abort();
    lease.stop().await;
    db.close().await;
    tracing::info!("feast-console stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
