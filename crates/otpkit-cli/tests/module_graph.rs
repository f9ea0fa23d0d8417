//! The CLI's module graph, read from its sources: each subcommand's arguments (its
//! clap `Args` struct) and its `run` in one file under `src/commands/`; `src/cli.rs`
//! assembling the `Command` enum from them and mapping each variant to its `run`;
//! nothing under `src/commands/` referring back to `cli.rs`, so the modules form no
//! circle; `commands/mod.rs` nothing but the list of subcommands.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files under `dir`, at any depth.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The code of a file without its comments (`//` to the end of the line).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Name(module::NameArgs)` variants of `cli.rs`'s `Command` enum: (module, struct).
fn subcommands() -> Vec<(String, String)> {
    let cli = code(&src().join("cli.rs"));
    let body = cli
        .split("pub enum Command {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("cli.rs declares `pub enum Command`");
    body.lines()
        .filter_map(|line| {
            let inner = line.trim().strip_suffix("),")?.split_once('(')?.1;
            let (module, args) = inner.split_once("::")?;
            Some((module.to_owned(), args.to_owned()))
        })
        .collect()
}

#[test]
fn nothing_under_commands_refers_back_to_the_cli_module() {
    let files = rust_files(&src().join("commands"));
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let text: String = code(&file).split_whitespace().collect();
        for circle in ["crate::cli", "super::super::cli", "super::cli"] {
            assert!(
                !text.contains(circle),
                "{} refers to {circle}: the subcommands must not depend on the module that \
                 assembles them",
                file.display()
            );
        }
    }
}

#[test]
fn every_subcommand_owns_its_arguments_and_code_in_its_file() {
    let commands = subcommands();
    assert_eq!(commands.len(), 11, "{commands:?}");
    let cli = code(&src().join("cli.rs"));
    for (module, args) in &commands {
        let file = src().join("commands").join(format!("{module}.rs"));
        let text = code(&file);
        assert!(
            text.contains(&format!("pub struct {args} {{")),
            "{} does not declare {args}",
            file.display()
        );
        assert!(
            text.contains(&format!("pub fn run(args: {args}, io: &mut Io<'_>)")),
            "{} has no `run` taking {args}",
            file.display()
        );
        assert!(
            cli.contains(&format!("=> {module}::run(args, io),")),
            "cli.rs does not run {module}"
        );
    }
    // No subcommand is left at the top with its own arguments.
    for file in rust_files(&src()) {
        if file.starts_with(src().join("commands")) {
            continue;
        }
        let text = code(&file);
        for (_, args) in &commands {
            assert!(
                !text.contains(&format!("struct {args}")),
                "{} declares {args}",
                file.display()
            );
        }
    }
}

#[test]
fn commands_mod_only_lists_the_subcommands() {
    let text = code(&src().join("commands/mod.rs"));
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with("pub mod ") || line.starts_with("mod "),
            "commands/mod.rs holds more than the list of subcommands: {line:?}"
        );
    }
}
