//! The cluster files in deploy/ run as written: their command lines are executed here with the
//! variables the scheduler would set (the `#SBATCH` lines are comments to bash; the Kubernetes
//! commands are read from the YAML), and the merged result equals a single-machine run field by
//! field, apart from wall times and the environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_initlab");

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn tmp(name: &str) -> PathBuf {
    let dir = common::scratch("deploy", name);
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir
}

fn ok(c: &mut Command) {
    let o = c.output().expect("runs");
    assert!(
        o.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A small sweep's study file in `dir`, and the results of running it on one machine.
fn study_and_single_run(dir: &Path) -> (PathBuf, Value) {
    let single = dir.join("single");
    ok(Command::new(BIN)
        .args([
            "run",
            "--data",
            "bundled:iris",
            "--target",
            "species",
            "--init",
            "xavier-normal,kaiming-normal,orthogonal",
            "--repeats",
            "2",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--sweep",
            "depth=1,2",
            "--quiet",
            "--out",
        ])
        .arg(&single));
    let study = dir.join("study.json");
    std::fs::copy(single.join("study.json"), &study).expect("copy");
    (study, json(&single.join("results.json")))
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
}

/// Drops what may differ between machines: wall times, the environment, seconds to threshold.
fn without_timing(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "wall_seconds" | "environment" | "seconds_to_threshold"
                    )
                })
                .map(|(k, v)| (k.clone(), without_timing(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_timing).collect()),
        other => other.clone(),
    }
}

fn assert_same(merged: &Path, single: &Value) {
    let merged = json(&merged.join("results.json"));
    assert_eq!(merged["points"].as_array().map(Vec::len), Some(2));
    assert_eq!(without_timing(&merged), without_timing(single));
}

/// The Slurm array script, one task at a time with the array variables set (task ids 10..12,
/// as `--array=10-12` numbers them), then the merge script.
#[test]
fn slurm_array_and_merge_scripts_reproduce_a_single_run() {
    let dir = tmp("slurm");
    let (study, single) = study_and_single_run(&dir);
    for id in 10..13 {
        ok(Command::new("bash")
            .arg(repo("deploy/slurm/initlab-array.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "10")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_CPUS_PER_TASK", "1")
            .env("INITLAB", BIN)
            .env("STUDY", &study)
            .env("PARTS", dir.join("parts")));
    }
    ok(Command::new("bash")
        .arg(repo("deploy/slurm/merge.sbatch"))
        .env("INITLAB", BIN)
        .env("PARTS", dir.join("parts"))
        .env("REPORT", dir.join("report")));
    assert_same(&dir.join("report"), &single);
}

/// submit.sh submits the array and a merge that depends on it (sbatch is a stub that logs).
#[test]
fn slurm_submit_chains_the_merge_after_the_array() {
    let dir = tmp("submit");
    let stub = dir.join("bin");
    std::fs::create_dir_all(&stub).expect("dir");
    let log = dir.join("sbatch.log");
    std::fs::write(
        stub.join("sbatch"),
        format!("#!/bin/bash\necho \"$@\" >> {}\necho 4242\n", log.display()),
    )
    .expect("stub");
    ok(Command::new("chmod").arg("+x").arg(stub.join("sbatch")));
    let path = format!(
        "{}:{}",
        stub.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    ok(Command::new("bash")
        .arg(repo("deploy/slurm/submit.sh"))
        .args(["study.json", "8"])
        .env("PATH", path));
    let calls = std::fs::read_to_string(&log).expect("log");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls[0].starts_with("--parsable --array=0-7 ")
            && calls[0].ends_with("initlab-array.sbatch")
    );
    assert!(
        calls[1].starts_with("--dependency=afterok:4242 ") && calls[1].ends_with("merge.sbatch")
    );
}

/// The `command: [...]` of a Kubernetes manifest (a YAML flow sequence of quoted strings, which
/// is JSON), with the volume's /data mapped to `data` and `initlab` to the built binary.
fn k8s_command(file: &str, data: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(repo(file)).expect("manifest");
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("command:"))
        .expect("a command line");
    let words: Vec<String> = serde_json::from_str(line.trim()).expect("flow sequence");
    words
        .into_iter()
        .map(|w| match w.as_str() {
            "initlab" => BIN.to_owned(),
            _ => w.replace("/data", &data.display().to_string()),
        })
        .collect()
}

/// The Indexed Job's command for every completion index, then the merge Job's command.
#[test]
fn kubernetes_indexed_job_and_merge_job_reproduce_a_single_run() {
    let dir = tmp("k8s");
    // The study file is already where the manifest expects it: /data/study.json.
    let (_, single) = study_and_single_run(&dir);
    let manifest = std::fs::read_to_string(repo("deploy/k8s/indexed-job.yaml")).expect("yaml");
    let completions: usize = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("completions");
    let shard = k8s_command("deploy/k8s/indexed-job.yaml", &dir);
    assert!(
        shard.contains(&format!("auto/{completions}")),
        "count = completions: {shard:?}"
    );
    for k in 0..completions {
        ok(Command::new(&shard[0])
            .args(&shard[1..])
            .env("JOB_COMPLETION_INDEX", k.to_string()));
    }
    let merge = k8s_command("deploy/k8s/merge-job.yaml", &dir);
    ok(Command::new(&merge[0]).args(&merge[1..]));
    assert_same(&dir.join("report"), &single);
}

/// The GNU parallel script, with `parallel` replaced by a stub that runs each command here.
#[test]
fn gnu_parallel_script_runs_every_shard_and_merges() {
    let dir = tmp("parallel");
    let (study, single) = study_and_single_run(&dir);
    let stub = dir.join("bin");
    std::fs::create_dir_all(&stub).expect("dir");
    std::fs::write(stub.join("parallel"), PARALLEL_STUB).expect("stub");
    ok(Command::new("chmod").arg("+x").arg(stub.join("parallel")));
    let path = format!(
        "{}:{}",
        stub.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    ok(Command::new("bash")
        .arg(repo("deploy/ssh/parallel.sh"))
        .arg(&study)
        .arg("3")
        .current_dir(&dir)
        .env("PATH", path)
        .env("INITLAB", BIN));
    assert_same(&dir.join("report"), &single);
}

/// Runs `parallel [options] CMD... ::: VALUES...` locally: each value replaces `{}`.
const PARALLEL_STUB: &str = r#"#!/bin/bash
cmd=(); vals=(); mode=opts
while [ $# -gt 0 ]; do
  if [ "$1" = ":::" ]; then mode=vals; shift; continue; fi
  if [ $mode = opts ]; then
    case "$1" in
      --sshloginfile|--transferfile|--return|--halt) shift 2; continue;;
      --cleanup) shift; continue;;
    esac
    mode=cmd
  fi
  if [ $mode = vals ]; then vals+=("$1"); else cmd+=("$1"); fi
  shift
done
for v in "${vals[@]}"; do "${cmd[@]//\{\}/$v}" || exit 1; done
"#;

use common::initlab;

fn fails_with(o: &std::process::Output, expected: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(expected), "expected '{expected}' in: {err}");
}

/// A plain study (no sweep) sharded in two merges to the same result; bad shard specs, parts
/// of different studies, a missing and a duplicated part are one-line errors with exit 2.
#[test]
fn plain_studies_shard_too_and_bad_parts_are_named() {
    let dir = tmp("plain");
    let s = |p: &Path| p.to_str().expect("utf8").to_owned();
    let single = dir.join("single");
    let base = [
        "run",
        "--data",
        "bundled:wine",
        "--target",
        "cultivar",
        "--init",
        "xavier-normal,zeros,orthogonal",
        "--repeats",
        "3",
        "--epochs",
        "2",
        "--hidden",
        "8",
        "--quiet",
        "--out",
    ];
    let mut args = base.to_vec();
    let single_s = s(&single);
    args.push(&single_s);
    assert!(initlab(&args).status.success());
    let study = s(&single.join("study.json"));
    let parts = s(&dir.join("parts"));
    for shard in ["0/2", "1/2"] {
        let o = initlab(&[
            "run", "--study", &study, "--shard", shard, "--quiet", "--out", &parts,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = s(&dir.join("merged"));
    assert!(
        initlab(&["merge", &parts, "--out", &merged])
            .status
            .success()
    );
    assert_eq!(
        without_timing(&json(&dir.join("merged/results.json"))),
        without_timing(&json(&single.join("results.json")))
    );

    fails_with(
        &initlab(&["run", "--study", &study, "--shard", "3/2", "--out", &parts]),
        "i must be below n",
    );
    fails_with(
        &initlab(&["run", "--study", &study, "--shard", "0/0", "--out", &parts]),
        "n must be at least 1",
    );
    fails_with(
        &initlab(&["run", "--study", &study, "--shard", "1-2", "--out", &parts]),
        "write i/n",
    );
    // A part of another study (one more epoch) in the same folder.
    let other = s(&dir.join("other"));
    let o = initlab(&[
        "run", "--study", &study, "--epochs", "3", "--shard", "0/2", "--quiet", "--out", &other,
    ]);
    assert!(o.status.success());
    let mixed = dir.join("mixed");
    std::fs::create_dir_all(&mixed).expect("dir");
    std::fs::copy(
        dir.join("parts/part-1-of-2.json"),
        mixed.join("part-1-of-2.json"),
    )
    .expect("copy");
    std::fs::copy(
        dir.join("other/part-0-of-2.json"),
        mixed.join("part-0-of-2.json"),
    )
    .expect("copy");
    fails_with(
        &initlab(&["merge", &s(&mixed), "--out", &s(&dir.join("m1"))]),
        "belongs to a different study",
    );
    std::fs::remove_file(mixed.join("part-0-of-2.json")).expect("rm");
    fails_with(
        &initlab(&["merge", &s(&mixed), "--out", &s(&dir.join("m2"))]),
        "missing shard 0/2",
    );
    // A truncated part (a copy cut short, as a full disk leaves it).
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).expect("dir");
    let whole = std::fs::read(dir.join("parts/part-0-of-2.json")).expect("part");
    std::fs::write(bad.join("part-0-of-2.json"), &whole[..whole.len() / 2]).expect("cut");
    std::fs::copy(
        dir.join("parts/part-1-of-2.json"),
        bad.join("part-1-of-2.json"),
    )
    .expect("copy");
    fails_with(
        &initlab(&["merge", &s(&bad), "--out", &s(&dir.join("m4"))]),
        "part-0-of-2.json: not a valid part file",
    );
    assert!(!dir.join("m4").exists(), "nothing written");
    // The same part twice (a folder and the file itself).
    let dup = s(&dir.join("parts/part-1-of-2.json"));
    fails_with(
        &initlab(&["merge", &parts, &dup, "--out", &s(&dir.join("m3"))]),
        "duplicated items",
    );
}
