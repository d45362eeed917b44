"""The distributions and the Control Room package are what a newcomer can trust (issue 15).

The Control Room package is checked against rcc's robot.yaml and conda.yaml as rcc reads them
(robocorp/rcc robot/robot.go and conda/condayaml.go: the keys, "exactly one of
robotTaskName/shell/command", artifactsDir required and relative, ignoreFiles entries that are
files, the first environmentConfigs entry that exists being the environment). rcc itself is not
installed here; its rules are restated below and the checks are tried on broken packages too.

The sdist and wheel are built once per test process from a copy of the repository (so parallel
workers never share a build folder); the sdist must carry the licence, changelog, docs and tests,
and the wheel the metadata a package index shows. ``invoke release-check`` does the slower rest: a
fresh virtual environment, the wheel installed into it, and a smoke run against the simulator.
"""

from __future__ import annotations

import email
import email.message
import itertools
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from robot.api import get_model

from PlanhatLibrary.version import __version__
from support import ROOT

PACKAGE = ROOT / "examples" / "controlroom"

WHEEL = f"robotframework_planhat-{__version__}-py3-none-any.whl"
REPOSITORY = "https://github.com/robotframework-planhat/robotframework-planhat"
PAGES = "https://robotframework-planhat.github.io/robotframework-planhat"  # docs/ published as GitHub Pages

ROBOT_KEYS = {
    "tasks",
    "devTasks",
    "condaConfigFile",
    "preRunScripts",
    "environmentConfigs",
    "ignoreFiles",
    "artifactsDir",
    "PATH",
    "PYTHONPATH",
}
TASK_KEYS = {"robotTaskName", "shell", "command"}
CONDA_KEYS = {"name", "channels", "dependencies", "prefix", "rccPostInstall"}
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".matrix", ".cache", "results", "build", "dist", "*.egg-info", "__pycache__", "wheels", "output"
)


def _relative(value: str) -> bool:
    return not PurePosixPath(value).is_absolute() and not Path(value).is_absolute()


def _effective_environment(folder: Path, config: dict[str, Any]) -> Path | None:
    """rcc's choice: the first environmentConfigs entry that exists (freeze files only for this platform),
    else condaConfigFile."""
    for entry in config.get("environmentConfigs") or []:
        platform_specific = entry.count("_") > 2 or "freeze" in entry.lower()
        if not platform_specific and (folder / entry).is_file():
            return folder / entry
    conda = config.get("condaConfigFile")
    return folder / conda if conda else None


def _robot_task_names(suite: Path) -> set[str]:
    model = get_model(suite)
    return {
        task.name
        for section in model.sections
        if type(section).__name__ == "TestCaseSection"
        for task in section.body
        if type(task).__name__ == "TestCase"
    }


def _task_problems(folder: Path, name: str, task: Any) -> list[str]:
    if not isinstance(task, dict) or set(task) - TASK_KEYS:
        return [f"task {name!r}: only {sorted(TASK_KEYS)} are known, got {task!r}"]
    if sum(1 for key in TASK_KEYS if task.get(key)) != 1:
        return [f"task {name!r} needs exactly one of robotTaskName/shell/command"]
    if "robotTaskName" in task:
        names = set().union(*(_robot_task_names(suite) for suite in folder.glob("*.robot")))
        return [] if task["robotTaskName"] in names else [f"task {name!r}: no Robot task {task['robotTaskName']!r}"]
    words = shlex.split(task["shell"]) if "shell" in task else list(task["command"])
    problems = []
    suites = [folder / word for word in words if word.endswith(".robot")]
    if not suites or not all(suite.is_file() for suite in suites):
        return [f"task {name!r} runs {suites or 'no .robot file'}, which must exist"]
    for flag, value in itertools.pairwise(words):
        if flag in ("--task", "-t") and value not in set().union(*(_robot_task_names(s) for s in suites)):
            problems.append(f"task {name!r}: {value!r} is no task of {[suite.name for suite in suites]}")
    return problems


def robot_yaml_problems(folder: Path) -> list[str]:
    """What rcc would refuse or warn about in ``folder/robot.yaml``, and files it names that are missing."""
    config = yaml.safe_load((folder / "robot.yaml").read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        return ["robot.yaml is not a mapping"]
    problems = [f"unknown key {key!r}" for key in sorted(set(config) - ROBOT_KEYS)]
    tasks = config.get("tasks")
    if not isinstance(tasks, dict) or not tasks:
        problems.append("'tasks:' must define at least one task")
    for name, task in (tasks or {}).items():
        problems += _task_problems(folder, name, task)
    artifacts = config.get("artifactsDir")
    if not isinstance(artifacts, str) or not artifacts or not _relative(artifacts):
        problems.append("'artifactsDir:' is required and relative")
    for key in ("PATH", "PYTHONPATH", "ignoreFiles", "environmentConfigs", "preRunScripts"):
        entries = config.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(entry, str) and entry.strip() for entry in entries):
            problems.append(f"{key!r} must be a list of non-empty strings")
        elif key != "preRunScripts":
            problems += [f"{key} entry {entry!r} is absolute" for entry in entries if not _relative(entry)]
    problems += [f"ignoreFiles entry {entry!r} is not a file" for entry in config.get("ignoreFiles") or []
                 if not (folder / entry).is_file()]  # fmt: skip
    environment = _effective_environment(folder, config)
    if environment is None or not environment.is_file():
        problems.append(f"no environment configuration file exists ({environment})")
    return problems


def conda_yaml_problems(path: Path) -> list[str]:
    """What rcc would refuse in a conda.yaml; pip entries must be pinned (==) or a wheel inside the package."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        return ["conda.yaml is not a mapping"]
    problems = [f"unknown key {key!r}" for key in sorted(set(config) - CONDA_KEYS)]
    if not config.get("channels") or "defaults" in config["channels"]:
        problems.append("channels: conda-forge, not defaults")
    for dependency in config.get("dependencies") or []:
        if isinstance(dependency, str):
            if "=" not in dependency or "*" in dependency:
                problems.append(f"conda dependency {dependency!r} is not pinned")
        elif isinstance(dependency, dict) and set(dependency) == {"pip"}:
            problems += [problem for entry in dependency["pip"] if (problem := _pip_problem(path.parent, entry))]
        else:
            problems.append(f"unknown dependency entry {dependency!r}")
    return problems


def _pip_problem(folder: Path, entry: str) -> str:
    if entry.endswith(".whl"):
        if not entry.startswith("./") or ".." in entry:
            return f"wheel {entry!r} must be a path inside the package (./...)"
        return ""
    name, _, version = entry.partition("==")
    return "" if version.strip() and not any(c in name for c in "<>~!") else f"pip dependency {entry!r} is not =="


def pip_entries(path: Path) -> list[str]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [entry for item in config["dependencies"] if isinstance(item, dict) for entry in item["pip"]]


def rcc_ignores(folder: Path, relative: str) -> bool:
    """Whether the package's ignore files leave ``relative`` out of the robot package (plain gitignore patterns)."""
    config = yaml.safe_load((folder / "robot.yaml").read_text(encoding="utf-8"))
    parts = PurePosixPath(relative).parts
    for ignore_file in config.get("ignoreFiles") or []:
        for raw in (folder / ignore_file).read_text(encoding="utf-8").splitlines():
            pattern = raw.strip()
            if not pattern or pattern.startswith("#"):
                continue
            directory = pattern.rstrip("/")
            if any(PurePosixPath(*parts[: index + 1]).match(directory) for index in range(len(parts))):
                return True
    return False


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sdist and wheel of a copy of this repository, the wheel built from the sdist (as ``python -m build`` does)."""
    base = tmp_path_factory.mktemp("dists")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    out = base / "out"
    command = [sys.executable, "-m", "build", "--outdir", str(out), str(source)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    log = base / "build.log"
    log.write_text(run.stdout + run.stderr, encoding="utf-8")
    return {"sdist": sdist, "wheel": wheel, "log": log}


# ------------------------------------------------------------------------------------------ Control Room


def test_robot_yaml_is_what_rcc_accepts_and_names_only_files_that_exist() -> None:
    assert robot_yaml_problems(PACKAGE) == []
    config = yaml.safe_load((PACKAGE / "robot.yaml").read_text(encoding="utf-8"))
    assert len(config["tasks"]) == 3  # the README explains all three


def test_conda_yaml_is_what_rcc_accepts() -> None:
    assert conda_yaml_problems(PACKAGE / "conda.yaml") == []


def test_conda_yaml_installs_the_wheel_this_repository_builds(dists: dict[str, Path], tmp_path: Path) -> None:
    assert dists["wheel"].name == WHEEL
    wheels = [entry for entry in pip_entries(PACKAGE / "conda.yaml") if entry.endswith(".whl")]
    assert wheels == [f"./wheels/{WHEEL}"], "conda.yaml must install this version's wheel; run invoke controlroom"
    assert not rcc_ignores(PACKAGE, wheels[0][2:]), "the ignore file would leave the wheel out of the package"
    # As rcc does: the pip entries in a requirements file elsewhere, pip run from the package folder.
    package = tmp_path / "controlroom"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("wheels", "output"))
    (package / "wheels").mkdir()
    shutil.copy2(dists["wheel"], package / "wheels")
    requirements = tmp_path / "require.txt"
    requirements.write_text("\n".join(pip_entries(PACKAGE / "conda.yaml")), encoding="utf-8")
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index", "-r", str(requirements)]
    run = subprocess.run(command, cwd=package, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"robotframework-planhat-{__version__}" in run.stdout
    # the wheel brings what tasks.robot imports besides the library: rpaframework (RPA.Robocorp.*, RPA.Tables)
    with zipfile.ZipFile(dists["wheel"]) as archive:
        metadata = archive.read(f"robotframework_planhat-{__version__}.dist-info/METADATA").decode()
    assert "Requires-Dist: rpaframework" in metadata


def test_the_wheel_folder_stays_out_of_git_but_in_the_package() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", f"examples/controlroom/wheels/{WHEEL}"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "examples/controlroom/wheels/ must be ignored by git"
    assert not rcc_ignores(PACKAGE, f"wheels/{WHEEL}")
    assert rcc_ignores(PACKAGE, "output/log.html")


def _broken(tmp_path: Path, robot_yaml: str, files: dict[str, str] | None = None) -> list[str]:
    shutil.copytree(PACKAGE, tmp_path / "pkg", ignore=shutil.ignore_patterns("wheels", "output"))
    (tmp_path / "pkg" / "robot.yaml").write_text(robot_yaml, encoding="utf-8")
    for name, text in (files or {}).items():
        (tmp_path / "pkg" / name).write_text(text, encoding="utf-8")
    return robot_yaml_problems(tmp_path / "pkg")


@pytest.mark.parametrize(
    ("robot_yaml", "expected"),
    [
        ("tasks:\n  A:\n    shell: python -m robot tasks.robot\n    robotTaskName: Sync Companies From CSV\n"
         "artifactsDir: output\ncondaConfigFile: conda.yaml\n", "exactly one"),
        ("tasks:\n  A:\n    robotTaskName: Sync Companies From CSV\nartifactsDir: output\n"
         "environmentConfigs: [conda.yaml]\nignoreFiles: [.rccignore]\n", "is not a file"),
        ("tasks:\n  A:\n    robotTaskName: Sync Companies From CSV\nartifactsDir: output\n"
         "environmentConfigs: [missing.yaml]\n", "no environment configuration"),
        ("tasks:\n  A:\n    robotTaskName: Sync Companies From CSV\nartifactsDir: /tmp/output\n"
         "condaConfigFile: conda.yaml\n", "artifactsDir"),
        ("tasks:\n  A:\n    shell: python -m robot --task \"No Such Task\" tasks.robot\nartifactsDir: output\n"
         "condaConfigFile: conda.yaml\n", "is no task of"),
        ("tasks:\n  A:\n    shell: python -m robot gone.robot\nartifactsDir: output\ncondaConfigFile: conda.yaml\n",
         "must exist"),
        ("tasks:\n  A:\n    robotTaskName: Sync Companies From CSV\nartifactsDir: output\n"
         "condaConfigFile: conda.yaml\ncondaConfig: conda.yaml\n", "unknown key 'condaConfig'"),
    ],
)  # fmt: skip
def test_the_robot_yaml_check_finds_what_rcc_refuses(tmp_path: Path, robot_yaml: str, expected: str) -> None:
    problems = _broken(tmp_path, robot_yaml)
    assert any(expected in problem for problem in problems), problems


def test_the_conda_yaml_check_finds_what_rcc_refuses(tmp_path: Path) -> None:
    conda = tmp_path / "conda.yaml"
    conda.write_text(
        "channels: [defaults]\ndependencies:\n  - python\n  - pip:\n      - robotframework-planhat>=0.1\n"
        "      - /abs/robotframework_planhat-0.1.0-py3-none-any.whl\nvariables: {}\n",
        encoding="utf-8",
    )
    problems = conda_yaml_problems(conda)
    assert len(problems) == 5, problems


# ------------------------------------------------------------------------------------------ distributions


def test_sdist_holds_licence_changelog_docs_and_tests(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        licence = archive.extractfile(f"robotframework_planhat-{__version__}/LICENSE")
        assert licence is not None
        licence_text = licence.read().decode()
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "tasks.py"} <= names
    assert {
        "docs/PlanhatLibrary.html",
        "docs/simulator.md",
        "utest/integration/test_snippets.py",
        "utest/conftest.py",
    } <= names
    assert any(name.startswith("atest/") and name.endswith(".robot") for name in names)
    assert "examples/controlroom/robot.yaml" in names and "utest/snippets/companies.csv" in names
    assert not any(name.startswith(("results/", ".venv/", "examples/controlroom/wheels/")) for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.split()
    if tracked:  # every tracked file outside src/ is in the sdist (src/ is checked through the wheel)
        missing = [name for name in tracked if not name.startswith("src/") and name not in names]
        assert set(missing) <= {".gitignore", "MANIFEST.in"}, missing
    assert licence_text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence_text and "Version 2.0, January 2004" in licence_text


def test_building_prints_no_manifest_warnings(dists: dict[str, Path]) -> None:
    """An exclude line that matches nothing warns on every install (issue 26): MANIFEST.in has none."""
    log = dists["log"].read_text(encoding="utf-8")
    assert "MANIFEST.in" in log or "sdist" in log  # the build's own output was captured
    assert [line for line in log.splitlines() if "previously-included" in line or "no files found" in line] == []


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        return email.message_from_bytes(archive.read(f"robotframework_planhat-{__version__}.dist-info/METADATA"))


def test_wheel_metadata_shows_licence_versions_and_links(dists: dict[str, Path]) -> None:
    metadata = _metadata(dists["wheel"])
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {
        "Framework :: Robot Framework",
        "Framework :: Robot Framework :: Library",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)),
    } <= classifiers
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert urls["Homepage"] == REPOSITORY and urls["Issues"] == f"{REPOSITORY}/issues"
    assert urls["Changelog"] == f"{REPOSITORY}/blob/main/CHANGELOG.md"
    assert urls["Documentation"] == f"{PAGES}/PlanhatLibrary.html"
    assert metadata["Requires-Python"] == ">=3.10"
    with zipfile.ZipFile(dists["wheel"]) as archive:
        assert f"robotframework_planhat-{__version__}.dist-info/licenses/LICENSE" in archive.namelist()


def test_readme_links_work_on_a_package_index_page(dists: dict[str, Path]) -> None:
    description = _metadata(dists["wheel"]).get_payload()
    assert isinstance(description, str)
    relative = [
        link
        for link in (part.split(")", 1)[0] for part in description.split("](")[1:])
        if not link.startswith(("https://", "http://", "#", "mailto:"))
    ]
    assert relative == []


def test_readme_links_name_files_of_this_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [part.split(")", 1)[0] for part in readme.split("](")[1:]]
    ours = [link for link in links if link.startswith((REPOSITORY, PAGES))]
    assert len(ours) >= 8
    for link in ours:
        for prefix, folder in (
            (f"{REPOSITORY}/blob/main/", ""),
            (f"{REPOSITORY}/tree/main/", ""),
            (f"{PAGES}/", "docs/"),
        ):
            if link.startswith(prefix):
                assert (ROOT / folder / link.removeprefix(prefix)).exists(), link
                break
        else:
            raise AssertionError(f"{link} is neither a file nor a docs page of the repository")


def test_twine_accepts_the_distributions(dists: dict[str, Path]) -> None:
    command = [sys.executable, "-m", "twine", "check", "--strict", str(dists["sdist"]), str(dists["wheel"])]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
