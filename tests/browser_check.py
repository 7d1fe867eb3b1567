"""Open a Snakemake HTML report in headless Chromium and see what a reader would see.

Used by tests/test_report.py (the ``browser`` tests); also runnable by hand:

    python tests/browser_check.py report.html [artifact_dir]

It prints the tour as JSON and writes two screenshots. Nothing here needs a network or a
Python package beyond the standard library: Chromium is driven through its command line
(``--dump-dom``, ``--screenshot``, ``--virtual-time-budget``), and the clicks are done by a
small script injected into a *copy* of the report (the report itself is never modified).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

# Flags for a quiet, offline, throw-away browser; --user-data-dir is added per launch.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]

# Installed first thing in <head>: every uncaught error, rejected promise and console.error
# of the page (including the report's own scripts) ends up in window.__toygan_errors.
ERROR_HOOK = """<script>
window.__toygan_errors = [];
window.addEventListener("error", function (ev) {
  window.__toygan_errors.push("error: " + (ev.message || ev.type) + " @ " + (ev.filename || "") + ":" + (ev.lineno || ""));
});
window.addEventListener("unhandledrejection", function (ev) {
  window.__toygan_errors.push("unhandledrejection: " + String(ev.reason));
});
(function () {
  var orig = console.error;
  console.error = function () {
    window.__toygan_errors.push("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return orig.apply(console, arguments);
  };
})();
</script>"""

# Injected before </body>: clicks through the report like a reader and writes what it saw
# into <pre id="toygan-probe"> as JSON. In the "show" copy it ends on a figure view (the
# first result of the first subcategory of "Samples", with its description) for a screenshot.
TOUR = r"""<script>
(function () {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const out = { errors: [], tour: {}, steps: [] };
  const navEl = () => document.querySelector("#app nav");
  const txt = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
  function linkByText(text) {
    const links = Array.from(navEl().querySelectorAll("a"));
    return links.find((a) => txt(a) === text);
  }
  async function click(el, what) {
    if (!el) throw new Error("nothing to click: " + what);
    el.click();
    out.steps.push(what);
    await sleep(150);
  }
  async function home() {
    // first breadcrumb entry: the house icon
    await click(navEl().querySelector("ol li a"), "home");
  }
  function readTable() {
    const table = navEl().querySelector("table");
    if (!table) return null;
    const headers = Array.from(table.querySelectorAll("thead th")).map(txt).filter((t) => t);
    const rows = Array.from(table.querySelectorAll("tbody tr")).map((tr) => {
      const cells = Array.from(tr.querySelectorAll("td"));
      const links = Array.from(cells[cells.length - 1].querySelectorAll("a"));
      return {
        cells: cells.slice(0, -1).map(txt),
        view_href: links.length ? (links[0].getAttribute("href") || "").slice(0, 40) : null,
        view_download: links.length ? links[0].getAttribute("download") : null,
      };
    });
    const toggles = Array.from(navEl().querySelectorAll("fieldset")).map((fs) => ({
      label: txt(fs.querySelector("span")),
      values: Array.from(fs.querySelectorAll("label")).map(txt),
    }));
    return { headers, rows, toggles };
  }
  async function openCategory(cat, sub) {
    await home();
    await click(linkByText(cat), "category " + cat);
    if (Object.keys(categories[cat]).length > 1) {
      await click(linkByText(sub), "subcategory " + cat + "/" + sub);
    }
  }
  async function showRow(i) {
    // eye icon of row i; for images the content pane then shows an <img>
    const tr = navEl().querySelectorAll("table tbody tr")[i];
    const links = tr.querySelectorAll("td:last-child a");
    const eye = links[0];
    if ((eye.getAttribute("href") || "#") !== "#") return { kind: "download", download: eye.getAttribute("download") };
    await click(eye, "view row " + i);
    await sleep(300);
    const img = document.querySelector("#app img:not([class~='h-4'])");
    const iframe = document.querySelector("#app iframe");
    if (img) return { kind: "img", src: img.src.slice(0, 30), width: img.naturalWidth, height: img.naturalHeight };
    if (iframe) return { kind: "iframe", src: iframe.src.slice(0, 30) };
    return { kind: "none" };
  }
  async function infoRow(i) {
    const tr = navEl().querySelectorAll("table tbody tr")[i];
    const links = tr.querySelectorAll("td:last-child a");
    await click(links[links.length - 1], "info row " + i);
    return txt(navEl().querySelector(".prose"));
  }
  function breadcrumbLast() {
    // the breadcrumb trail ends with the result's path; the search box is an <li> too
    const items = Array.from(navEl().querySelectorAll("ol li")).filter((li) => !li.querySelector("input"));
    return items.length ? txt(items[items.length - 1]) : "";
  }
  async function setToggles(flip) {
    if (!flip) return;
    for (const fs of Array.from(navEl().querySelectorAll("fieldset"))) {
      const inputs = fs.querySelectorAll("input");
      if (inputs.length > 1) await click(inputs[1], "toggle");
    }
  }
  async function tour() {
    const prose = document.querySelector("#app .prose");
    out.workflow_text = txt(prose);
    if (prose) {
      // the content pane centres its content vertically: a description taller than the
      // window is cut off at the top, with no way to scroll there
      const box = prose.getBoundingClientRect();
      out.workflow_box = { top: box.top, bottom: box.bottom, viewport: window.innerHeight };
    }
    out.menu = Array.from(navEl().querySelectorAll("li")).map(txt).filter((t) => t);
    out.listed = [];  // file paths as the result views name them in the breadcrumbs
    for (const cat of Object.keys(categories).sort()) {
      out.tour[cat] = {};
      for (const sub of Object.keys(categories[cat]).sort()) {
        await openCategory(cat, sub);
        const entry = readTable() || { rows: [] };
        out.tour[cat][sub] = entry;
        if (!entry.rows.length) continue;
        entry.first_view = await showRow(0);
        entry.states = [];
        for (const flip of entry.toggles.length ? [false, true] : [false]) {
          await openCategory(cat, sub);
          await setToggles(flip);
          const state = { flip: flip, table: readTable(), captions: [] };
          for (let i = 0; i < state.table.rows.length; i++) {
            await openCategory(cat, sub);
            await setToggles(flip);
            const caption = await infoRow(i);
            const path = breadcrumbLast();
            out.listed.push(path);
            state.captions.push({ path: path, text: caption });
          }
          entry.states.push(state);
        }
      }
    }
    if (window.__toygan_show) {
      const cat = "Samples";
      const sub = Object.keys(categories[cat]).sort()[0];
      await openCategory(cat, sub);
      // the real-vs-generated figure if it is there, else the first row
      const rows = Array.from(navEl().querySelectorAll("table tbody tr"));
      const i = Math.max(0, rows.findIndex((tr) => txt(tr).includes("real vs generated")));
      out.show = await showRow(i);
      await infoRow(i);
    } else {
      await home();
    }
  }
  window.addEventListener("load", function () {
    setTimeout(async function () {
      try {
        await tour();
      } catch (err) {
        out.errors.push("tour: " + err + " after " + out.steps.slice(-3).join(" > "));
      }
      out.errors = out.errors.concat(window.__toygan_errors || []);
      const pre = document.createElement("pre");
      pre.id = "toygan-probe";
      pre.style.display = "none";
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    }, 500);
  });
})();
</script>"""


def find_chromium() -> str | None:
    """The Chromium binary: $TOYGAN_CHROMIUM, else the first of CHROMIUM_NAMES on PATH."""
    explicit = os.environ.get("TOYGAN_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _script_json(text: str, script_id: str, var: str):
    m = re.search(r'<script id="%s">\s*var %s = (.*?);\s*</script>' % (script_id, var), text, re.S)
    if not m:
        raise ValueError(f"report has no <script id={script_id!r}> with `var {var}`")
    return json.loads(m.group(1))


def report_data(report: Path) -> dict:
    """What Snakemake embedded in the report: workflow description, results, categories."""
    text = Path(report).read_text(encoding="utf-8")
    return {
        "workflow_desc": _script_json(text, "workflow-desc", "workflow_desc"),
        "results": _script_json(text, "results", "results"),
        "categories": _script_json(text, "categories", "categories"),
    }


def make_probe(report: Path, probe: Path, *, show: bool = False) -> Path:
    """A copy of the report with ERROR_HOOK after <head> and TOUR before </body>."""
    text = Path(report).read_text(encoding="utf-8")
    head = text.index("<head>") + len("<head>")
    body = text.rindex("</body>")
    flag = f"<script>window.__toygan_show = {'true' if show else 'false'};</script>"
    Path(probe).write_text(text[:head] + ERROR_HOOK + flag + text[head:body] + TOUR + text[body:], encoding="utf-8")
    return Path(probe)


def run_chromium(chromium: str, url: str, *, dump_dom: bool = False, screenshot: Path | None = None,
                 window: str = "1400,1000", budget_ms: int = 60000, timeout: int = 180) -> tuple[str, str]:
    """One headless launch with a fresh profile; returns (stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="toygan-chromium-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={window}",
               f"--virtual-time-budget={budget_ms}"]
        if dump_dom:
            cmd.append("--dump-dom")
        if screenshot is not None:
            cmd.append(f"--screenshot={screenshot}")
        cmd.append(url)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=profile)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return proc.stdout, proc.stderr


def console_errors(stderr: str) -> list[str]:
    """Uncaught errors the page logged to Chromium's console (from --enable-logging=stderr)."""
    lines = [ln for ln in stderr.splitlines() if "CONSOLE" in ln]
    return [ln for ln in lines if "Uncaught" in ln or "ERROR:CONSOLE" in ln]


def read_probe(dom: str) -> dict:
    m = re.search(r'<pre id="toygan-probe"[^>]*>(.*?)</pre>', dom, re.S)
    if not m:
        raise AssertionError("the injected tour did not finish (no <pre id='toygan-probe'> in the DOM)")
    return json.loads(html.unescape(m.group(1)))


def check_report(report: Path, artifacts: Path, chromium: str | None = None) -> dict:
    """Load the report as it is, then the tour copy; return everything the tests assert on."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium binary found")
    report = Path(report).resolve()
    artifacts = Path(artifacts)
    artifacts.mkdir(parents=True, exist_ok=True)

    dom, stderr = run_chromium(chromium, report.as_uri(), dump_dom=True)
    _, shot_stderr = run_chromium(chromium, report.as_uri(), screenshot=artifacts / "report_home.png")

    # the tour copies are full copies of the report: not worth keeping
    probe = make_probe(report, artifacts / "report_probe.html")
    probe_dom, probe_stderr = run_chromium(chromium, probe.as_uri(), dump_dom=True)
    make_probe(report, probe, show=True)
    _, show_stderr = run_chromium(chromium, probe.as_uri(), screenshot=artifacts / "report_figure.png")
    probe.unlink()

    (artifacts / "chromium_console.log").write_text(
        "\n".join(ln for err in (stderr, probe_stderr) for ln in err.splitlines() if "CONSOLE" in ln) + "\n")
    return {
        "dom": dom,
        "console_errors": console_errors(stderr) + console_errors(shot_stderr),
        "probe": read_probe(probe_dom),
        "probe_console_errors": console_errors(probe_stderr) + console_errors(show_stderr),
        "screenshots": [artifacts / "report_home.png", artifacts / "report_figure.png"],
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = check_report(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "report_check"))
    out.pop("dom")
    print(json.dumps(out, indent=1, default=str))
