//! The CI recipe (`docs/github-workflow.yml`) and the pre-commit hook
//! (`.pre-commit-hooks.yaml`) parse as YAML, and every avtale command in them exists, with
//! every flag it uses.

mod common;
use common::{avtale, root};

/// The `avtale …` invocations in a piece of shell text: the subcommand and its flags.
fn invocations(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace().skip_while(|w| *w != "avtale");
        if words.next().is_none() {
            continue;
        }
        let Some(sub) = words.next() else { continue };
        let flags = words
            .take_while(|w| !w.starts_with(['>', '|', ';']) && *w != "||")
            .filter(|w| w.starts_with("--"))
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .collect();
        out.push((sub.to_string(), flags));
    }
    out
}

fn help_of(sub: &str) -> String {
    let out = avtale().args([sub, "--help"]).output().unwrap();
    assert!(out.status.success(), "`avtale {sub} --help` fails: no such subcommand");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check_commands(what: &str, text: &str) -> usize {
    let found = invocations(text);
    for (sub, flags) in &found {
        let help = help_of(sub);
        for flag in flags {
            assert!(
                help.contains(flag.as_str()),
                "{what}: `avtale {sub}` has no flag {flag}"
            );
        }
    }
    found.len()
}

#[test]
fn the_workflow_parses_and_its_commands_exist() {
    let text = std::fs::read_to_string(root().join("docs/github-workflow.yml")).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("the workflow is YAML");
    let steps = yaml["jobs"]["check"]["steps"].as_sequence().expect("steps");
    let runs: String = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(check_commands("workflow", &runs) >= 4);
    // It reacts to member lists and renames, and writes to the job summary, not a comment.
    let paths = format!("{:?}", yaml["on"]["pull_request"]["paths"]);
    assert!(paths.contains(".csv") && paths.contains(".xlsx"), "{paths}");
    assert!(runs.contains("--diff-filter=AMR") && runs.contains("GITHUB_STEP_SUMMARY"));
    assert!(text.contains("upload-sarif") && text.contains("actions/cache"));
}

#[test]
fn the_pre_commit_hook_parses_and_its_command_exists() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("the hook file is YAML");
    let hook = &yaml[0];
    assert_eq!(hook["id"].as_str(), Some("avtale-check"));
    let entry = hook["entry"].as_str().expect("entry");
    assert_eq!(check_commands("pre-commit", entry), 1);
    // pre-commit appends the staged file names; the command must take several paths.
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(root().join("agreements/nordlys-sparebank.toml")).unwrap();
    std::fs::write(dir.path().join("a.toml"), &good).unwrap();
    let mut args: Vec<String> = entry.split_whitespace().skip(1).map(str::to_string).collect();
    args.push(dir.path().join("a.toml").display().to_string());
    avtale().args(&args).assert().success();
}

#[test]
fn the_command_reader_finds_flags() {
    let found = invocations("x | avtale check --deny-warnings --diagnostic-format=sarif a/ > f.sarif\n");
    assert_eq!(
        found,
        [(
            "check".to_string(),
            vec!["--deny-warnings".to_string(), "--diagnostic-format".to_string()]
        )]
    );
}
