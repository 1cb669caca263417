//! The main commands run inside a network namespace that has no network (`unshare -n`) and
//! work: nothing is fetched at run time. Skipped, saying so, where namespaces are unavailable.

mod common;

use std::process::Command;

use common::Workdir;

#[test]
fn main_commands_work_with_no_network_at_all() {
    let available = Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("skipped: `unshare -n` is not permitted here (no network namespaces)");
        return;
    }
    let wd = Workdir::new();
    let article = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus");
    let article = std::fs::read_dir(article)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "txt"))
        .unwrap();
    let article = article.to_str().unwrap();
    let commands: [&[&str]; 8] = [
        &["pack", "--out", "pack"],
        &["geocode", "Qala-i-Zal", "Darvoz"],
        &["near", "Qala-i-Zal", "--km", "100"],
        &["where", "38.4537,70.7890"],
        &[
            "render",
            "--around",
            "Qala-i-Zal",
            "--km",
            "80",
            "--out",
            "qala.png",
        ],
        &["web", "--single-file", "map.html"],
        &[
            "export",
            "incidents",
            "--format",
            "geoparquet",
            "--out",
            "incidents.parquet",
        ],
        &["extract", article, "--published", "2023-09-05"],
    ];
    for args in commands {
        let out = Command::new("unshare")
            .arg("-n")
            .arg(env!("CARGO_BIN_EXE_borderwatch"))
            .args(args)
            .current_dir(wd.root())
            // As Workdir::command: nothing of the shell's environment (`unshare` is found
            // on the default /bin:/usr/bin).
            .env_clear()
            .output()
            .unwrap();
        assert!(
            out.status
                .code()
                .is_some_and(|c| c == 0 || (c == 1 && args[0] == "extract")),
            "{args:?} offline: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for file in [
        "pack/map.html",
        "pack/map.png",
        "pack/layers/layers.json",
        "qala.png",
        "map.html",
        "incidents.parquet",
    ] {
        assert!(wd.path(file).is_file(), "{file}");
    }
}
