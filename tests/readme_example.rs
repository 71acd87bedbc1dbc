//! The README's first Rust example is `examples/readme.rs`, verbatim: this test checks that
//! the README's block is exactly that file, then runs the example, which charges at every
//! provider against the embedded sandbox. So the README's program compiles (cargo builds
//! the example), runs, and cannot drift from what is tested.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The line in README.md just before the example's code block.
const MARKER: &str = "<!-- examples/readme.rs, verbatim:";

/// The code of the ```` ```rust ```` block that follows the marker in README.md.
fn readme_block(readme: &str) -> Option<&str> {
    let after_marker = &readme[readme.find(MARKER)?..];
    let start = after_marker.find("```rust\n")? + "```rust\n".len();
    let code = &after_marker[start..];
    let end = code.find("\n```\n")? + 1;
    Some(&code[..end])
}

#[test]
fn the_readme_shows_examples_readme_rs_verbatim() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/readme.rs");
    let block = readme_block(readme).expect("README.md has the marked ```rust block");
    assert!(
        block == example,
        "README.md's example differs from examples/readme.rs; copy the file into the block \
         after `{MARKER}`"
    );
}

/// Builds the example in this test's profile and returns its path.
fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/readme_example-<hash> -> target/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building the example {name} failed");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_readme_example_charges_at_every_provider() {
    let output = Command::new(example_binary("readme"))
        .output()
        .expect("the example starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the README example failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    for provider in ["paytrek", "paytr", "craftgate"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{provider}: ")))
            .unwrap_or_else(|| panic!("no line for {provider}:\n{stdout}"));
        assert!(
            line.starts_with(&format!("{provider}: succeeded 100.99 TRY (")),
            "{line}\n{stdout}"
        );
    }
}
