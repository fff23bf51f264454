"""Installing builds out of tree: a wheel, an install and an editable install of a copy of the
checkout leave that copy exactly as it was, and the wheel holds every module, data file and
entry point under its import names."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.kit import git_bytes, git_environ

ROOT = Path(__file__).resolve().parents[1]
# folder in the checkout -> import name in the wheel
PACKAGES = {
    "supervisor": "supervisor",
    "plugins": "git_agent_plugins",
    "policies": "git_agent_policies",
    "hooks": "git_agent_hooks",
}
OFFLINE = ("--no-deps", "--no-build-isolation")  # the backend of this environment, no index
# into a prefix of its own: without --ignore-installed, pip would first uninstall the
# git-agent of the environment running the tests
INTO = ("--ignore-installed", "--prefix")
Listing = dict[str, tuple[str, int, int]]


def source_copy(target: Path) -> Path:
    """The checkout as a clone would have it (tracked and new files, ignored ones left out),
    symbolic links kept as links."""
    names = git_bytes(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for raw in sorted(set(names.split(b"\0")) - {b""}):
        source, dest = ROOT / os.fsdecode(raw), target / os.fsdecode(raw)
        if not os.path.lexists(source):
            continue  # deleted in the work tree, not yet in the index
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest, follow_symlinks=False)
    return target


def listing(root: Path) -> Listing:
    """Every file, folder and link under `root`: kind, size and modification time."""
    found: Listing = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            found[str(path.relative_to(root))] = (kind, info.st_size, info.st_mtime_ns)
    return found


def pip(*args: str) -> None:
    assert importlib.util.find_spec("hatchling"), (
        "the build backend is missing here: python3 -m pip install -e '.[test]' again"
    )
    command = [sys.executable, "-m", "pip", "--no-cache-dir", "-q", *args]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return source_copy(tmp_path_factory.mktemp("checkout") / "git-agent")


@pytest.fixture(scope="module")
def wheel(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    before = listing(checkout)
    pip("wheel", *OFFLINE, "--wheel-dir", str(out), str(checkout))
    assert listing(checkout) == before, "building the wheel wrote into the source tree"
    (built,) = out.glob("git_agent-*.whl")
    return zipfile.ZipFile(built)


@pytest.fixture(scope="module")
def installed(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prefix the checkout was installed into (not editable), as `pip install PATH` does."""
    prefix = tmp_path_factory.mktemp("prefix")
    before = listing(checkout)
    pip("install", *OFFLINE, *INTO, str(prefix), str(checkout))
    assert listing(checkout) == before, "installing wrote into the source tree"
    return prefix


def test_a_wheel_build_leaves_the_source_tree_untouched(wheel: zipfile.ZipFile) -> None:
    assert wheel.namelist()  # the fixture compared the tree before and after


def test_the_wheel_holds_every_module_under_its_import_name(
    wheel: zipfile.ZipFile, checkout: Path
) -> None:
    names = set(wheel.namelist())
    for folder, package in PACKAGES.items():
        for path in (checkout / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(checkout / folder).as_posix()
                assert f"{package}/{rel}" in names, f"{folder}/{rel} is not in the wheel"
    shipped = {name.split("/")[0] for name in names if not name.startswith("git_agent-")}
    assert shipped == set(PACKAGES.values()), "the wheel ships something else"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_wheel_holds_the_package_data(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "supervisor/py.typed" in names
    assert {"git_agent_policies/default.toml", "git_agent_policies/strict.toml"} <= names
    shims = {f"git_agent_hooks/{n}" for n in ("pre-commit", "pre-push", "pre-receive")}
    assert shims <= names


def test_the_wheel_declares_the_console_script_and_the_plugins(wheel: zipfile.ZipFile) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(points).decode()
    assert "[console_scripts]\ngit-agent = supervisor.cli:main\n" in text
    for name, target in project["entry-points"]["git_agent"].items():
        assert f"{name} = {target}\n" in text
        module = target.split(":")[0]
        assert f"{module.replace('.', '/')}.py" in wheel.namelist()


def test_a_source_distribution_holds_the_sources_once(
    checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("sdist")
    before = listing(checkout)
    code = "import sys; from hatchling.builders.sdist import SdistBuilder as B; "
    code += "list(B(sys.argv[1]).build(directory=sys.argv[2]))"  # the backend of the wheel
    subprocess.run([sys.executable, "-c", code, str(checkout), str(out)], check=True)
    assert listing(checkout) == before, "building the sdist wrote into the source tree"
    (built,) = out.glob("git_agent-*.tar.gz")
    with tarfile.open(built) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "supervisor/cli/parser.py", "plugins/scope.py"} <= names
    assert "docs/man/git-agent.1" in names
    assert not [n for n in names if n.startswith(".editable")]


def test_an_install_leaves_the_source_tree_untouched(installed: Path) -> None:
    assert (installed / "bin" / "git-agent").is_file()


def test_an_editable_install_leaves_the_source_tree_untouched_and_follows_it(
    checkout: Path, tmp_path: Path
) -> None:
    before = listing(checkout)
    pip("install", *OFFLINE, *INTO, str(tmp_path), "--editable", str(checkout))
    assert listing(checkout) == before, "an editable install wrote into the source tree"
    (pth,) = tmp_path.glob("lib/python*/site-packages/_git_agent.pth")
    assert pth.read_text().split() == [str(checkout / ".editable")]
    links = {p.name: p.resolve() for p in (checkout / ".editable").iterdir()}
    assert links == {package: checkout / folder for folder, package in PACKAGES.items()}


# --- the manual page, where man finds it --------------------------------------------------


def man_env(prefix: Path, **extra: str) -> dict[str, str]:
    """An environment with the install's bin/ first on PATH, no MANPATH, git's config of
    this machine left out (help.format could ask for a browser) and man writing plain text."""
    env = git_environ({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    env.pop("MANPATH", None)
    env.update(PATH=f"{prefix / 'bin'}{os.pathsep}{env['PATH']}", MANPAGER="cat", PAGER="cat")
    env.update(MANWIDTH="80", LC_ALL="C.UTF-8", **extra)
    return env


def manual(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def rendered(installed: Path) -> str:
    """The committed page as man renders it."""
    assert shutil.which("man"), "man is needed: apt-get install man-db (.ci/run does)"
    shown = manual(man_env(installed), "man", "-l", str(ROOT / "docs" / "man" / "git-agent.1"))
    assert shown.returncode == 0 and "git-agent" in shown.stdout, shown.stderr
    return shown.stdout


def test_an_install_puts_the_manual_page_beside_its_bin(installed: Path) -> None:
    page = installed / "share" / "man" / "man1" / "git-agent.1"
    assert page.read_bytes() == (ROOT / "docs" / "man" / "git-agent.1").read_bytes()


def test_git_agent_help_through_git_opens_the_manual_page(
    installed: Path, rendered: str, tmp_path: Path
) -> None:
    """git turns `git agent --help` into `git help agent`, which runs `man git-agent` with
    MANPATH set to git's own pages and a trailing colon: man then adds the folders it derives
    from PATH, among them <bin>/../share/man of the console script."""
    env = man_env(installed)
    for args in (
        ("git", "agent", "--help"),
        ("git", "help", "agent"),
        ("git", "help", "-m", "agent"),
    ):
        shown = manual(env, *args, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == rendered, args
    where = manual(env, "man", "-w", "git-agent", cwd=tmp_path)
    assert where.stdout.strip() == str(installed / "share" / "man" / "man1" / "git-agent.1")


def test_a_manpath_that_keeps_the_default_still_finds_it(
    installed: Path, rendered: str, tmp_path: Path
) -> None:
    env = man_env(installed, MANPATH=f"{tmp_path}:")  # the empty entry: man's own search too
    shown = manual(env, "git", "agent", "--help", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout == rendered, shown.stderr
