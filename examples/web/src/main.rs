//! The AWS console's virtual-MFA flow in a browser, on `otpkit-store`:
//!
//! ```sh
//! cargo run -p otpkit-web-example -- --port 8080
//! ```
//!
//! then open <http://127.0.0.1:8080/>, create an account, scan the QR code with a
//! phone's authenticator app, type two consecutive codes; sign out and sign in with
//! the password, then a code on the next page. See [`app`] for the routes. With
//! `--admin-token-file PATH`, whoever holds the token in that file may clear
//! lock-outs at `/admin` ([`admin`]).
//!
//! Devices are kept by [`otpkit_store::MfaService`] in SQLite (in memory unless
//! `--store sqlite:PATH`), or in PostgreSQL or Redis (`--store postgres://…`,
//! `--store redis://…`, built with the `postgres` / `redis` feature), with the
//! secrets sealed under a key from `OTPKIT_WEB_SEALING_KEY` (base64, 32 bytes) or a
//! fresh one for this run. Accounts and sessions are a demo store in memory.
#![forbid(unsafe_code)]

mod accounts;
mod admin;
mod app;
mod csrf;
mod error;
mod handlers;
mod html;
mod messages;
mod metrics;
mod pages;
mod session;
mod signin;
#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use otpkit::verifier::Policy;
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{MfaService, SqliteStore, StoreError};

use crate::admin::{AdminToken, TokenFile};
use crate::app::{App, Config, Store};

/// The environment variable holding the sealing key (base64 of 32 bytes).
const KEY_VAR: &str = "OTPKIT_WEB_SEALING_KEY";

/// An example web server: assign a virtual MFA device, sign in with a code, resync,
/// remove, clear a lock-out. Listens on 127.0.0.1 only.
#[derive(Parser)]
#[command(name = "otpkit-web")]
struct Args {
    /// TCP port on 127.0.0.1; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Where MFA devices are kept: `sqlite::memory:`, `sqlite:PATH`, `postgres://…`
    /// (feature `postgres`) or `redis://…` (feature `redis`).
    #[arg(long, default_value = "sqlite::memory:")]
    store: String,
    /// The administrator's token, who may clear lock-outs at /admin: read from
    /// PATH, or a new random one written there (mode 0600) if there is no such
    /// file. Without it there is no administrator.
    #[arg(long, value_name = "PATH")]
    admin_token_file: Option<PathBuf>,
    /// No longer accepted: an account name is no credential (see
    /// --admin-token-file).
    #[arg(long = "admin", value_name = "NAME", hide = true)]
    admin_names: Vec<String>,
    /// The token `GET /metrics` asks for (`Authorization: Bearer TOKEN`): read
    /// from PATH, or a new random one written there (mode 0600). Without it
    /// /metrics answers anyone who reaches the server (which listens on
    /// 127.0.0.1 only).
    #[arg(long, value_name = "PATH")]
    metrics_token_file: Option<PathBuf>,
    /// Browsers reach this server through an HTTPS proxy: every cookie is
    /// `Secure`.
    #[arg(long)]
    https: bool,
    /// The issuer the authenticator app shows.
    #[arg(long, default_value = "otpkit web example")]
    issuer: String,
}

fn open_store(spec: &str) -> Result<Store, String> {
    let err = |e: StoreError| e.to_string();
    if let Some(path) = spec.strip_prefix("sqlite:") {
        return if path == ":memory:" {
            SqliteStore::in_memory()
                .map(|s| Box::new(s) as Store)
                .map_err(err)
        } else {
            SqliteStore::open(Path::new(path))
                .map(|s| Box::new(s) as Store)
                .map_err(err)
        };
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return otpkit_store::PostgresStore::connect(spec)
            .map(|s| Box::new(s) as Store)
            .map_err(err);
        #[cfg(not(feature = "postgres"))]
        return Err("this build has no PostgreSQL store: run with --features postgres".into());
    }
    if spec.starts_with("redis://") {
        #[cfg(feature = "redis")]
        return otpkit_store::RedisStore::connect(spec)
            .map(|s| Box::new(s) as Store)
            .map_err(err);
        #[cfg(not(feature = "redis"))]
        return Err("this build has no Redis store: run with --features redis".into());
    }
    Err("--store must start with sqlite:, postgres:// or redis://".into())
}

fn keyring() -> Result<(Keyring, &'static str), String> {
    match std::env::var(KEY_VAR) {
        Ok(text) => SealingKey::from_base64("web", text.trim())
            .map(|k| (Keyring::new(k), "from OTPKIT_WEB_SEALING_KEY"))
            .map_err(|e| format!("{KEY_VAR}: {e}")),
        Err(_) => SealingKey::generate("web")
            .map(|k| {
                (
                    Keyring::new(k),
                    "generated for this run (set OTPKIT_WEB_SEALING_KEY to open the devices after a restart)",
                )
            })
            .map_err(|e| e.to_string()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otpkit-web: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The administrator's token from `--admin-token-file`, and the start-up line
/// saying where it is (never the token itself).
fn admin_token(args: &Args) -> Result<(Option<AdminToken>, String), String> {
    if !args.admin_names.is_empty() {
        return Err(ADMIN_NAME_GONE.into());
    }
    let Some(path) = &args.admin_token_file else {
        return Ok((
            None,
            "no administrator (--admin-token-file PATH makes one)".into(),
        ));
    };
    let (token, how) = AdminToken::from_file(path)?;
    let how = match how {
        TokenFile::Created => "a new token written to",
        TokenFile::Read => "the token in",
    };
    Ok((
        Some(token),
        format!(
            "administrator: {how} {} (sign in at /admin)",
            path.display()
        ),
    ))
}

/// Why `--admin NAME` is refused.
const ADMIN_NAME_GONE: &str = "--admin NAME is no longer accepted: anyone could sign up with that name and become the administrator. Start with --admin-token-file PATH instead (a new random token is written there if the file does not exist) and sign in at /admin with that token.";

async fn run(args: Args) -> Result<(), String> {
    let (admin_token, admin_line) = admin_token(&args)?;
    let store = tokio::task::spawn_blocking({
        let spec = args.store.clone();
        move || open_store(&spec)
    })
    .await
    .map_err(|e| e.to_string())??;
    let (keyring, key_source) = keyring()?;
    let mfa = MfaService::new(store, keyring, Policy::default());
    let mut config = Config::new(args.issuer, admin_token);
    config.https = args.https;
    let metrics_line = match &args.metrics_token_file {
        Some(path) => {
            config.metrics_token = Some(AdminToken::from_file(path)?.0);
            Some(format!(
                "/metrics needs the token in {} (Authorization: Bearer)",
                path.display()
            ))
        }
        None => None,
    };
    let app = Arc::new(App::new(mfa, config));

    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The store's kind only: a connection string may hold a password.
    let kind = args.store.split(':').next().unwrap_or("");
    println!("otpkit-web: device store {kind}; sealing key {key_source}");
    println!("otpkit-web: {admin_line}");
    if let Some(line) = metrics_line {
        println!("otpkit-web: {line}");
    }
    println!("otpkit-web: listening on http://{addr}/");
    axum::serve(listener, app::router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod main_tests {
    use super::*;

    #[test]
    fn an_administrator_name_is_refused_with_the_way_to_a_token() {
        let args = Args::try_parse_from(["otpkit-web", "--admin", "root"]).unwrap();
        let e = admin_token(&args).err().unwrap();
        assert!(e.contains("--admin-token-file PATH"), "{e}");
        let args = Args::try_parse_from(["otpkit-web"]).unwrap();
        let (token, line) = admin_token(&args).unwrap();
        assert!(token.is_none());
        assert_eq!(line, "no administrator (--admin-token-file PATH makes one)");
    }
}
