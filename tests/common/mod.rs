//! A small helper to run the real `borderwatch` binary in a temporary directory (after xsv's
//! `Workdir`).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;

pub struct Workdir {
    dir: tempfile::TempDir,
    /// Variables a test asks for, on top of the clean environment.
    env: Vec<(String, String)>,
}

/// What a run printed and how it exited.
pub struct Run {
    /// What was run, as a user would type it (`borderwatch ARGS...`, or a shell line).
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code; on failure prints the command, its standard output and error
    /// (after ripgrep's `tests/util.rs`).
    #[track_caller]
    pub fn assert_exit(&self, code: i32) -> &Run {
        self.assert_exit_in(&[code])
    }

    /// Asserts that the exit code is one of `codes` (e.g. 0 or 1: found or not, but no
    /// error), printing the command and its output otherwise.
    #[track_caller]
    pub fn assert_exit_in(&self, codes: &[i32]) -> &Run {
        if !codes.contains(&self.code) {
            let expected: Vec<String> = codes.iter().map(ToString::to_string).collect();
            panic!(
                "\n\n{} exited {} (expected {})\n\nstdout:\n{}\n\nstderr:\n{}\n",
                self.command,
                self.code,
                expected.join(" or "),
                self.stdout,
                self.stderr
            );
        }
        self
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
        }
    }

    /// Sets `key` for every later run of the binary (the environment is otherwise clean).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// The text of a file in the directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The binary with `args`, run in the directory from a clean environment: nothing of
    /// the shell's (BORDERWATCH_INCIDENTS, BORDERWATCH_GAZETTEER, PG*) reaches it. It gets
    /// PATH, HOME set to the directory (so no ~/.pgpass of the user's is read), PGPASSFILE,
    /// which the PostGIS tests set for the password of their throwaway server, and what the
    /// test asked for with [`Workdir::set_env`].
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.clean_command(env!("CARGO_BIN_EXE_borderwatch"));
        cmd.args(args);
        cmd
    }

    /// `program` run in the directory from the clean environment of [`Workdir::command`].
    fn clean_command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("HOME", self.dir.path());
        for key in ["PATH", "PGPASSFILE"] {
            if let Some(value) = std::env::var_os(key) {
                cmd.env(key, value);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs `line` with `bash -o pipefail -c`, as a user would type it into a shell: in the
    /// directory, from the clean environment of [`Workdir::command`], with the binary under
    /// test first on PATH, so that `borderwatch` in the line is that binary.
    pub fn shell(&self, line: &str) -> Run {
        let binary = Path::new(env!("CARGO_BIN_EXE_borderwatch"));
        let bin_dir = binary.parent().expect("the binary's directory");
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&inherited)),
        )
        .expect("PATH");
        let mut cmd = self.clean_command("bash");
        cmd.args(["-o", "pipefail", "-c", line]).env("PATH", path);
        finish(line.to_string(), cmd, b"")
    }

    /// Runs the binary and asserts that it exits 0 (see [`Run::assert_exit`]).
    #[track_caller]
    pub fn output(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        run.assert_exit(0);
        run
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, b"")
    }

    /// Starts the binary with every stream piped, `stdin` written by a thread (a write the
    /// command does not read is not an error).
    pub fn spawn_with_stdin(&self, args: &[&str], stdin: &[u8]) -> (Child, JoinHandle<()>) {
        spawn_piped(self.command(args), stdin)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        finish(
            format!("borderwatch {}", args.join(" ")),
            self.command(args),
            stdin,
        )
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Starts `cmd` with every stream piped, `stdin` written by a thread (a write the command
/// does not read is not an error).
fn spawn_piped(mut cmd: Command, stdin: &[u8]) -> (Child, JoinHandle<()>) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    (child, writer)
}

/// Runs `cmd` with `stdin` to its end; `command` is how the run is named in messages.
fn finish(command: String, cmd: Command, stdin: &[u8]) -> Run {
    let (child, writer) = spawn_piped(cmd, stdin);
    let output: Output = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    Run {
        command,
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A deterministic random number generator (64-bit LCG) for generated test data.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
