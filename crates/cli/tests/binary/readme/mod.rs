//! Every shell example of the README, run as written against a fresh server, and checked
//! against the output the README shows.
//!
//! The examples are taken from the README itself: each ```` ```sh ```` block, in order, in
//! one bash run (`set -euo pipefail`), so a variable set by one example serves the next. The
//! run's working directory holds the server's data directory as `./data`, `clickwire` and
//! `wscat` are on the PATH, and `127.0.0.1:8080` is replaced by the test server's address —
//! the only change made to the text. A `# → [status] json` comment after a command is the
//! output the README promises: the command's answer must have that shape (`…` stands for
//! what varies, see [`shape`]) and, when shown, that status. Blocks fenced
//! ```` ```sh not-run ```` (starting a server, the test suite, following a stream until
//! Ctrl-C) are not run; the test counts them so that they stay the exception.

mod shape;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::process::start;

/// The README, at the workspace root.
const README: &str = include_str!("../../../../../README.md");
/// Blocks allowed to be `not-run`.
const MOST_NOT_RUN: usize = 4;

/// One command (or a few lines of them) and the answer the README shows after it.
#[derive(Debug)]
struct Step {
    /// Where it is in the README.
    line: usize,
    script: String,
    /// Each `# →` line after it: every one must match a line of its output.
    expected: Vec<Expected>,
}

#[derive(Debug)]
struct Expected {
    status: Option<u16>,
    /// The JSON shown, `…` and all.
    json: String,
}

/// The steps of every `sh` block, and how many blocks are `not-run`.
fn steps(readme: &str) -> (Vec<Step>, usize) {
    let mut steps = Vec::new();
    let mut not_run = 0;
    let mut lines = readme.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<(usize, &str)> = lines
            .by_ref()
            .take_while(|(_, l)| !l.starts_with("```"))
            .collect();
        match info.trim() {
            "sh" => steps.extend(block_steps(&body)),
            "sh not-run" => not_run += 1,
            _ => {}
        }
    }
    (steps, not_run)
}

/// Splits a block at its `# →` comments: the lines before one are the step it describes.
fn block_steps(body: &[(usize, &str)]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut script = String::new();
    let mut first = None;
    let mut expected: Vec<String> = Vec::new();
    let mut close = |script: &mut String, first: &mut Option<usize>, shown: Vec<String>| {
        if let Some(line) = first.take() {
            steps.push(Step {
                line: line + 1,
                script: std::mem::take(script),
                expected: shown.iter().map(|s| parse_expected(s)).collect(),
            });
        }
    };
    for &(number, line) in body {
        let trimmed = line.trim_start();
        if let Some(shown) = trimmed.strip_prefix("# →") {
            expected.push(shown.trim().to_owned());
            continue;
        }
        if let (Some(shown), Some(more)) = (expected.last_mut(), trimmed.strip_prefix('#')) {
            shown.push_str(more.trim());
            continue;
        }
        if !expected.is_empty() {
            close(&mut script, &mut first, std::mem::take(&mut expected));
        }
        first.get_or_insert(number);
        script.push_str(line);
        script.push('\n');
    }
    close(&mut script, &mut first, expected);
    steps
}

/// `202 {"success":true}` → status 202 and the JSON.
fn parse_expected(shown: &str) -> Expected {
    let (status, json) = match shown.split_once(' ') {
        Some((code, rest)) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => {
            (code.parse().ok(), rest)
        }
        _ => (None, shown),
    };
    Expected {
        status,
        json: json.trim().to_owned(),
    }
}

/// What one step printed: its stdout lines and the statuses of its curl requests.
#[derive(Debug, Default)]
struct Printed {
    lines: Vec<String>,
    statuses: Vec<u16>,
}

const STEP_END: &str = "@@readme-step-end@@";
const STATUS: &str = "@@status ";

/// The whole run as one script; each step ends with a marker on stdout and stderr.
fn script(steps: &[Step], addr: &str) -> String {
    let mut text = String::from("set -euo pipefail\n");
    for step in steps {
        text.push_str(&step.script.replace("127.0.0.1:8080", addr));
        text.push_str(&format!("\necho {STEP_END}; echo {STEP_END} >&2\n"));
    }
    text
}

/// Splits the run's output at the step markers.
fn printed(stdout: &str, stderr: &str, steps: usize) -> Vec<Printed> {
    let mut out: Vec<Printed> = (0..steps).map(|_| Printed::default()).collect();
    for (i, chunk) in stdout.split(STEP_END).take(steps).enumerate() {
        out[i].lines = chunk
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
    }
    for (i, chunk) in stderr.split(STEP_END).take(steps).enumerate() {
        out[i].statuses = chunk
            .lines()
            .filter_map(|l| l.strip_prefix(STATUS))
            .filter_map(|code| code.trim().parse().ok())
            .collect();
    }
    out
}

/// A directory laid out for the examples: `./data` is the server's, `bin/` has the tools.
struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_owned();
        // Every curl's answer ends its line on stdout; its status goes to stderr.
        std::fs::write(
            root.join(".curlrc"),
            format!("write-out = \"\\n%{{stderr}}{STATUS}%{{http_code}}\\n\"\n"),
        )
        .expect("curlrc");
        Self { _dir: dir, root }
    }

    fn path(&self) -> String {
        let binary = Path::new(env!("CARGO_BIN_EXE_clickwire"));
        let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/js/node_modules/.bin");
        let bin = binary.parent().expect("binary dir");
        format!(
            "{}:{}:{}",
            bin.display(),
            js.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}

#[test]
fn every_shell_example_of_the_readme_runs_as_written_and_answers_as_shown() {
    let (steps, not_run) = steps(README);
    assert!(steps.len() >= 20, "only {} steps found", steps.len());
    assert!(
        not_run <= MOST_NOT_RUN,
        "{not_run} README blocks are not run; at most {MOST_NOT_RUN} may be"
    );
    let work = Workspace::new();
    let data = work.root.join("data");
    let server = start(&data, &[], &[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let output = Command::new("bash")
        .arg("-c")
        .arg(script(&steps, &addr))
        .current_dir(&work.root)
        .env("PATH", work.path())
        .env("CURL_HOME", &work.root)
        .env_remove("CLICKWIRE_STORE__DATA")
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let done = stdout.matches(STEP_END).count();
    assert!(
        output.status.success(),
        "the README example at line {} failed:\n{}\nstderr:\n{stderr}",
        steps.get(done).map_or(0, |s| s.line),
        steps.get(done).map_or("", |s| s.script.as_str()),
    );
    let printed = printed(&stdout, &stderr, steps.len());
    for (step, printed) in steps.iter().zip(&printed) {
        for expected in &step.expected {
            check(step, expected, printed);
        }
    }
}

/// One `# →` line against what its step printed.
fn check(step: &Step, expected: &Expected, printed: &Printed) {
    let place = format!("README line {}:\n{}", step.line, step.script);
    if let Some(status) = expected.status {
        assert!(
            printed.statuses.contains(&status),
            "{place}\nshows status {status}, got {:?}: {:#?}",
            printed.statuses,
            printed.lines
        );
    }
    let shape = shape::parse(&expected.json)
        .unwrap_or_else(|| panic!("{place}\nshows output that is not JSON: {}", expected.json));
    let answers: Vec<serde_json::Value> = printed
        .lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert!(
        answers.iter().any(|answer| shape::matches(&shape, answer)),
        "{place}\nshows {}\ngot {:#?}",
        expected.json,
        printed.lines
    );
}

#[test]
fn steps_end_at_their_shown_output_and_continuation_comments_join_it() {
    let readme = "text\n```sh\nA=1\ncurl x \\\n  -d y\n# → 201 {\"a\":\n#    1}\necho $A\n```\n```sh not-run\nserve\n```\n";
    let (steps, not_run) = steps(readme);
    assert_eq!(not_run, 1);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].script, "A=1\ncurl x \\\n  -d y\n");
    let expected = &steps[0].expected[0];
    assert_eq!(
        (expected.status, expected.json.as_str()),
        (Some(201), "{\"a\":1}")
    );
    assert_eq!(steps[1].script, "echo $A\n");
    assert!(steps[1].expected.is_empty());
}

#[test]
fn consecutive_shown_lines_are_each_an_expectation_of_the_same_step() {
    let readme = "```sh\nhead -2 f\n# → {\"a\":1}\n# → {\"b\":\n#    2}\n```\n";
    let (steps, _) = steps(readme);
    let shown: Vec<&str> = steps[0].expected.iter().map(|e| e.json.as_str()).collect();
    assert_eq!(shown, ["{\"a\":1}", "{\"b\":2}"]);
}
