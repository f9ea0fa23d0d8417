//! `otpkit-js-bindgen INPUT.wasm TARGET OUT_DIR [TARGET OUT_DIR ...]`: the JavaScript
//! glue and TypeScript declarations for each wasm-bindgen TARGET (`nodejs-module`,
//! `nodejs`, `web`) into its OUT_DIR, as `wasm-bindgen --target T --out-dir D` does.
//! `otpkit-js-bindgen --version` prints the wasm-bindgen version it was built with.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use wasm_bindgen_cli_support::Bindgen;

const USAGE: &str = "usage: otpkit-js-bindgen INPUT.wasm TARGET OUT_DIR [TARGET OUT_DIR ...]\n\
                     TARGET: nodejs-module (ES module for Node), nodejs (CommonJS), web\n\
                     or: otpkit-js-bindgen --version";

/// The wasm-bindgen output modes the npm package ships.
#[derive(Clone, Copy)]
enum Target {
    /// `--target experimental-nodejs-module`: an ES module that loads the .wasm on import.
    NodejsModule,
    /// `--target nodejs`: CommonJS (`require`), loads the .wasm on require.
    Nodejs,
    /// `--target web`: an ES module for browsers and bundlers, `init()` loads the .wasm.
    Web,
}

impl Target {
    fn parse(name: &str) -> Option<Target> {
        match name {
            "nodejs-module" => Some(Target::NodejsModule),
            "nodejs" => Some(Target::Nodejs),
            "web" => Some(Target::Web),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Target::NodejsModule => "nodejs-module",
            Target::Nodejs => "nodejs",
            Target::Web => "web",
        }
    }
}

/// One target's output, with the wasm-bindgen CLI's defaults: TypeScript declarations,
/// demangled names, and `init()` defaulting to the .wasm beside the module (web).
fn generate(input: &Path, target: Target, out_dir: &Path) -> Result<(), String> {
    let mut bindgen = Bindgen::new();
    let mode = match target {
        Target::NodejsModule => bindgen.nodejs_module(true),
        Target::Nodejs => bindgen.nodejs(true),
        Target::Web => bindgen.web(true),
    };
    mode.map_err(|e| format!("{}: {e:#}", target.name()))?;
    bindgen
        .input_path(input)
        .typescript(true)
        .omit_default_module_path(false)
        .generate(out_dir)
        .map_err(|e| format!("{} -> {}: {e:#}", target.name(), out_dir.display()))
}

fn run(args: &[OsString]) -> Result<(), String> {
    let (input, pairs) = match args {
        [flag] if flag == "--version" => {
            println!("otpkit-js-bindgen {}", wasm_bindgen_shared::version());
            return Ok(());
        }
        [input, pairs @ ..] if !pairs.is_empty() && pairs.len() % 2 == 0 => (input, pairs),
        _ => return Err(USAGE.to_owned()),
    };
    for pair in pairs.chunks_exact(2) {
        let [target, out_dir] = pair else {
            return Err(USAGE.to_owned());
        };
        let target = target
            .to_str()
            .and_then(Target::parse)
            .ok_or_else(|| format!("unknown target {target:?}\n{USAGE}"))?;
        generate(Path::new(input), target, Path::new(out_dir))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("otpkit-js-bindgen: {message}");
            ExitCode::FAILURE
        }
    }
}
