"""Chaos run: kill a workflow anywhere, resume it as the docs say, and compare with an uninterrupted run.

    python workflow/benchmarks/chaos.py [--config tests/config/chaos.yaml] [--workdir DIR]
                                        [--kills 20] [--sigterms 5] [--seed 0] [--json OUT]

1. Runs the config once without interruption (the reference), with the command a user types:
   ``snakemake --cores 2 -d DIR --configfile CONFIG`` from the repository root (so the default
   workflow profile applies, as for every user).
2. Runs it again in trial directories while killing it: each planned interruption names a kind
   of job (data, heldout, reference, train, sample, sweep runs, evaluate, plot_run, animate,
   dashboard, point figures, aggregate, comparison, sweep_summary) and a signal. When
   Snakemake's output shows a job of that kind starting, the runner waits a short random time
   and sends the signal to Snakemake's whole process group (SIGKILL: a killed terminal, an OOM kill; SIGTERM: a
   scheduler's time limit). A kill counts only if the job was still running then (otherwise
   the interruption is tried again later); the jobs running at each kill are reported.
3. After each interruption it resumes as docs/reliability.md tells a user: the same command
   again, preceded by ``snakemake --unlock`` (same arguments) only when Snakemake says the
   directory is locked. Nothing else. When a trial's workflow completes with interruptions
   still planned, the next trial starts in a fresh directory.
4. Compares every file under each trial's results/ with the reference: data, weights,
   samples, metrics and tables must be identical; figures pixel-identical (PNG decoded with
   matplotlib.image.imread, every frame of a GIF with Pillow). Not compared, because they are
   run-specific by design: results/logs/ (timestamps, timings) and results/benchmarks/
   (Snakemake's per-job timing TSVs). Where a format embeds the time it was written, the
   content is compared instead of the bytes: ``.npz`` (zip entries carry a date: every array
   compared), ``.keras`` (zip entries carry a date, metadata.json the save date and
   config.json Python object ids: every other member, config.json without the ids and every
   weight array compared) and in ``run.json`` the training wall time
   (``group_wall_seconds``; every other field compared).

Prints a report and exits non-zero if any file differs or is missing, a resume needed more
than the documented steps, or fewer interruptions than asked for landed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
LOCKED = "Directory cannot be locked"

# A kind of job, by its rule name.
KINDS = {
    "data": lambda r: r == "data",
    "heldout": lambda r: r == "heldout",
    "reference": lambda r: r == "reference",
    "train": lambda r: r.startswith("train_"),
    "sample": lambda r: r.startswith("sample_"),
    "sweep runs": lambda r: r.startswith("runs_"),
    "evaluate": lambda r: r == "evaluate",
    "plot_run": lambda r: r == "plot_run",
    "animate": lambda r: r == "animate",
    "dashboard": lambda r: r == "dashboard",
    "point figures": lambda r: r.startswith("point_figures_"),
    "aggregate": lambda r: r == "aggregate",
    "comparison": lambda r: r == "comparison",
    "sweep_summary": lambda r: r == "sweep_summary",
}
SLOW_KINDS = {"train", "sample", "sweep runs"}
# Interruptions beyond one SIGKILL per kind go to the jobs that run longest or most often.
EXTRA_KILLS = ["train", "sample", "evaluate", "animate", "plot_run", "train", "dashboard", "sweep runs", "train"]
SIGTERM_KINDS = ["train", "train", "evaluate", "animate", "sweep runs", "sample", "plot_run"]
# Not compared: run-specific by design.
EXCLUDED = {"logs": "job logs: timestamps and timings", "benchmarks": "Snakemake's per-job timing TSVs"}
RUN_SPECIFIC_KEYS = {"group_wall_seconds"}  # run.json: the training's wall time


def kind_of(rule: str) -> str | None:
    return next((k for k, match in KINDS.items() if match(rule)), None)


def plan(kills: int, sigterms: int, present: set[str] | None = None) -> list[tuple[str, int]]:
    """The interruptions to land: one SIGKILL per kind of job, the rest spread over the kinds
    that run longest or most often; only kinds in ``present`` (the config's jobs) when given."""
    def keep(kinds: list[str]) -> list[str]:
        return [k for k in kinds if present is None or k in present]

    extra, term_kinds = keep(EXTRA_KILLS), keep(SIGTERM_KINDS)
    kinds = keep(list(KINDS)) + extra * (1 + kills // max(len(extra), 1))
    sigkills = [(k, signal.SIGKILL) for k in kinds[:kills]]
    terms = [(k, signal.SIGTERM) for k in (term_kinds * (1 + sigterms // max(len(term_kinds), 1)))[:sigterms]]
    return sigkills + terms


@dataclass
class Run:
    """One snakemake process, its output read line by line, its running jobs tracked."""

    cmd: list[str]
    log: Path
    lines: list[str] = field(default_factory=list)
    running: dict[str, str] = field(default_factory=dict)  # jobid -> rule
    started: list[tuple[float, str, str]] = field(default_factory=list)  # (time, jobid, rule)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        rule = None
        with open(self.log, "a") as out:
            for line in self.proc.stdout:
                out.write(line)
                line = line.rstrip("\n")
                with self.lock:
                    self.lines.append(line)
                    if m := re.match(r"^(?:local)?(?:rule|checkpoint) (\S+):$", line):
                        rule = m.group(1)
                    elif (m := re.match(r"^\s+jobid: (\d+)$", line)) and rule:
                        self.running[m.group(1)] = rule
                        self.started.append((time.monotonic(), m.group(1), rule))
                        rule = None
                    elif m := re.match(r"^Finished jobid: (\d+)", line):
                        self.running.pop(m.group(1), None)

    def jobs_running(self) -> list[str]:
        with self.lock:
            return sorted(self.running.values())

    def output(self) -> str:
        with self.lock:
            return "\n".join(self.lines)

    def wait(self, timeout: float | None = None) -> int:
        rc = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=30)
        return rc


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_group_gone(pgid: int, timeout: float) -> bool:
    """Wait until no process of the group is left (its jobs too); SIGKILL it after ``timeout``."""
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.5)
            return False
        time.sleep(0.05)
    return True


class Chaos:
    def __init__(self, config: Path, workdir: Path, cores: int, seed: int):
        self.config, self.workdir, self.cores = config.resolve(), workdir, cores
        self.rng = random.Random(seed)
        self.events: list[dict] = []
        self.unlocks = 0
        self.problems: list[str] = []
        self.runs = 0
        # How long to wait after a job starts before the signal, scaled down for a kind each time
        # its job ended first: on a fast machine a job can be over before the first try.
        self.delay_scale: dict[str, float] = {}
        self.reference_kinds: set[str] | None = None  # the kinds of job the reference run started

    def delay(self, kind: str) -> float:
        low, high = (0.2, 2.5) if kind in SLOW_KINDS else (0.05, 0.8)  # jobs that load TensorFlow last seconds
        return self.rng.uniform(low, high) * self.delay_scale.get(kind, 1.0)

    def command(self, directory: Path, *extra: str) -> list[str]:
        # What a user types (README): the default workflow profile applies (rerun-incomplete).
        return [SNAKEMAKE, "--cores", str(self.cores), "-d", str(directory), "--configfile", str(self.config), *extra]

    def reference(self) -> Path:
        ref = self.workdir / "reference"
        ref.mkdir(parents=True, exist_ok=True)
        run = Run(self.command(ref), ref / "snakemake.log")
        t0 = time.monotonic()
        run.start()
        if run.wait() != 0:
            raise SystemExit(f"the uninterrupted reference run failed:\n{run.output()[-5000:]}")
        self.reference_seconds = time.monotonic() - t0
        self.reference_kinds = {kind_of(rule) for _, _, rule in run.started} - {None}
        return ref

    def interrupt(self, trial: Path, pending: list[tuple[str, int]]) -> tuple[str, bool]:
        """One snakemake run in ``trial``; interrupts it at the first job of a pending kind.
        Returns ('killed' | 'done' | 'locked' | 'failed', whether an interruption landed)."""
        run = Run(self.command(trial), trial / "snakemake.log")
        self.runs += 1
        run.start()
        pgid = run.proc.pid
        seen = 0
        while run.proc.poll() is None:
            time.sleep(0.02)
            with run.lock:
                new = run.started[seen:]
            seen += len(new)
            for _, jobid, rule in new:
                kind = kind_of(rule)
                target = next((p for p in pending if p[0] == kind), None)
                if target is None:
                    continue
                time.sleep(self.delay(kind))
                running = run.jobs_running()
                landed = jobid in run.running and run.proc.poll() is None
                if not landed:
                    self.delay_scale[kind] = self.delay_scale.get(kind, 1.0) / 3
                    continue
                sig = target[1]
                os.killpg(pgid, sig)
                sent = time.monotonic()
                rc = run.wait(timeout=300)
                clean = wait_group_gone(pgid, 60)
                self.events.append({
                    "signal": signal.Signals(sig).name, "target": kind, "trial": trial.name,
                    "running": running, "snakemake_exit": rc,
                    "seconds_to_exit": round(time.monotonic() - sent, 2), "group_gone_by_itself": clean,
                })
                if not clean:
                    self.problems.append(f"{trial.name}: processes left 60 s after {signal.Signals(sig).name}")
                pending.remove(target)
                print(f"  {signal.Signals(sig).name:7s} during {kind:13s} running: {', '.join(running)}", flush=True)
                return "killed", True
        rc = run.wait()
        out = run.output()
        if rc == 0:
            return "done", False
        if LOCKED in out:
            return "locked", False
        self.problems.append(f"{trial.name}: a resumed run failed (exit {rc}):\n{out[-3000:]}")
        return "failed", False

    def trial(self, index: int, pending: list[tuple[str, int]]) -> Path:
        trial = self.workdir / f"trial{index}"
        if trial.exists():
            shutil.rmtree(trial)
        trial.mkdir(parents=True)
        failures = 0
        while True:
            state, _ = self.interrupt(trial, pending)
            if state == "done":
                return trial
            if state == "locked":  # the docs' one extra step, only when Snakemake asks for it
                self.unlocks += 1
                done = subprocess.run(self.command(trial, "--unlock"), cwd=ROOT, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    self.problems.append(f"{trial.name}: --unlock failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
                    return trial
            if state == "failed":
                failures += 1
                if failures > 1:
                    return trial


# ----- comparing results ---------------------------------------------------------------------------


def keras_members(path: Path) -> dict[str, object]:
    """A .keras file's members, the weights file as its arrays; metadata.json (save date) left out."""
    import h5py

    out: dict[str, object] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name == "metadata.json":
                continue
            if name.endswith(".h5"):
                with h5py.File(io.BytesIO(z.read(name)), "r") as f:
                    f.visititems(lambda key, obj, name=name: out.__setitem__(f"{name}/{key}", obj[()])
                                 if isinstance(obj, h5py.Dataset) else None)
            elif name == "config.json":
                out[name] = without_object_ids(json.loads(z.read(name)))
            else:
                out[name] = z.read(name)
    return out


def without_object_ids(node):
    """Keras' config.json with its ``shared_object_id`` values left out: they are the Python
    ``id()`` (a memory address) of a shared object in the process that saved the model."""
    if isinstance(node, dict):
        return {k: without_object_ids(v) for k, v in node.items() if k != "shared_object_id"}
    if isinstance(node, list):
        return [without_object_ids(v) for v in node]
    return node


def same_values(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k, x in a.items():
        y = b[k]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True)):
                return False
        elif x != y:
            return False
    return True


def gif_frames(path: Path) -> list[np.ndarray]:
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        return [np.asarray(frame.convert("RGBA")) for frame in ImageSequence.Iterator(im)]


def same_file(a: Path, b: Path) -> tuple[bool, str]:
    """(equal, how compared)."""
    if a.read_bytes() == b.read_bytes():
        return True, "bytes"
    suffix = a.suffix
    if suffix == ".png":
        import matplotlib.image as mpimg

        x, y = mpimg.imread(a), mpimg.imread(b)
        return x.shape == y.shape and np.array_equal(x, y), "pixels"
    if suffix == ".gif":
        x, y = gif_frames(a), gif_frames(b)
        return len(x) == len(y) and all(np.array_equal(p, q) for p, q in zip(x, y)), "pixels of every frame"
    if suffix == ".npz":
        with np.load(a) as x, np.load(b) as y:
            return same_values({k: x[k] for k in x.files}, {k: y[k] for k in y.files}), "arrays"
    if suffix == ".keras":
        return same_values(keras_members(a), keras_members(b)), "members and weight arrays"
    if a.name == "run.json":
        x, y = json.loads(a.read_text()), json.loads(b.read_text())
        for k in RUN_SPECIFIC_KEYS:
            x.pop(k, None), y.pop(k, None)
        return x == y, "fields but the wall time"
    return False, "bytes"


def compare(trial: Path, reference: Path) -> dict:
    def files(root: Path) -> set[str]:
        base = root / "results"
        return {str(p.relative_to(base)) for p in base.rglob("*")
                if p.is_file() and p.relative_to(base).parts[0] not in EXCLUDED}

    got, want = files(trial), files(reference)
    differing, how = [], {}
    for rel in sorted(got & want):
        equal, method = same_file(trial / "results" / rel, reference / "results" / rel)
        how[method] = how.get(method, 0) + 1
        if not equal:
            differing.append(rel)
    extra = sorted(got - want)
    return {"compared": len(got & want), "differing": differing, "missing": sorted(want - got),
            "extra": extra, "compared_by": how}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=ROOT / "tests" / "config" / "chaos.yaml")
    ap.add_argument("--workdir", type=Path, default=Path("chaos-run"))
    ap.add_argument("--kills", type=int, default=20, help="SIGKILLs that land in a running job")
    ap.add_argument("--sigterms", type=int, default=5, help="SIGTERMs that land in a running job")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0, help="seeds the choice of delays")
    ap.add_argument("--max-trials", type=int, default=8)
    ap.add_argument("--json", type=Path, help="write the report here")
    args = ap.parse_args(argv)

    chaos = Chaos(args.config, args.workdir.resolve(), args.cores, args.seed)
    t0 = time.monotonic()
    print(f"reference run of {args.config} ...", flush=True)
    reference = chaos.reference()
    print(f"  {chaos.reference_seconds:.0f} s", flush=True)
    pending = plan(args.kills, args.sigterms, chaos.reference_kinds)
    trials = []
    while pending and len(trials) < args.max_trials:
        print(f"trial {len(trials)}: {len(pending)} interruptions to go", flush=True)
        trials.append(chaos.trial(len(trials), pending))
    comparisons = {t.name: compare(t, reference) for t in trials}
    kills = sum(e["signal"] == "SIGKILL" for e in chaos.events)
    terms = sum(e["signal"] == "SIGTERM" for e in chaos.events)
    bad = {name: c for name, c in comparisons.items() if c["differing"] or c["missing"]}
    # A process killed while writing a file can leave its hidden temporary file (toygan.io's
    # atomic writes: .<name>.XXXX.<suffix>); never read as an output. Any other extra file is a fault.
    for name, c in comparisons.items():
        strays = [f for f in c["extra"] if not Path(f).name.startswith(".")]
        if strays:
            chaos.problems.append(f"{name}: files the uninterrupted run does not have: {strays}")
    report = {
        "config": str(args.config), "sigkills": kills, "sigterms": terms, "kinds_hit": sorted({e["target"] for e in chaos.events}),
        "unlocks": chaos.unlocks, "snakemake_runs": chaos.runs, "trials": len(trials),
        "differing_files": sum(len(c["differing"]) for c in comparisons.values()),
        "missing_files": sum(len(c["missing"]) for c in comparisons.values()),
        "extra_files": {n: c["extra"] for n, c in comparisons.items() if c["extra"]},
        "files_compared": sum(c["compared"] for c in comparisons.values()),
        "compared_by": {n: c["compared_by"] for n, c in comparisons.items()},
        "excluded": EXCLUDED, "problems": chaos.problems, "events": chaos.events,
        "differences": {n: {"differing": c["differing"], "missing": c["missing"]} for n, c in bad.items()},
        "not_landed": [f"{signal.Signals(s).name} during {k}" for k, s in pending],
        "reference_seconds": round(chaos.reference_seconds), "seconds": round(time.monotonic() - t0),
    }
    print(json.dumps({k: v for k, v in report.items() if k != "events"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    ok = not bad and not chaos.problems and not pending and kills >= args.kills and terms >= args.sigterms
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
