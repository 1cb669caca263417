//! Every example of README.md runs as written. Each line of a ```sh block that runs
//! `borderwatch` (continuation lines joined, trailing `# comments` dropped) is run with bash,
//! the binary under test first on PATH as `borderwatch`, in a fresh directory holding a copy
//! of the shipped files the examples read, and must exit as the README says: 0, or the code
//! a named rule below gives with its reason. The files it writes (`--out`, `--single-file`,
//! `--rejects`, `> FILE`, a pack's `out/`) must exist and not be empty. Lines that cannot run
//! here are skipped by a named rule with its reason; a line that no rule takes fails the
//! test, and so does a change in how many lines run or are skipped, so an edit of the README
//! that the parser misreads fails loudly.
//!
//! The 32 examples cost about 77 s of CPU in the debug build (measured 2026-12-02) and run two
//! at a time: 110–160 s measured on a two-core machine busy with other builds (some 40 s
//! expected on two idle cores). The slow ones in debug: `render --scale 2` (7 s of CPU),
//! `pack` and `web` on the export (5 s), each `extract` (4 s: the toponym automaton) and
//! anything reading `data/examples/acled_export.csv` (3.5–4 s: geocoding its rows without
//! coordinates builds the typo index); a release build runs each in 1–2 s.

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Run, Workdir};

/// The shipped files the examples read, relative to the repository root: each example's
/// directory gets a copy, so that what an example writes beside its input (an index file)
/// never lands in the repository.
const SHIPPED_INPUTS: &[&str] = &[
    "data/examples",
    "data/seed_names.txt",
    "tests/fixtures/corpus",
    "tests/fixtures/corpus-dev/articles",
];

/// How many lines of README.md's sh blocks run: an edit that adds or drops an example
/// updates it, so that a parser that stops seeing examples cannot pass.
const EXPECTED_RUN: usize = 32;

/// How many lines a rule skips.
const EXPECTED_SKIPPED: usize = 11;

/// Examples run at a time (the machines this runs on have two cores).
const WORKERS: usize = 2;

/// Output kept in a failure message, per stream (the end, where errors are).
const SHOWN_OUTPUT_CHARS: usize = 4000;

/// `cargo run --release -- ARGS` in the quick start runs the binary: it is run as
/// `borderwatch ARGS` (this test has the debug binary at hand, not the release one).
const CARGO_RUN: &str = "cargo run --release -- ";

/// A rule that skips README lines this test cannot run.
struct Skip {
    name: &'static str,
    applies: fn(&str) -> bool,
    reason: &'static str,
}

const SKIPS: &[Skip] = &[
    Skip {
        name: "needs a PostgreSQL server",
        applies: |line| line.contains("--db") || line.contains("borderwatch db push"),
        reason: "talks to a PostGIS server (tests/cli_db.rs runs these commands on a \
                 throwaway cluster)",
    },
    Skip {
        name: "the whole test suite",
        applies: |line| line.starts_with("./scripts/test"),
        reason: "runs every test, this one included",
    },
    Skip {
        name: "builds or tests with cargo",
        applies: |line| {
            ["cargo install", "cargo build", "cargo test"]
                .iter()
                .any(|cargo| line.contains(cargo))
        },
        reason: "installs, builds the release profile or runs a long property test: for \
                 another machine or another hour",
    },
    Skip {
        name: "a Python script",
        applies: |line| line.starts_with("python3 "),
        reason: "build_gazetteer.py needs ../shared/data; score.py scores the release build \
                 (tests/extract_dev.rs scores the same set)",
    },
    Skip {
        name: "shell set-up",
        applies: |line| line.starts_with("export "),
        reason: "sets a variable for the lines that follow; runs nothing",
    },
];

/// An example that exits with another code than 0, and why the README expects it.
struct Exit {
    prefix: &'static str,
    code: i32,
    reason: &'static str,
}

const EXITS: &[Exit] = &[Exit {
    prefix: "borderwatch incidents check data/examples/acled_export.csv",
    code: 1,
    reason: "the export has rows to reject, and check exits 1 when it rejects a row",
}];

/// A line of a sh block, continuation lines joined and its trailing comment dropped.
struct Example {
    /// Its line in README.md (the first, when continued).
    line: usize,
    text: String,
}

/// What the test does with an example.
enum Plan {
    /// Run this shell line.
    Run(String),
    Skip(&'static Skip),
}

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of every ```sh block of `markdown`.
fn sh_examples(markdown: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<Example> = None;
    for (index, raw) in markdown.lines().enumerate() {
        let fence = raw.trim_start();
        if fence.starts_with("```") {
            in_sh = !in_sh && fence == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let (part, continued) = match raw.strip_suffix('\\') {
            Some(head) => (head, true),
            None => (raw, false),
        };
        let example = pending.get_or_insert_with(|| Example {
            line: index + 1,
            text: String::new(),
        });
        example.text.push_str(part);
        if !continued {
            let mut done = pending.take().expect("a pending example");
            done.text = strip_comment(&done.text).trim().to_string();
            if !done.text.is_empty() {
                examples.push(done);
            }
        }
    }
    examples
}

/// `line` without a trailing `# comment`: a `#` at the start or after a blank, outside
/// quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => return &line[..at],
            _ => {}
        }
        previous = c;
    }
    line
}

/// The command word of a shell line: its first word after `NAME=value` assignments.
fn command_word(line: &str) -> &str {
    line.split_whitespace()
        .find(|word| !word.contains('='))
        .unwrap_or("")
}

/// What to do with `example`; an error names a line no rule takes.
fn plan(example: &Example) -> Result<Plan, String> {
    let text = example.text.as_str();
    if let Some(skip) = SKIPS.iter().find(|skip| (skip.applies)(text)) {
        return Ok(Plan::Skip(skip));
    }
    if let Some(args) = text.strip_prefix(CARGO_RUN) {
        return Ok(Plan::Run(format!("borderwatch {args}")));
    }
    if command_word(text) == "borderwatch" {
        return Ok(Plan::Run(text.to_string()));
    }
    Err(format!(
        "README.md:{}: `{text}` runs neither borderwatch nor a command a rule of \
         tests/readme.rs skips",
        example.line
    ))
}

/// The exit code the README expects of `command`.
fn expected_exit(command: &str) -> i32 {
    EXITS
        .iter()
        .find(|exit| command.starts_with(exit.prefix))
        .map_or(0, |exit| exit.code)
}

/// The files and folders `command` says it writes (`-` is standard output).
fn written_paths(command: &str) -> Vec<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut paths: Vec<String> = words
        .windows(2)
        .filter(|pair| ["--out", "--single-file", "--rejects", ">"].contains(&pair[0]))
        .map(|pair| pair[1].to_string())
        .filter(|path| path != "-")
        .collect();
    if words.get(1) == Some(&"pack") && !words.contains(&"--out") {
        paths.push("out".to_string());
    }
    paths
}

/// Copies `from` (a file or a folder) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create folder");
        for entry in std::fs::read_dir(from).expect("read folder").flatten() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

/// A fresh directory with the shipped inputs.
fn workdir_with_inputs() -> Workdir {
    let wd = Workdir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for input in SHIPPED_INPUTS {
        let to = wd.path(input);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("create folder");
        copy_tree(&root.join(input), &to);
    }
    wd
}

/// The last `SHOWN_OUTPUT_CHARS` characters of `text`.
fn tail(text: &str) -> &str {
    let skip = text.chars().count().saturating_sub(SHOWN_OUTPUT_CHARS);
    text.char_indices()
        .nth(skip)
        .map_or("", |(at, _)| &text[at..])
}

/// Runs one example; the message says what went wrong.
fn check(example: &Example, command: &str) -> Result<(), String> {
    let wd = workdir_with_inputs();
    let run: Run = wd.shell(command);
    let expected = expected_exit(command);
    let missing: Vec<String> = written_paths(command)
        .into_iter()
        .filter(|path| !written(&wd.path(path)))
        .collect();
    if run.code == expected && missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "README.md:{}: `{}` exited {} (expected {expected}){}\n\nstdout:\n{}\n\nstderr:\n{}\n",
        example.line,
        run.command,
        run.code,
        if missing.is_empty() {
            String::new()
        } else {
            format!("; did not write {}", missing.join(", "))
        },
        tail(&run.stdout),
        tail(&run.stderr)
    ))
}

/// Whether `path` is a file with something in it or a folder with an entry.
fn written(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some()),
        Ok(meta) => meta.len() > 0,
        Err(_) => false,
    }
}

/// Runs `runs` `WORKERS` at a time; the failures, in README order.
fn run_all(runs: &[(&Example, String)]) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Some((example, command)) = runs.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(message) = check(example, command) {
                        failures.lock().unwrap().push((example.line, message));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    failures.into_iter().map(|(_, message)| message).collect()
}

#[test]
fn every_readme_example_runs_as_written() {
    let markdown = readme();
    let examples = sh_examples(&markdown);
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    let mut unplanned = Vec::new();
    for example in &examples {
        match plan(example) {
            Ok(Plan::Run(command)) => runs.push((example, command)),
            Ok(Plan::Skip(skip)) => skipped.push((example.line, skip.name, skip.reason)),
            Err(message) => unplanned.push(message),
        }
    }
    assert!(unplanned.is_empty(), "{}", unplanned.join("\n"));
    for skip in SKIPS {
        assert!(
            skipped.iter().any(|(_, name, _)| *name == skip.name),
            "the rule \"{}\" skips no line of README.md: drop it",
            skip.name
        );
    }
    for exit in EXITS {
        assert!(
            runs.iter()
                .any(|(_, command)| command.starts_with(exit.prefix)),
            "no example starts with `{}` ({}): drop the rule",
            exit.prefix,
            exit.reason
        );
    }
    for (line, name, reason) in &skipped {
        eprintln!("README.md:{line}: skipped ({name}): {reason}");
    }
    assert_eq!(
        (runs.len(), skipped.len()),
        (EXPECTED_RUN, EXPECTED_SKIPPED),
        "examples run and skipped: README.md's sh blocks changed, or the parser misreads them"
    );
    let failures = run_all(&runs);
    assert!(
        failures.is_empty(),
        "{} of {} README examples failed:\n\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n")
    );
}

#[test]
fn a_failing_example_is_reported_with_its_command_and_output() {
    let example = Example {
        line: 7,
        text: String::new(),
    };
    let error = check(&example, "borderwatch near Qala-i-Zal --km abc").unwrap_err();
    assert!(
        error.starts_with(
            "README.md:7: `borderwatch near Qala-i-Zal --km abc` exited 2 (expected 0)"
        ),
        "{error}"
    );
    assert!(error.contains("expected a distance in km"), "{error}");
    let error = check(&example, "echo --out missing.csv").unwrap_err();
    assert!(
        error.contains("exited 0 (expected 0); did not write missing.csv"),
        "{error}"
    );
}

#[test]
fn the_parser_joins_continued_lines_and_drops_comments() {
    let markdown = "text\n```sh\nborderwatch near \\\n  --at 38.4,70.9   # a point\n\n\
                    borderwatch geocode \"Kevron # not a comment\" 'a#b'\n```\n\
                    ```json\n{\"not\": \"sh\"}\n```\n";
    let examples = sh_examples(markdown);
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "borderwatch near   --at 38.4,70.9",
            "borderwatch geocode \"Kevron # not a comment\" 'a#b'"
        ]
    );
    assert_eq!(examples[0].line, 3);
    assert_eq!(examples[1].line, 6);
}

#[test]
fn rules_name_what_runs_what_is_skipped_and_what_is_written() {
    let example = |text: &str| Example {
        line: 1,
        text: text.to_string(),
    };
    let planned = |text: &str| plan(&example(text));
    assert!(
        matches!(planned("cargo run --release -- pack"), Ok(Plan::Run(c)) if c == "borderwatch pack")
    );
    assert!(
        matches!(planned("PGHOST=h borderwatch near --at 1,2 --db"), Ok(Plan::Skip(s)) if s.name == "needs a PostgreSQL server")
    );
    assert!(matches!(
        planned("X=1 borderwatch where 38,70"),
        Ok(Plan::Run(_))
    ));
    assert!(planned("rm -rf /").is_err());
    assert_eq!(written_paths("borderwatch pack"), ["out"]);
    assert_eq!(
        written_paths("borderwatch export incidents --out - | head"),
        Vec::<String>::new()
    );
    assert_eq!(
        written_paths("borderwatch incidents check a.csv --rejects r.csv"),
        ["r.csv"]
    );
    assert_eq!(
        expected_exit("borderwatch incidents check data/examples/acled_export.csv"),
        1
    );
    assert_eq!(expected_exit("borderwatch near Qala-i-Zal"), 0);
}
