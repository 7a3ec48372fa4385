//! Builds the web client (web/, an npm workspace) into OUT_DIR/web-dist, which the binary embeds,
//! so `cargo build` always serves the client matching the sources: never a stale bundle.
//!
//! - `npm ci` runs when web/node_modules is missing or older than web/package-lock.json.
//! - Without npm, or with TERN_WEB_BUILD=skip, a page explaining how to build the client is
//!   embedded instead (and cargo prints a warning).
//! - A failing client build fails the Rust build, with npm's output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let web = manifest.join("../../web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this")).join("web-dist");
    for watched in [
        "package.json",
        "package-lock.json",
        "app/src",
        "app/public",
        "app/index.html",
        "app/package.json",
        "app/vite.config.ts",
        "app/tsconfig.json",
        "app/scripts",
        "sdk/src",
        "sdk/package.json",
        "sdk/tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=TERN_WEB_BUILD");

    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("create OUT_DIR/web-dist");

    if !web.join("app/package.json").exists() {
        return placeholder(
            &out,
            "the web client sources (web/app) are not in this checkout",
        );
    }
    if std::env::var("TERN_WEB_BUILD").as_deref() == Ok("skip") {
        println!("cargo:warning=TERN_WEB_BUILD=skip: the web client is not built into this binary");
        return placeholder(&out, "this binary was built with TERN_WEB_BUILD=skip");
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!(
            "cargo:warning=npm not found: the web client is not built into this binary. \
             Install Node.js 20+ with npm (e.g. `apt-get install nodejs npm`) and build again."
        );
        return placeholder(
            &out,
            "Node.js and npm were not installed when this binary was built; install Node.js 20 \
             or newer with npm and run cargo build again",
        );
    }
    if needs_install(&web) {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&web),
            "npm ci",
        );
    }
    run(
        Command::new("npm").args(["run", "build"]).current_dir(&web),
        "npm run build",
    );
    copy_dir(&web.join("app/dist"), &out);
}

fn needs_install(web: &Path) -> bool {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(web.join("node_modules/.package-lock.json")),
        modified(web.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed < lock,
        _ => true,
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    if !output.status.success() {
        panic!(
            "building the web client failed at `{what}` (in web/):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let entries = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("web client output {} is missing: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("read web client output");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy web client file");
        }
    }
}

fn placeholder(out: &Path, why: &str) {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>tern</title></head><body><h1>tern is running</h1>\
         <p>The web client is not included in this build: {why}.</p>\
         <p>The HTTP API (/api/v1) and the WebSocket (/ws) work; see docs/PROTOCOL.md.</p>\
         </body></html>"
    );
    std::fs::write(out.join("index.html"), page).expect("write placeholder page");
}
