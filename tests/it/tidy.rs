//! Mechanical checks of the architecture: the core knows nothing of the edges.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What a core module may not name: edges of this crate, I/O, the environment, the clock,
/// and the async and Discord crates.
const FORBIDDEN: &[&str] = &[
    "crate::app",
    "crate::cli",
    "crate::config",
    "crate::store",
    "crate::discord",
    "crate::clock",
    "crate::scheduler",
    "std::fs",
    "std::env",
    "std::net",
    "std::process",
    "std::io::stdin",
    "SystemTime",
    "Instant",
    "::now(",
    "tokio",
    "serenity",
    "poise",
    "println!",
    "eprintln!",
];

#[test]
fn core_modules_do_not_import_edges_io_the_environment_or_the_clock() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    assert!(
        files.len() >= 8,
        "the core is where ARCHITECTURE.md says it is"
    );
    let mut violations = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    violations.push(format!("{}:{}: uses `{word}`", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "the core must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn architecture_md_names_every_top_level_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = rel.trim_end_matches("/mod.rs").trim_end_matches(".rs");
        let named = map.contains(&format!("`{module}`")) || map.contains(&format!("`{rel}`"));
        assert!(named, "ARCHITECTURE.md does not mention `{module}`");
    }
}
