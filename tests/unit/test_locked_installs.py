"""The locks: what a fresh clone installs is pinned, hashed, complete and what is installed.

README promises that `make setup` installs exactly `requirements-dev.lock` and that
`deploy/Dockerfile` installs `requirements.lock`; these tests hold both to it offline.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
DEV_LOCK = REPO / "requirements-dev.lock"
RUN_LOCK = REPO / "requirements.lock"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def pins(lock: Path) -> dict[str, list[tuple[Version, str | None, int]]]:
    """Each locked package: its versions (one per marker), markers and number of hashes."""
    found: dict[str, list[tuple[Version, str | None, int]]] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        hashes = 0
        for following in lines[index + 1 :]:
            if not following.startswith("    --hash=sha256:"):
                break
            hashes += 1
        found.setdefault(canonicalize_name(match["name"]), []).append(
            (Version(match["version"]), match["marker"], hashes)
        )
    return found


def project_requirements(*, dev: bool) -> list[Requirement]:
    """The project's declared requirements, with the dev extra when asked."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = [*project["dependencies"], *pyproject["build-system"]["requires"]]
    if dev:
        declared += project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in declared]


def applies(marker: str | None) -> bool:
    """Whether a pin's environment marker holds on this machine."""
    return marker is None or Requirement(f"x; {marker}").marker.evaluate()  # type: ignore[union-attr]


@pytest.mark.parametrize("lock", [DEV_LOCK, RUN_LOCK], ids=lambda p: p.name)
def test_every_locked_package_is_pinned_with_hashes(lock: Path) -> None:
    locked = pins(lock)

    assert locked, f"{lock.name} pins nothing"
    unhashed = [name for name, entries in locked.items() for *_, hashes in entries if not hashes]
    assert unhashed == []


@pytest.mark.parametrize(
    ("lock", "dev"), [(DEV_LOCK, True), (RUN_LOCK, False)], ids=["dev", "runtime"]
)
def test_lock_satisfies_every_declared_requirement(lock: Path, *, dev: bool) -> None:
    locked = pins(lock)
    unmet = []
    for requirement in project_requirements(dev=dev):
        if requirement.marker and not requirement.marker.evaluate():
            continue
        versions = [v for v, marker, _ in locked.get(canonicalize_name(requirement.name), [])]
        if not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            unmet.append(str(requirement))

    assert unmet == [], f"{lock.name} is stale: run `make lock`"


def test_runtime_lock_agrees_with_the_dev_lock() -> None:
    dev, runtime = pins(DEV_LOCK), pins(RUN_LOCK)

    disagreeing = {
        name: (entries, dev.get(name))
        for name, entries in runtime.items()
        if {v for v, *_ in entries} - {v for v, *_ in dev.get(name, [])}
    }
    assert disagreeing == {}


def test_this_environment_is_exactly_the_dev_lock() -> None:
    mismatched: dict[str, tuple[list[Version], Version | None]] = {}
    for name, entries in pins(DEV_LOCK).items():
        wanted = [version for version, marker, _ in entries if applies(marker)]
        if not wanted:
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            mismatched[name] = (wanted, None)
            continue
        if installed not in wanted:
            mismatched[name] = (wanted, installed)

    assert mismatched == {}, "install with `make setup` (it installs the lock)"


def test_setup_and_the_image_install_the_locks_with_hashes() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")

    assert "LOCK     := requirements-dev.lock" in makefile
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "--no-build-isolation -e ." in makefile
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "--no-build-isolation ." in dockerfile
