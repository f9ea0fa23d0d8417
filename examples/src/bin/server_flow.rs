//! The server-side MFA flow, start to finish, against SQLite.
//!
//! ```text
//! server_flow [--db FILE]
//! ```
//!
//! With `--db` the device table is kept in that SQLite file (created if missing);
//! otherwise in memory.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use otpkit_examples::flow::{self, Setup};
use otpkit_store::SqliteStore;

/// Runs the AWS-style MFA flow (enrol, sign in, replay, race, lock-out, resync)
/// with a simulated authenticator app and clock.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Keep the device table in this SQLite file instead of in memory.
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let store = match &args.db {
        Some(path) => SqliteStore::open(path),
        None => SqliteStore::in_memory(),
    };
    let result = store.map_err(|e| e.to_string()).and_then(|store| {
        let start = otpkit::unix_now().map_err(|e| e.to_string())?;
        let setup = Setup {
            start,
            secret: None,
            store,
        };
        flow::run(setup, &mut std::io::stdout().lock()).map_err(|e| e.to_string())
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "server_flow: {e}");
            ExitCode::FAILURE
        }
    }
}
