//! Mechanical checks of the architecture, by parsing the code (`syn`), not by matching text:
//! every path a file names (in `use` trees, grouped or not, in expressions, types, patterns and
//! macros) is resolved against the module it is in and checked against the invariants
//! ARCHITECTURE.md states.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

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

/// One path a file names, resolved to start at `crate` or an external crate.
#[derive(Debug, Clone)]
struct Named {
    path: Vec<String>,
    line: usize,
}

/// A source file: where it is, the module it is, and every path it names.
struct SourceFile {
    /// `src/core/search/index.rs`
    rel: String,
    /// `["crate", "core", "search", "index"]`
    module: Vec<String>,
    named: Vec<Named>,
}

impl SourceFile {
    fn is_in(&self, prefix: &str) -> bool {
        self.rel == format!("{prefix}.rs") || self.rel.starts_with(&format!("{prefix}/"))
    }
}

/// Collects the paths of one file, resolving `self::`/`super::` and `use` aliases.
struct Collector {
    module: Vec<String>,
    /// Names brought into scope by `use` (the last segment or its rename), with their paths.
    aliases: BTreeMap<String, Vec<String>>,
    raw: Vec<(Vec<String>, usize)>,
}

impl Collector {
    fn resolve(&self, segments: &[String]) -> Vec<String> {
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        let mut out = match first.as_str() {
            "crate" => vec!["crate".to_string()],
            "self" => self.module.clone(),
            "super" => {
                let mut m = self.module.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    m.pop();
                    rest = &rest[1..];
                }
                m.extend(rest.iter().cloned());
                return m;
            }
            name => match self.aliases.get(name) {
                Some(path) => path.clone(),
                None => vec![name.to_string()],
            },
        };
        out.extend(segments[1..].iter().cloned());
        out
    }

    fn flatten_use(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, line: usize) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.flatten_use(prefix, &p.tree, line);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                let name = n.ident.to_string();
                if name != "self" {
                    path.push(name.clone());
                }
                let resolved = self.resolve(&path);
                let key = if name == "self" {
                    prefix.last().cloned().unwrap_or_default()
                } else {
                    name
                };
                self.aliases.insert(key, resolved.clone());
                self.raw.push((resolved, line));
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                let resolved = self.resolve(&path);
                self.aliases.insert(r.rename.to_string(), resolved.clone());
                self.raw.push((resolved, line));
            }
            syn::UseTree::Glob(_) => {
                let resolved = self.resolve(prefix);
                self.raw.push((resolved, line));
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.flatten_use(prefix, item, line);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let line = item.span().start().line;
        self.flatten_use(&mut Vec::new(), &item.tree, line);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.raw.push((segments, path.span().start().line));
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut segments: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let Some(last) = segments.last_mut() {
            last.push('!');
        }
        self.raw.push((segments, mac.span().start().line));
        syn::visit::visit_macro(self, mac);
    }
}

fn parse_sources() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap();
            let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let mut module = vec!["crate".to_string()];
            let inner = rel.trim_start_matches("src/").trim_end_matches(".rs");
            module.extend(
                inner
                    .split('/')
                    .filter(|s| !matches!(*s, "mod" | "lib" | "main"))
                    .map(str::to_string),
            );
            // `use` items are visited first so that later paths resolve through their aliases.
            let mut collector = Collector {
                module: module.clone(),
                aliases: BTreeMap::new(),
                raw: Vec::new(),
            };
            for item in &ast.items {
                if let syn::Item::Use(u) = item {
                    collector.visit_item_use(u);
                }
            }
            collector.visit_file(&ast);
            let named = collector
                .raw
                .clone()
                .into_iter()
                .map(|(segments, line)| Named {
                    path: collector.resolve(&segments),
                    line,
                })
                .collect();
            SourceFile { rel, module, named }
        })
        .collect()
}

fn starts_with(path: &[String], prefix: &str) -> bool {
    let want: Vec<&str> = prefix.split("::").collect();
    path.len() >= want.len() && path.iter().zip(&want).all(|(a, b)| a == b)
}

/// A path whose last two segments are a type and `now`: reading a clock.
fn reads_the_clock(path: &[String]) -> bool {
    let n = path.len();
    n >= 2
        && path[n - 1] == "now"
        && matches!(
            path[n - 2].as_str(),
            "Timestamp" | "Zoned" | "SystemTime" | "Instant" | "Utc" | "Local"
        )
}

/// Fails listing every place where a file `applies_to` covers names something `forbidden`.
fn assert_nowhere(
    sources: &[SourceFile],
    applies_to: impl Fn(&SourceFile) -> bool,
    forbidden: impl Fn(&[String]) -> bool,
    what: &str,
) {
    let mut out = BTreeSet::new();
    for file in sources.iter().filter(|f| applies_to(f)) {
        for named in &file.named {
            if forbidden(&named.path) {
                out.insert(format!(
                    "{}:{}: {what}: `{}`",
                    file.rel,
                    named.line,
                    named.path.join("::")
                ));
            }
        }
    }
    let found: Vec<String> = out.into_iter().collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The edge modules of the crate, which the core may not name.
const EDGES: &[&str] = &[
    "crate::app",
    "crate::cli",
    "crate::clock",
    "crate::config",
    "crate::discord",
    "crate::logging",
    "crate::scheduler",
    "crate::store",
];

/// What the core may not name besides the edges: I/O, the environment, the network, processes,
/// printing, and the async and Discord crates.
const CORE_FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::env",
    "std::net",
    "std::process",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "std::time::SystemTime",
    "std::time::Instant",
    "std::thread",
    "tokio",
    "serenity",
    "poise",
    "reqwest",
    "println!",
    "eprintln!",
    "print!",
    "eprint!",
    "dbg!",
];

#[test]
fn core_modules_do_not_name_edges_io_the_environment_or_the_clock() {
    let sources = parse_sources();
    assert!(
        sources.iter().filter(|f| f.is_in("src/core")).count() >= 8,
        "the core is where ARCHITECTURE.md says it is"
    );
    assert_nowhere(
        &sources,
        |f| f.is_in("src/core"),
        |path| {
            EDGES
                .iter()
                .chain(CORE_FORBIDDEN)
                .any(|p| starts_with(path, p))
                || reads_the_clock(path)
        },
        "the core must stay pure",
    );
}

#[test]
fn only_discord_names_serenity_or_poise() {
    assert_nowhere(
        &parse_sources(),
        |f| !f.is_in("src/discord"),
        |path| starts_with(path, "serenity") || starts_with(path, "poise"),
        "only src/discord talks to Discord",
    );
}

#[test]
fn only_store_touches_files() {
    assert_nowhere(
        &parse_sources(),
        |f| f.rel != "src/store.rs",
        |path| starts_with(path, "std::fs") || starts_with(path, "tokio::fs"),
        "only src/store touches files",
    );
}

#[test]
fn only_clock_reads_the_time() {
    assert_nowhere(
        &parse_sources(),
        |f| f.rel != "src/clock.rs",
        reads_the_clock,
        "only src/clock reads the time",
    );
}

#[test]
fn only_config_reads_the_environment() {
    assert_nowhere(
        &parse_sources(),
        |f| f.rel != "src/config.rs",
        |path| starts_with(path, "std::env::var") || starts_with(path, "std::env::vars"),
        "only src/config reads the environment",
    );
}

/// The checker itself: grouped imports, aliases, `super::` and inline paths are all seen.
#[test]
fn the_checker_sees_grouped_aliased_relative_and_inline_paths() {
    let text = "use crate::{store, app::App as A};\nuse std::{fs as f, time::Instant};\n\
                fn g() { let _ = f::read(\"https://x\"); let _ = Instant::now(); \
                super::super::discord::x(); println!(\"// not a comment\"); }";
    let ast = syn::parse_file(text).unwrap();
    let mut collector = Collector {
        module: vec!["crate".into(), "core".into(), "search".into()],
        aliases: BTreeMap::new(),
        raw: Vec::new(),
    };
    for item in &ast.items {
        if let syn::Item::Use(u) = item {
            collector.visit_item_use(u);
        }
    }
    collector.visit_file(&ast);
    let resolved: Vec<String> = collector
        .raw
        .clone()
        .into_iter()
        .map(|(s, _)| collector.resolve(&s).join("::"))
        .collect();
    for expected in [
        "crate::store",
        "crate::app::App",
        "std::fs::read",
        "std::time::Instant::now",
        "crate::discord::x",
        "println!",
    ] {
        assert!(
            resolved.iter().any(|r| r == expected),
            "{expected} not in {resolved:?}"
        );
    }
}

#[test]
fn architecture_md_names_every_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    for file in parse_sources() {
        let module = file.rel.trim_end_matches("/mod.rs").trim_end_matches(".rs");
        let named =
            map.contains(&format!("`{module}`")) || map.contains(&format!("`{}`", file.rel));
        assert!(
            named,
            "ARCHITECTURE.md does not mention `{module}` ({:?})",
            file.module
        );
    }
}

/// Finds calls that block on files, or on the one writer, made where they would run on an
/// async runtime worker: every call of a `store` function, and of the writer's methods
/// (`apply`, `undo`, `audit`, `reload`, and `change` for the fact-of-the-day settings), that
/// is not inside a closure given to `spawn_blocking` or `app::off_runtime`.
struct BlockingCalls<'c> {
    collector: &'c Collector,
    /// How many `spawn_blocking`/`off_runtime` closures the visitor is inside.
    off_runtime: usize,
    found: Vec<(String, usize)>,
}

const WRITER_METHODS: &[&str] = &["apply", "undo", "audit", "reload", "change"];

impl<'ast> Visit<'ast> for BlockingCalls<'_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(path) = &*call.func {
            let segments: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let resolved = self.collector.resolve(&segments);
            let last = resolved.last().map_or("", String::as_str);
            if matches!(last, "spawn_blocking" | "off_runtime") {
                self.off_runtime += 1;
                syn::visit::visit_expr_call(self, call);
                self.off_runtime -= 1;
                return;
            }
            let function = last.starts_with(|c: char| c.is_ascii_lowercase());
            if self.off_runtime == 0 && starts_with(&resolved, "crate::store") && function {
                self.found
                    .push((resolved.join("::"), call.span().start().line));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if self.off_runtime == 0 && WRITER_METHODS.contains(&method.as_str()) {
            self.found
                .push((format!(".{method}()"), call.span().start().line));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// The blocking calls of one file's text, as `module` (see [`BlockingCalls`]).
fn blocking_calls(module: Vec<String>, text: &str) -> Vec<(String, usize)> {
    let ast = syn::parse_file(text).unwrap();
    let mut collector = Collector {
        module,
        aliases: BTreeMap::new(),
        raw: Vec::new(),
    };
    for item in &ast.items {
        if let syn::Item::Use(u) = item {
            collector.visit_item_use(u);
        }
    }
    let mut calls = BlockingCalls {
        collector: &collector,
        off_runtime: 0,
        found: Vec::new(),
    };
    calls.visit_file(&ast);
    calls.found
}

#[test]
fn async_modules_do_file_work_and_writes_only_off_the_runtime() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let sources = parse_sources();
    let async_modules: Vec<&SourceFile> = sources
        .iter()
        .filter(|f| f.is_in("src/discord") || f.rel == "src/scheduler.rs")
        .collect();
    assert!(
        async_modules.len() >= 3,
        "the async modules are where they were"
    );
    for file in async_modules {
        let text = std::fs::read_to_string(root.join(&file.rel)).unwrap();
        for (call, line) in blocking_calls(file.module.clone(), &text) {
            out.push(format!(
                "{}:{line}: `{call}` blocks; call it inside off_runtime (spawn_blocking)",
                file.rel
            ));
        }
    }
    assert!(out.is_empty(), "{}", out.join("\n"));
}

/// The blocking-call checker itself: a direct call is found, one inside `off_runtime` or
/// `spawn_blocking` is not, through aliases too.
#[test]
fn the_blocking_call_checker_finds_calls_outside_blocking_closures() {
    let text = "use crate::store as disk;\nuse crate::app::off_runtime;\n\
                async fn f(app: A) { disk::save_ledgers(&d, &l); let _ = disk::LEDGER;\n\
                off_runtime(move || disk::load_ledgers(&d)).await;\n\
                tokio::task::spawn_blocking(move || app.apply(c)).await;\n\
                app.audit(); }\nfn g() { crate::store::write_atomic(p, b); }";
    let found = blocking_calls(vec!["crate".into(), "scheduler".into()], text);
    let names: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "crate::store::save_ledgers",
            ".audit()",
            "crate::store::write_atomic"
        ]
    );
}
