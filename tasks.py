"""Developer tasks: ``invoke --list``. ``invoke test`` is what CI runs."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from invoke import Context, Exit, call, task

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
ROBOT_DIRS = "atest examples utest/robot"
PY = sys.executable
#: import-linter's command, run with this Python (its console script may not be on PATH).
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
sys.path.insert(0, str(ROOT / "src"))


def _robot_dirs() -> str:
    return " ".join(name for name in ROBOT_DIRS.split() if (ROOT / name).is_dir())


@task
def lint(c: Context) -> None:
    """ruff (lint + format check), mypy on src/, import contracts, robocop (format check + lint) on .robot files."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m ruff check .")
        c.run(f"{PY} -m ruff format --check .")
        c.run(f"{PY} -m mypy")
        c.run(f'{PY} -c "{LINT_IMPORTS}"')  # the layers of docs/architecture.md (pyproject's [tool.importlinter])
        c.run(f"{PY} -m robocop format --check --diff {_robot_dirs()}")
        c.run(f"{PY} -m robocop check {_robot_dirs()}")


@task
def fmt(c: Context) -> None:
    """Format Python with ruff and Robot files with robocop."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m ruff format .")
        c.run(f"{PY} -m ruff check --fix .")
        c.run(f"{PY} -m robocop format {_robot_dirs()}")


@task(help={"slow": "also the end-to-end runs of utest/integration/ (invoke test runs them)"})
def utest(c: Context, slow: bool = False) -> None:
    """Unit tests (pytest) over real HTTP on 127.0.0.1: the fast inner loop, or everything with --slow."""
    selection = "" if slow else '-m "not slow"'
    with c.cd(str(ROOT)):
        # the tests mostly wait on sockets: four workers on two cores; worksteal evens out the slow ones
        c.run(f"{PY} -m pytest -n 4 --dist worksteal {selection} utest")


@task(help={"suite": "run only this suite (robot --suite)", "processes": "pabot processes (default 4)"})
def atest(c: Context, suite: str = "", processes: int = 4) -> None:
    """Acceptance tests: Robot suites that start their own simulator."""
    out = RESULTS / "atest"
    shutil.rmtree(out, ignore_errors=True)  # a rerun into old output would find its failed-items files taken
    selection = f"--suite {suite}" if suite else ""
    with c.cd(str(ROOT)):
        c.run(
            f"{PY} -m pabot.pabot --no-pabotlib --processes {processes} --command {PY} -m robot --end-command "
            f"--outputdir {out} --pythonpath src "
            f"--loglevel TRACE {selection} atest"
        )


@task(help={"rf": "comma-separated Robot Framework versions, e.g. 6.1.1,7.3.2"})
def matrix(c: Context, rf: str = "6.1.1,7.0.1,7.1.1,7.2.2,7.3.2,7.4.2") -> None:
    """Install each Robot Framework version in its own environment (.matrix/) and run utest, atest and the demo."""
    results: list[tuple[str, str, str]] = []
    for version in [item.strip() for item in rf.split(",") if item.strip()]:
        env = ROOT / ".matrix" / f"rf-{version}"
        python = env / "bin" / "python"
        with c.cd(str(ROOT)):
            if not python.exists():
                c.run(f"{PY} -m venv {env}")
            c.run(f'{python} -m pip install -q -e ".[dev]" "robotframework=={version}"')
            print(f"== Robot Framework {version}")
            for step, command in (
                ("utest", f"{python} -m pytest -n 4 utest"),
                ("atest", f"{python} -m invoke atest"),
                ("demo", f"{python} -m invoke demo"),
            ):
                outcome = c.run(command, warn=True)
                lines = outcome.stdout.splitlines() if outcome else []
                pattern = {"utest": r"\d+ passed", "atest": r"\d+ tests?, \d+ passed"}.get(step, r"Report:|FAIL")
                last = next((line.strip("= ") for line in reversed(lines) if re.search(pattern, line)), "")
                results.append((version, step, ("ok   " if outcome and outcome.ok else "FAIL ") + last))
    print("\n== Matrix results")
    for version, step, summary in results:
        print(f"Robot Framework {version:8} {step:6} {summary}")
    if any(" FAIL " in f" {summary}" for _, _, summary in results):
        raise Exit("At least one Robot Framework version failed; see above.", code=1)


SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def _pythons() -> dict[str, str]:
    """One interpreter per supported Python version found here: on PATH, under ~/.pyenv, or Debian's own."""
    import shutil
    import subprocess

    candidates = [shutil.which(f"python{version}") for version in SUPPORTED_PYTHONS]
    candidates += sorted(str(path) for path in Path.home().glob(".pyenv/versions/3.1*/bin/python3"))
    candidates += ["/usr/bin/python3"]
    found: dict[str, str] = {}
    for candidate in filter(None, candidates):
        if Path(candidate).resolve().is_relative_to(ROOT.resolve()) or ".venv" in Path(candidate).parts:
            continue  # a virtual environment's interpreter, not an installed Python
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        version = probe.stdout.strip()
        if probe.returncode == 0 and version in SUPPORTED_PYTHONS:
            found.setdefault(version, candidate)
    return dict(sorted(found.items()))


@task(help={"only": "comma-separated versions, e.g. 3.10,3.13 (default: every supported one found)"})
def pythons(c: Context, only: str = "") -> None:
    """Run `invoke test` on every supported Python found here, each in its own environment (.matrix/)."""
    import time

    wanted = {item.strip() for item in only.split(",") if item.strip()}
    results: list[tuple[str, str, bool, float]] = []
    for version, interpreter in _pythons().items():
        if wanted and version not in wanted:
            continue
        env = ROOT / ".matrix" / f"py-{version}"
        python = env / "bin" / "python"
        started = time.monotonic()
        with c.cd(str(ROOT)):
            if not python.exists():
                c.run(f"{interpreter} -m venv {env}")
            c.run(f'{python} -m pip install -q -e ".[dev]"')
            print(f"== Python {version} ({interpreter})")
            outcome = c.run(f"{python} -m invoke test", warn=True)
        results.append((version, interpreter, bool(outcome and outcome.ok), time.monotonic() - started))
    print("\n== Python results")
    for version, interpreter, ok, seconds in results:
        print(f"Python {version:5} {'ok  ' if ok else 'FAIL'} {seconds:6.0f} s  {interpreter}")
    if not results or not all(ok for *_, ok, _ in results):
        raise Exit("No supported Python found, or at least one failed; see above.", code=1)


LIBRARIES = ("PlanhatLibrary", "PlanhatLibrary.Simulator")
# libdoc pages are generated with this one Robot Framework release, whatever the environment runs,
# so that they are the same on every machine and every version in the matrix (issue 17).
LIBDOC_ROBOT = "7.5"


def _pinned_robot() -> Path:
    """A private copy of the pinned Robot Framework (pure Python, no dependencies), installed once."""
    target = ROOT / ".cache" / f"libdoc-robotframework-{LIBDOC_ROBOT}"
    if not (target / "robot" / "__init__.py").exists():
        import subprocess

        subprocess.run(
            [PY, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), f"robotframework=={LIBDOC_ROBOT}"],
            check=True,
        )
    return target


def _write_libdoc(name: str, target: Path) -> None:
    """libdoc HTML with sources relative to the repository and a fixed date, so it is reproducible."""
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    from robot.libdoc import LibraryDocumentation

    documentation = LibraryDocumentation(name)
    documentation.source = _relative(documentation.source)
    for keyword in [*documentation.inits, *documentation.keywords]:
        keyword.source = _relative(keyword.source)
    documentation.convert_docs_to_html()
    documentation.save(str(target), "HTML")


def _libdoc_with_pinned_robot(name: str, target: Path) -> None:
    import subprocess

    path = os.pathsep.join([str(_pinned_robot()), str(ROOT / "src"), str(ROOT)])
    script = f"import tasks, robot; assert robot.__version__ == {LIBDOC_ROBOT!r}, robot.__version__; " + (
        f"tasks._write_libdoc({name!r}, tasks.Path({str(target)!r}))"
    )
    subprocess.run([PY, "-c", script], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": path})


def _page(path: Path) -> str:
    """A libdoc page without its generator line (which names the Robot and Python patch versions)."""
    return re.sub(r'<meta content="Robot Framework [^"]*" name="Generator">', "", path.read_text(encoding="utf-8"))


def _relative(source: str | None) -> str | None:
    if not source:
        return source
    try:
        return Path(source).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return source


@task(help={"check": "fail if the committed pages differ from freshly generated ones"})
def docs(c: Context, check: bool = False) -> None:
    """Write the libdoc pages to docs/ (with --check: only verify they are current)."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in LIBRARIES:
            committed = ROOT / "docs" / f"{name}.html"
            target = Path(tmp) / committed.name if check else committed
            _libdoc_with_pinned_robot(name, target)
            if check and (not committed.exists() or _page(committed) != _page(target)):
                stale.append(str(committed.relative_to(ROOT)))
            print(f"{'Checked' if check else 'Wrote'} {committed.relative_to(ROOT)}")
    if stale:
        raise Exit(f"Out of date: {', '.join(stale)}. Run 'invoke docs' and commit the result.", code=1)


@task(pre=[lint, call(utest, slow=True), atest])
def test(c: Context) -> None:
    """Everything CI checks: lint, utest, atest, and that the libdoc pages are current."""
    docs(c, check=True)
    print("All checks passed.")


@task(help={"runs": "interrupted loads to run (default 1000)", "seed": "random seed"})
def stress(c: Context, runs: int = 1000, seed: int = 1) -> None:
    """Interrupt every load keyword at random moments (SIGALRM, SIGINT) and check no item is ever lost."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} bench/interrupt_stress.py --runs {runs} --seed {seed}")


@task
def demo(c: Context) -> None:
    """Start the simulator with seed data and run the example robot against it."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} examples/run_demo.py")


@task
def soak(c: Context) -> None:
    """Soak test: 100,000 companies under 10% 429, 2% 503 and 1% lost answers (at most 2 minutes)."""
    with c.cd(str(ROOT)):
        c.run(f"{PY} bench/soak.py")


@task(help={"port": "port to listen on (0 = free port)", "seed": "JSON seed file"})
def simulator(c: Context, port: int = 8765, seed: str = "") -> None:
    """Run the Planhat simulator in the foreground (Ctrl+C stops it)."""
    seed_option = f"--seed {seed}" if seed else ""
    c.run(f"{PY} -m planhat_simulator.cli --port {port} {seed_option}", pty=True)


CONTROLROOM = ROOT / "examples" / "controlroom"


def _version() -> str:
    from PlanhatLibrary.version import __version__

    return __version__


def wheel_name() -> str:
    """The file name of this version's wheel, as conda.yaml of the Control Room package names it."""
    return f"robotframework_planhat-{_version()}-py3-none-any.whl"


def _build(c: Context, outdir: Path, *kinds: str) -> None:
    """``python -m build`` (in an isolated build environment) of this repository into ``outdir``."""
    options = " ".join(f"--{kind}" for kind in kinds)
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools would ship modules an earlier build left there
    c.run(f"{PY} -m build {options} --outdir {outdir} {ROOT}", hide="out")


def rcc_ignored(path: str, patterns: list[str]) -> bool:
    """Whether a package-relative path matches one of the ignore patterns (gitignore style, as rcc reads them)."""
    parts = path.split("/")
    for pattern in patterns:
        if pattern.endswith("/"):
            if any(fnmatch.fnmatchcase(part, pattern.rstrip("/")) for part in parts[:-1]):
                return True
        elif fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(parts[-1], pattern):
            return True
    return False


def _ignore_patterns() -> list[str]:
    lines = (CONTROLROOM / ".gitignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@task(help={"zip": "also write dist/controlroom-planhat-<version>.zip, the package to upload to Control Room"})
def controlroom(c: Context, zip: bool = False) -> None:
    """Build the wheel into examples/controlroom/wheels/, where its conda.yaml installs it from."""
    wheels = CONTROLROOM / "wheels"
    conda = (CONTROLROOM / "conda.yaml").read_text(encoding="utf-8")
    if f"./wheels/{wheel_name()}" not in conda:
        raise Exit(f"examples/controlroom/conda.yaml must install ./wheels/{wheel_name()} (version {_version()}).")
    with tempfile.TemporaryDirectory() as tmp:
        _build(c, Path(tmp), "wheel")
        wheels.mkdir(exist_ok=True)
        for old in wheels.glob("*.whl"):
            old.unlink()
        shutil.copy2(Path(tmp) / wheel_name(), wheels / wheel_name())
    print(f"Wrote {(wheels / wheel_name()).relative_to(ROOT)}")
    if zip:
        target = ROOT / "dist" / f"controlroom-planhat-{_version()}.zip"
        target.parent.mkdir(exist_ok=True)
        patterns = _ignore_patterns()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(CONTROLROOM.rglob("*")):
                name = path.relative_to(CONTROLROOM).as_posix()
                if path.is_file() and not rcc_ignored(name, patterns):
                    archive.write(path, name)
        print(f"Wrote {target.relative_to(ROOT)}: the package to upload to Control Room")


SMOKE_SUITE = """*** Settings ***
Library           PlanhatLibrary
Library           PlanhatLibrary.Simulator
Suite Setup       Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/secrets.json

*** Test Cases ***
The Installed Wheel Talks To The Simulator
    Authorize Planhat
    Create Entity    companies    name=Smoke    externalId=SMOKE-1
    ${smoke} =    Get Entity    companies    external_id=SMOKE-1
    Should Be Equal    ${smoke}[name]    Smoke
"""


@task
def release_check(c: Context) -> None:
    """Build sdist and wheel, twine check them, install the wheel into a fresh venv and smoke-test it there."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dist = work / "dist"
        _build(c, dist, "sdist", "wheel")
        c.run(f"{PY} -m twine check --strict {dist}/*")
        venv = work / "venv"
        python = venv / "bin" / "python"
        c.run(f"{PY} -m venv {venv}")
        c.run(f"{python} -m pip install -q {dist / wheel_name()}")
        (work / "smoke.robot").write_text(SMOKE_SUITE, encoding="utf-8")
        check = "import PlanhatLibrary, planhat_simulator; assert 'site-packages' in PlanhatLibrary.__file__"
        with c.cd(str(work)):  # outside the repository: the installed wheel is imported, not src/
            c.run(f'{python} -c "{check}; print(PlanhatLibrary.__file__)"')
            c.run(f"{python} -m robot.libdoc PlanhatLibrary list")
            c.run(f"{venv / 'bin' / 'planhat-simulator'} --help", hide="out")
            c.run(f"{python} -m robot --outputdir {work / 'out'} --consolecolors off smoke.robot")
    print(f"Release check passed: {wheel_name()} and its sdist.")
