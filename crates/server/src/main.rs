//! The `tern` binary: load settings, start logging, run the server until SIGINT/SIGTERM.

use std::process::ExitCode;
use tern_server::{App, Config};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    give_large_blocks_back();
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("tern: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = match EnvFilter::try_new(&config.server.log) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("tern: setting server.log: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    for notice in &config.notices {
        tracing::warn!("{notice}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tern: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let database = config.database().map(|d| d.describe()).unwrap_or_default();
        let app = match App::build(config).await {
            Ok(app) => app,
            Err(e) => {
                eprintln!("tern: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "tern is running at http://{} (database {database})",
            app.local_addr()
        );
        match app.run(shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tern: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// glibc raises its mmap threshold each time a large block is freed; from then on blocks of
/// that size (argon2's working memory: 19 MiB per password check) come from the per-thread
/// arenas and stay resident after use, hundreds of MB after a burst of logins. A fixed
/// threshold keeps every block of 256 KiB or more in its own mapping, returned when freed.
fn give_large_blocks_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator, and runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
