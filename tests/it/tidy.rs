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
    /// Named inside a `#[cfg(test)]` module: the file's tests, not the program.
    in_test: bool,
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

/// Collects the paths of one file, each resolved where it is named: `self::`/`super::`, `use`
/// aliases, modules the file declares (`mod x;`, `mod x { .. }`) and the modules inline in it.
struct Collector {
    /// The module being read: the file's, or an inline module inside it.
    module: Vec<String>,
    /// Names brought into scope by `use` (the last segment or its rename), with their paths. An
    /// inline module starts with its parent's (as `use super::*` gives it).
    aliases: BTreeMap<String, Vec<String>>,
    /// Modules declared in the module being read, which a bare path may start with.
    children: BTreeSet<String>,
    /// Inside a `#[cfg(test)]` module.
    in_test: bool,
    /// Every path named, resolved, with its line.
    raw: Vec<Named>,
}

impl Collector {
    fn new(module: Vec<String>) -> Collector {
        Collector {
            module,
            aliases: BTreeMap::new(),
            children: BTreeSet::new(),
            in_test: false,
            raw: Vec::new(),
        }
    }

    fn record(&mut self, path: Vec<String>, line: usize) {
        self.raw.push(Named {
            path,
            line,
            in_test: self.in_test,
        });
    }

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
            name if self.children.contains(name) => {
                let mut m = self.module.clone();
                m.push(name.to_string());
                m
            }
            name => match self.aliases.get(name) {
                Some(path) => path.clone(),
                None => vec![name.to_string()],
            },
        };
        out.extend(segments[1..].iter().cloned());
        out
    }

    /// Reads what a module's items bring into scope before its paths are resolved: the modules
    /// it declares and its `use` items.
    fn declare(&mut self, items: &[syn::Item]) {
        for item in items {
            if let syn::Item::Mod(m) = item {
                self.children.insert(m.ident.to_string());
            }
        }
        for item in items {
            if let syn::Item::Use(u) = item {
                self.visit_item_use(u);
            }
        }
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
                self.record(resolved, line);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                let resolved = self.resolve(&path);
                self.aliases.insert(r.rename.to_string(), resolved.clone());
                self.record(resolved, line);
            }
            syn::UseTree::Glob(_) => {
                let resolved = self.resolve(prefix);
                self.record(resolved, line);
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

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let Some((_, items)) = &item.content else {
            return;
        };
        let outer = (
            self.aliases.clone(),
            std::mem::take(&mut self.children),
            self.in_test,
        );
        self.in_test |= item.attrs.iter().any(is_cfg_test);
        self.module.push(item.ident.to_string());
        self.declare(items);
        for item in items {
            self.visit_item(item);
        }
        self.module.pop();
        (self.aliases, self.children, self.in_test) = outer;
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        // `::name` is always the external crate, whatever is in scope.
        let resolved = if path.leading_colon.is_some() {
            segments
        } else {
            self.resolve(&segments)
        };
        self.record(resolved, path.span().start().line);
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
        let resolved = self.resolve(&segments);
        self.record(resolved, mac.span().start().line);
        // A macro's arguments are tokens, not syntax, to syn: every path written in them
        // (`format!("{}", std::env::var("X")?)`, `vec![crate::store::x()]`) is read from them.
        self.record_token_paths(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

impl Collector {
    /// Records every run `a::b::c` (or `::a::b`) in a macro's tokens, nested groups too.
    fn record_token_paths(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let is_colons = |i: usize| {
            matches!((tokens.get(i), tokens.get(i + 1)),
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == ':' && b.as_char() == ':'
                        && a.spacing() == proc_macro2::Spacing::Joint)
        };
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(g) => {
                    self.record_token_paths(g.stream());
                    i += 1;
                }
                TokenTree::Ident(_) | TokenTree::Punct(_) => {
                    let leading = is_colons(i);
                    let mut j = if leading { i + 2 } else { i };
                    let mut segments = Vec::new();
                    let line = tokens[i].span().start().line;
                    while let Some(TokenTree::Ident(ident)) = tokens.get(j) {
                        segments.push(ident.to_string());
                        if is_colons(j + 1) {
                            j += 3;
                        } else {
                            j += 1;
                            break;
                        }
                    }
                    if segments.len() > 1 || (leading && !segments.is_empty()) {
                        let resolved = if leading {
                            segments
                        } else {
                            self.resolve(&segments)
                        };
                        self.record(resolved, line);
                    }
                    i = j.max(i + 1);
                }
                TokenTree::Literal(_) => i += 1,
            }
        }
    }
}

/// Every file under `src/`, parsed once for all the checks (they run in parallel).
fn parse_sources() -> &'static [SourceFile] {
    static SOURCES: std::sync::OnceLock<Vec<SourceFile>> = std::sync::OnceLock::new();
    SOURCES.get_or_init(read_sources)
}

fn read_sources() -> Vec<SourceFile> {
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
            parse_source(&rel, &std::fs::read_to_string(&file).unwrap())
        })
        .collect()
}

/// One file's text, as the file `rel` (`src/...`).
fn parse_source(rel: &str, text: &str) -> SourceFile {
    let ast = syn::parse_file(text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut module = vec!["crate".to_string()];
    let inner = rel.trim_start_matches("src/").trim_end_matches(".rs");
    module.extend(
        inner
            .split('/')
            .filter(|s| !matches!(*s, "mod" | "lib" | "main"))
            .map(str::to_string),
    );
    // What the file declares and imports is read first, so that every path resolves through it.
    let mut collector = Collector::new(module.clone());
    collector.declare(&ast.items);
    collector.visit_file(&ast);
    SourceFile {
        rel: rel.to_string(),
        module,
        named: collector.raw,
    }
}

/// `#[cfg(test)]`.
fn is_cfg_test(attr: &syn::Attribute) -> bool {
    match &attr.meta {
        syn::Meta::List(list) => list.path.is_ident("cfg") && list.tokens.to_string() == "test",
        _ => false,
    }
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
        sources,
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
        parse_sources(),
        |f| !f.is_in("src/discord"),
        |path| starts_with(path, "serenity") || starts_with(path, "poise"),
        "only src/discord talks to Discord",
    );
}

#[test]
fn only_store_touches_files() {
    assert_nowhere(
        parse_sources(),
        |f| f.rel != "src/store.rs",
        |path| starts_with(path, "std::fs") || starts_with(path, "tokio::fs"),
        "only src/store touches files",
    );
}

#[test]
fn only_clock_reads_the_time() {
    assert_nowhere(
        parse_sources(),
        |f| f.rel != "src/clock.rs",
        reads_the_clock,
        "only src/clock reads the time",
    );
}

#[test]
fn only_config_reads_the_environment() {
    assert_nowhere(
        parse_sources(),
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
                super::super::discord::x(); println!(\"// not a comment\"); \
                let _ = format!(\"{}\", std::env::var(\"X\").is_ok()); \
                let _ = vec![store::x(), ::tokio::spawn(f)]; }";
    let resolved: Vec<String> = parse_source("src/core/search/mod.rs", text)
        .named
        .iter()
        .map(|n| n.path.join("::"))
        .collect();
    for expected in [
        "crate::store",
        "crate::app::App",
        "std::fs::read",
        "std::time::Instant::now",
        "crate::discord::x",
        "println!",
        "std::env::var",
        "crate::store::x",
        "tokio::spawn",
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
    for file in parse_sources().iter() {
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

    /// A macro's arguments are tokens to syn: those that read as expressions separated by
    /// commas (`format!`, `vec!`, `assert!`, `tracing::info!("{}", ..)`) are checked as code.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        use syn::parse::Parser;
        let args = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
            .parse2(mac.tokens.clone());
        if let Ok(args) = args {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The blocking calls of one file's text, as `module` (see [`BlockingCalls`]).
fn blocking_calls(module: Vec<String>, text: &str) -> Vec<(String, usize)> {
    let ast = syn::parse_file(text).unwrap();
    let mut collector = Collector::new(module);
    collector.declare(&ast.items);
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
                app.audit(); tracing::info!(\"{:?}\", disk::read_audit_log(&d));\n\
                let _ = format!(\"{:?}\", app.undo(None)); }\n\
                fn g() { crate::store::write_atomic(p, b); }";
    let found = blocking_calls(vec!["crate".into(), "scheduler".into()], text);
    let names: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "crate::store::save_ledgers",
            ".audit()",
            "crate::store::read_audit_log",
            ".undo()",
            "crate::store::write_atomic"
        ]
    );
}

/// The crate's module graph at file granularity. Each file under `src/` is a node; there is an
/// edge from A to B when A names a path inside B: the longest file module the path starts with
/// (`crate::core::search::SearchIndex` is inside `src/core/search/mod.rs`,
/// `crate::core::search::names::resolve_speaker` inside `src/core/search/names.rs`). Passing
/// through a module on the way to one of its children is not an edge to it, and neither is a
/// `mod` declaration. A file's inline modules are part of it, and its `#[cfg(test)]` modules
/// are left out: they are not the program, and a child's tests may call the parent's API
/// (`search/index.rs`'s tests call `search::search`) without making the program a knot.
///
/// Edges are kept with the first line that makes them, so a cycle can be shown where it is.
type Graph = BTreeMap<String, BTreeMap<String, usize>>;

fn module_graph(sources: &[SourceFile]) -> Graph {
    let mut graph = Graph::new();
    for file in sources {
        let edges = graph.entry(file.rel.clone()).or_default();
        for named in &file.named {
            if named.in_test || named.path.first().is_none_or(|s| s != "crate") {
                continue;
            }
            let target = sources
                .iter()
                .filter(|t| named.path.starts_with(&t.module))
                .max_by_key(|t| t.module.len());
            if let Some(target) = target
                && target.rel != file.rel
            {
                edges.entry(target.rel.clone()).or_insert(named.line);
            }
        }
    }
    graph
}

/// Every cycle's strongly connected set of files, each shown as one cycle through it with the
/// line of every edge: `a.rs:3 → b.rs:9 → a.rs`.
fn cycles(graph: &Graph) -> Vec<String> {
    // Which files each file reaches, then the files that reach each other.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(node) = stack.pop() {
            for next in graph.get(&node).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|node| (node, reach(node))).collect();
    let mut shown = BTreeSet::new();
    let mut out = Vec::new();
    for (node, reached) in &reaches {
        if !reached.contains(*node) || shown.contains(*node) {
            continue;
        }
        let members: BTreeSet<&String> = reached
            .iter()
            .filter(|other| reaches[other].contains(*node))
            .collect();
        shown.extend(members.iter().map(|m| (*m).clone()));
        // The shortest way back to `node` from itself, breadth first within the set.
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([*node]);
        'search: while let Some(at) = queue.pop_front() {
            for next in graph[at].keys() {
                if next == *node {
                    previous.insert(node, at);
                    break 'search;
                }
                if members.contains(next) && !previous.contains_key(next) {
                    previous.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        let mut path = vec![*node];
        let mut at = previous[node];
        while at != *node {
            path.push(at);
            at = previous[at];
        }
        path.push(node);
        path.reverse();
        // `path` now runs node → … → node; show each edge's line on its source.
        let steps: Vec<String> = path
            .windows(2)
            .map(|w| format!("{}:{}", w[0], graph[w[0]][w[1]]))
            .chain(std::iter::once(node.to_string()))
            .collect();
        out.push(steps.join(" → "));
    }
    out
}

#[test]
fn the_module_graph_of_src_has_no_cycles() {
    let sources = parse_sources();
    let graph = module_graph(sources);
    assert!(
        graph.values().map(BTreeMap::len).sum::<usize>() > sources.len(),
        "the graph has the crate's edges"
    );
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules that depend on each other (each arrow at the line that names the next):\n{}",
        found.join("\n")
    );
}

/// The Discord layer's shared modules: what every feature may use.
const DISCORD_FRAMEWORK: &[&str] = &["src/discord/framework.rs", "src/discord/embed.rs"];
/// The Discord layer's root: the command list and the routing of clicks, which knows every
/// feature and which no file in the layer may use.
const DISCORD_ROOT: &str = "src/discord/mod.rs";

#[test]
fn discord_features_depend_on_the_framework_and_not_on_each_other() {
    let sources = parse_sources();
    let graph = module_graph(sources);
    let features: Vec<&String> = graph
        .keys()
        .filter(|f| f.starts_with("src/discord/"))
        .filter(|f| *f != DISCORD_ROOT && !DISCORD_FRAMEWORK.contains(&f.as_str()))
        .collect();
    assert!(
        features.len() >= 3,
        "lookup, fotd and curate are features: {features:?}"
    );
    let mut out = Vec::new();
    for (file, edges) in &graph {
        if !file.starts_with("src/discord/") || file == DISCORD_ROOT {
            continue;
        }
        for (target, line) in edges {
            let framework = DISCORD_FRAMEWORK.contains(&target.as_str());
            if target.starts_with("src/discord/") && !framework {
                out.push(format!("{file}:{line}: names `{target}`"));
            }
        }
    }
    assert!(
        out.is_empty(),
        "a Discord feature or the framework names another feature or the root:\n{}",
        out.join("\n")
    );
}

/// The graph checks themselves: a `use`, a bare child-module path, and a glob through an inline
/// module's `super::` are all edges (a test module's are not), and the cycle they make is shown.
#[test]
fn the_graph_check_finds_a_cycle_and_shows_it_with_lines() {
    let files = [
        (
            "src/lib.rs",
            "pub mod a;\npub mod b;\nfn f() { a::run(); }\n",
        ),
        (
            "src/a/mod.rs",
            "pub mod inner;\nuse crate::b::B;\npub fn run() { inner::go(); }\n",
        ),
        ("src/a/inner.rs", "pub fn go() {}\n"),
        (
            "src/b.rs",
            "pub struct B;\nmod helpers {\n    use super::super::a::*;\n}\n\
             #[cfg(test)]\nmod tests {\n    use crate::c::*;\n}\n",
        ),
        ("src/c.rs", "use crate::a::inner::go;\n"),
    ];
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(rel, text)| parse_source(rel, text))
        .collect();
    let graph = module_graph(&sources);
    let edges = |from: &str| -> Vec<&str> { graph[from].keys().map(String::as_str).collect() };
    assert_eq!(edges("src/lib.rs"), ["src/a/mod.rs"]);
    assert_eq!(edges("src/a/mod.rs"), ["src/a/inner.rs", "src/b.rs"]);
    assert_eq!(edges("src/b.rs"), ["src/a/mod.rs"]);
    assert_eq!(
        edges("src/c.rs"),
        ["src/a/inner.rs"],
        "passing through a module is not an edge to it"
    );
    assert_eq!(
        cycles(&graph),
        ["src/a/mod.rs:2 → src/b.rs:3 → src/a/mod.rs"]
    );
}

/// Derives and trait impls that give a type a way around its invariant: every derive on
/// `type_name` not in `allowed_derives`, and every impl for it of a trait in `forbidden`.
fn backdoors(
    text: &str,
    type_name: &str,
    allowed_derives: &[&str],
    forbidden: &[&str],
) -> Vec<String> {
    let ast = syn::parse_file(text).unwrap();
    let mut found = Vec::new();
    for item in &ast.items {
        match item {
            syn::Item::Struct(s) if s.ident == type_name => {
                for attr in s.attrs.iter().filter(|a| a.path().is_ident("derive")) {
                    let _ = attr.parse_nested_meta(|meta| {
                        let name = meta
                            .path
                            .segments
                            .last()
                            .map(|s| s.ident.to_string())
                            .unwrap_or_default();
                        if !allowed_derives.contains(&name.as_str()) {
                            found.push(format!("derive({name})"));
                        }
                        Ok(())
                    });
                }
            }
            syn::Item::Impl(i) => {
                let for_type = matches!(&*i.self_ty, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == type_name));
                let trait_name = i
                    .trait_
                    .as_ref()
                    .and_then(|(_, path, _)| path.segments.last())
                    .map(|s| s.ident.to_string());
                if let (true, Some(name)) = (for_type, trait_name)
                    && forbidden.contains(&name.as_str())
                {
                    found.push(format!("impl {name}"));
                }
            }
            _ => {}
        }
    }
    found
}

/// How a file could make a `Catalog` without the parser.
fn catalog_backdoors(text: &str) -> Vec<String> {
    backdoors(
        text,
        "Catalog",
        &["Debug", "Clone"],
        &["Default", "Deserialize", "From"],
    )
}

/// How a file could let the token be printed, logged or serialized (its `Debug` is written by
/// hand and redacts it).
fn token_backdoors(text: &str) -> Vec<String> {
    backdoors(text, "Token", &[], &["Display", "Serialize"])
}

#[test]
fn a_catalog_is_only_built_by_the_parser_and_the_token_cannot_be_printed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = parse_sources();
    let mut out = Vec::new();
    for file in sources {
        let text = std::fs::read_to_string(root.join(&file.rel)).unwrap();
        for backdoor in catalog_backdoors(&text) {
            out.push(format!("{}: Catalog has {backdoor}", file.rel));
        }
        // The config's token, where it is defined and wherever it is named (another module's
        // `Token`, the search's, is no secret).
        let names_the_token = file.rel == "src/config.rs"
            || file
                .named
                .iter()
                .any(|n| starts_with(&n.path, "crate::config::Token"));
        for backdoor in token_backdoors(&text)
            .into_iter()
            .filter(|_| names_the_token)
        {
            out.push(format!("{}: Token has {backdoor}", file.rel));
        }
    }
    assert!(out.is_empty(), "{}", out.join("\n"));
    assert_nowhere(
        sources,
        |f| f.rel != "src/core/data.rs" && f.rel != "src/core/catalog.rs",
        |path| path.ends_with(&["Catalog".to_string(), "from_checked".to_string()]),
        "only core::data::parse_catalog builds a Catalog",
    );
}

#[test]
fn the_backdoor_checker_finds_a_default_catalog_and_a_printable_token() {
    let text = "#[derive(Debug, Clone, Default)]\npub struct Catalog { a: u8 }\n\
                impl Default for Catalog { fn default() -> Self { todo!() } }\n\
                #[derive(Default)] struct Other;";
    assert_eq!(catalog_backdoors(text), ["derive(Default)", "impl Default"]);
    assert!(catalog_backdoors("#[derive(Debug, Clone)]\nstruct Catalog;").is_empty());
    let token = "#[derive(Debug)] pub struct Token(String);\n\
                 impl std::fmt::Display for Token { fn fmt(&self, f: &mut F) -> R { todo!() } }";
    assert_eq!(token_backdoors(token), ["derive(Debug)", "impl Display"]);
}

#[test]
fn search_callers_name_only_its_interface_never_its_index_or_ranking() {
    assert_nowhere(
        parse_sources(),
        |f| !f.is_in("src/core/search"),
        |path| {
            starts_with(path, "crate::core::search::index")
                || starts_with(path, "crate::core::search::score")
        },
        "search's index and ranking are its own; use SearchIndex, search, suggest or names",
    );
}

/// The message builders serenity and poise send, and the constructors that start them.
const MESSAGE_BUILDERS: &[&str] = &[
    "CreateMessage",
    "EditMessage",
    "CreateInteractionResponseMessage",
    "CreateInteractionResponseFollowup",
    "EditInteractionResponse",
    "CreateReply",
];

/// Every message builder started in a file (`CreateMessage::new()`, `CreateReply::default()`)
/// whose own method chain does not set `allowed_mentions`, with its line.
fn builders_without_mention_rules(text: &str) -> Vec<(String, usize)> {
    struct Builders {
        started: BTreeMap<(usize, usize), String>,
        covered: BTreeSet<(usize, usize)>,
    }
    fn at(span: proc_macro2::Span) -> (usize, usize) {
        (span.start().line, span.start().column)
    }
    fn builder(expr: &syn::Expr) -> Option<String> {
        let syn::Expr::Call(call) = expr else {
            return None;
        };
        let syn::Expr::Path(path) = &*call.func else {
            return None;
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match segments.as_slice() {
            [.., ty, ctor]
                if MESSAGE_BUILDERS.contains(&ty.as_str())
                    && matches!(ctor.as_str(), "new" | "default") =>
            {
                Some(ty.clone())
            }
            _ => None,
        }
    }
    impl<'ast> Visit<'ast> for Builders {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            if let Some(ty) = builder(expr) {
                self.started.insert(at(expr.span()), ty);
            }
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "allowed_mentions"
            {
                let mut receiver = &*call.receiver;
                while let syn::Expr::MethodCall(inner) = receiver {
                    receiver = &inner.receiver;
                }
                if builder(receiver).is_some() {
                    self.covered.insert(at(receiver.span()));
                }
            }
            syn::visit::visit_expr(self, expr);
        }
    }
    let ast = syn::parse_file(text).unwrap();
    let mut builders = Builders {
        started: BTreeMap::new(),
        covered: BTreeSet::new(),
    };
    builders.visit_file(&ast);
    builders
        .started
        .into_iter()
        .filter(|(at, _)| !builders.covered.contains(at))
        .map(|((line, _), ty)| (ty, line))
        .collect()
}

#[test]
fn every_message_the_bot_builds_sets_its_mention_rules_in_the_same_chain() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for file in parse_sources().iter().filter(|f| f.is_in("src/discord")) {
        let text = std::fs::read_to_string(root.join(&file.rel)).unwrap();
        for (ty, line) in builders_without_mention_rules(&text) {
            out.push(format!(
                "{}:{line}: `{ty}` is built without `.allowed_mentions(no_mentions())` in its chain",
                file.rel
            ));
        }
    }
    assert!(out.is_empty(), "{}", out.join("\n"));
}

#[test]
fn the_mention_checker_finds_a_builder_that_does_not_set_them() {
    let text = "fn f() {\n\
                let a = serenity::CreateMessage::new().content(x).allowed_mentions(m);\n\
                let b = CreateReply::default().ephemeral(true);\n\
                let c = poise::CreateReply::default();\n\
                c.allowed_mentions(m);\n\
                }";
    let found = builders_without_mention_rules(text);
    assert_eq!(
        found,
        [
            ("CreateReply".to_string(), 3),
            ("CreateReply".to_string(), 4)
        ]
    );
}
