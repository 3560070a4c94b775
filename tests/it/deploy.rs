//! The deployment keeps the record across upgrades: every `docker run` the README and the
//! Dockerfile document mounts, by name, every directory the image declares a volume, and those
//! are exactly the data and state directories the image's config uses. The systemd unit may
//! write exactly those two directories.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const IMAGE_HOME: &str = "/opt/quotebot";

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The data and state directories the image's config names, as paths inside the image (the
/// config is copied to `/opt/quotebot/config.toml`; relative paths are relative to it).
fn image_record_dirs() -> BTreeSet<String> {
    let config = quotebot::config::parse_config("config.toml", &repo_file("config.toml")).unwrap();
    let inside = |dir: &PathBuf| {
        let dir = dir.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(dir);
        assert!(
            dir.is_relative(),
            "the image config must use paths relative to it: {dir:?}"
        );
        format!("{IMAGE_HOME}/{}", dir.display())
    };
    [inside(&config.data_dir), inside(&config.state_dir)].into()
}

/// The paths of every `VOLUME` instruction (JSON array or space-separated form).
fn declared_volumes(dockerfile: &str) -> BTreeSet<String> {
    dockerfile
        .lines()
        .filter_map(|line| line.trim().strip_prefix("VOLUME "))
        .flat_map(|rest| {
            rest.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split([' ', ','])
                .map(|p| p.trim().trim_matches('"').to_string())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `docker run` command in `text` (one line each, as both files write them).
fn docker_runs(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.find("docker run ").map(|at| line[at..].to_string()))
        .collect()
}

/// `(source, target)` of each `-v`/`--volume` mount in a command line.
fn mounts(command: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == "-v" || w[0] == "--volume")
        .filter_map(|w| {
            let mut parts = w[1].split(':');
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

#[test]
fn the_image_declares_exactly_the_data_and_state_directories_as_volumes() {
    let dockerfile = repo_file("Dockerfile");
    assert_eq!(declared_volumes(&dockerfile), image_record_dirs());
    assert!(
        dockerfile.contains(&format!("COPY config.toml {IMAGE_HOME}/config.toml")),
        "the image's config is the repository's config.toml"
    );
}

#[test]
fn every_documented_docker_run_keeps_data_and_state_in_volumes_that_outlive_the_container() {
    let volumes = declared_volumes(&repo_file("Dockerfile"));
    let readme = repo_file("README.md");
    let mut runs = docker_runs(&readme);
    assert!(
        runs.len() >= 2,
        "README documents the first run and the upgrade: {runs:?}"
    );
    assert!(
        readme.contains("docker rm quotebot"),
        "README documents the upgrade"
    );
    runs.extend(docker_runs(&repo_file("Dockerfile")));
    for run in &runs {
        let mounted = mounts(run);
        for volume in &volumes {
            let Some((source, _)) = mounted.iter().find(|(_, target)| target == volume) else {
                panic!("`{run}` does not mount {volume}: a new container would lose it");
            };
            // A named volume (or a host path) survives the container; nothing else does.
            assert!(
                !source.is_empty(),
                "`{run}` mounts {volume} from an empty source"
            );
        }
        // The token comes from the environment, never from the command line.
        assert!(
            !run.contains("DISCORD_TOKEN="),
            "`{run}` puts the token on the command line"
        );
    }
}

#[test]
fn the_systemd_unit_writes_exactly_the_data_and_state_directories() {
    let unit = repo_file("deploy/quotebot.service");
    let writable: BTreeSet<String> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("ReadWritePaths="))
        .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert_eq!(writable, image_record_dirs());
    assert!(unit.contains(&format!("--config {IMAGE_HOME}/config.toml")));
}
