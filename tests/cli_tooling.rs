//! What command-line users expect around the commands: shell completions and manual pages
//! made from the same definitions as the parser.

mod common;

use common::Workdir;

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let wd = Workdir::new();
    let bash = wd.output(&["completions", "bash"]);
    assert!(bash.stdout.contains("_borderwatch()"), "{}", bash.stdout);
    for sub in ["near", "bbox", "export", "incidents__subcmd__check"] {
        assert!(bash.stdout.contains(sub), "bash: no {sub}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let run = wd.output(&["completions", shell]);
        assert!(run.stdout.contains("near"), "{shell}: {}", run.stdout);
    }
    let bad = wd.run(&["completions", "tcsh"]);
    bad.assert_exit(2);
    assert!(
        bad.stderr.contains("invalid value 'tcsh'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn manual_pages_cover_every_subcommand() {
    let wd = Workdir::new();
    let page = wd.output(&["man"]);
    assert!(page.stdout.contains(".TH borderwatch 1"), "{}", page.stdout);
    let run = wd.output(&["man", "--out", "man"]);
    assert!(
        run.stderr.contains("wrote 17 manual pages"),
        "{}",
        run.stderr
    );
    let near = wd.read("man/borderwatch-near.1");
    assert!(near.contains(".TH borderwatch-near 1"), "{near}");
    assert!(near.contains("borderwatch near"), "{near}");
    assert!(near.contains("\\-\\-km"), "the options are listed: {near}");
    let check = wd.read("man/borderwatch-incidents-check.1");
    assert!(check.contains("borderwatch incidents check"), "{check}");
}
