"""schemas/ is generated from the models (and fails when stale); real command output fits it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from supervisor import schemas
from supervisor.config.presets import preset_text
from tests.kit import cli, run_cli

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
NAMES = ("policy", "plan", "status", "checkpoint", "checkpoints", "report", "conflicts")


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def conforms(name: str, data: Any) -> None:
    errors = sorted(validator(name).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def refused(name: str, data: Any) -> bool:
    return not validator(name).is_valid(data)


# --- generated, and not stale -------------------------------------------------


def test_the_schema_files_are_exactly_the_generated_ones(tmp_path: Path) -> None:
    assert schemas.main(["--out", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(f"{n}.schema.json" for n in NAMES)
    for file in made:
        committed = SCHEMAS / file
        assert committed.is_file(), f"{file} missing: run python3 -m supervisor.schemas"
        assert committed.read_bytes() == (tmp_path / file).read_bytes(), (
            f"schemas/{file} is stale: run python3 -m supervisor.schemas"
        )


def test_check_mode_passes_on_the_committed_files() -> None:
    assert schemas.main(["--check"]) == 0
    assert schemas.stale(SCHEMAS) == []


def test_check_mode_fails_when_a_file_is_stale_or_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SCHEMAS, tmp_path / "s")
    target = tmp_path / "s" / "status.schema.json"
    data = json.loads(target.read_text())
    del data["properties"]["verdict"]
    target.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    (tmp_path / "s" / "plan.schema.json").unlink()
    assert schemas.main(["--check", "--out", str(tmp_path / "s")]) == 1
    assert schemas.stale(tmp_path / "s") == ["plan.schema.json", "status.schema.json"]
    assert "status.schema.json" in capsys.readouterr().err


def test_files_have_sorted_keys_and_a_trailing_newline() -> None:
    for name in NAMES:
        text = (SCHEMAS / f"{name}.schema.json").read_text()
        assert text.endswith("}\n") and not text.endswith("\n\n")
        data = json.loads(text)
        assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_regenerate_command_is_documented() -> None:
    assert "python3 -m supervisor.schemas" in (schemas.__doc__ or "")


# --- the policy and the plan ----------------------------------------------------


def test_the_presets_fit_the_policy_schema() -> None:
    import tomllib

    for name in ("default", "strict"):
        conforms("policy", tomllib.loads(preset_text(name).decode()))


def test_the_policy_and_plan_schemas_refuse_what_the_models_refuse() -> None:
    assert refused("policy", {"version": 1, "bogus": 1})
    assert refused("policy", {"version": 2})
    assert refused("policy", {"scope": {"allow": "src/**"}})
    assert refused("policy", {"limits": {"max_file_bytes": -1}})
    assert refused("policy", {"rules": {"scope": "fatal"}})
    assert refused("plan", {"version": 1})
    assert refused("plan", {"checks": [{"name": "x"}]})
    conforms(
        "plan",
        {
            "description": "d",
            "scope": {"allow": ["src/**"], "deny": []},
            "limits": {"max_files_changed": 3, "allow_binary": False},
            "rules": {"scope": "error"},
            "checks": [{"name": "t", "run": ["pytest"], "timeout": 60}],
            "plugins": {"secrets": {"extra": []}},
        },
    )


# --- real command output ----------------------------------------------------------


@pytest.fixture
def busy(repo: Path) -> Path:
    """Feature f with a plan, two checkpoints, a rename, a violation and a live change."""
    (repo.parent / "plan.toml").write_text('[scope]\nallow = ["src/**", "docs/**"]\n')
    started = cli(repo, "start", "f", "--plan", "../plan.toml", "--json")
    assert started.code == 0, started
    conforms("status", started.json())
    shadow = Path(started.json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "app.py").write_text("print('hello')\nprint('more')\n")
    (shadow / "docs" / "guide.md").rename(shadow / "docs" / "manual.md")
    assert cli(repo, "checkpoint", "f", "-m", "first").code == 0
    (shadow / "README.md").write_text("outside the plan\n")
    (shadow / "src" / "tool.sh").write_text("#!/bin/sh\necho hi\n")
    (shadow / "src" / "tool.sh").chmod(0o755)
    (shadow / "src" / "data.bin").write_bytes(bytes(range(256)) * 4)
    return repo


def test_status_and_list_fit_the_schema(busy: Path) -> None:
    assert cli(busy, "validate", "f").code == 1  # a verdict is recorded
    status = cli(busy, "status", "f", "--json")
    assert status.code == 0, status
    conforms("status", status.json())
    assert status.json()["verdict"] is not None  # type: ignore[index]
    for args in (["list", "--json"], ["status", "--json"]):
        listed = cli(busy, *args).json()
        assert isinstance(listed, list) and len(listed) == 1
        for item in listed:
            conforms("status", item)


def test_status_after_promote_and_remove_fits_the_schema(repo: Path) -> None:
    started = cli(repo, "start", "g", "--json")
    shadow = Path(started.json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "app.py").write_text("print('promoted')\n")
    assert cli(repo, "promote", "g").code == 0
    promoted = cli(repo, "status", "g", "--json").json()
    conforms("status", promoted)
    assert promoted["promoted"] is not None  # type: ignore[index]
    assert cli(repo, "remove", "g").code == 0
    conforms("status", cli(repo, "status", "g", "--json").json())


def test_checkpoint_fits_the_schema(busy: Path) -> None:
    made = cli(busy, "checkpoint", "f", "--json")
    assert made.code == 0, made
    conforms("checkpoint", made.json())
    again = cli(busy, "checkpoint", "f", "--json").json()
    assert again["created"] is False  # type: ignore[index]
    conforms("checkpoint", again)


def test_checkpoints_fit_the_schema(busy: Path) -> None:
    assert cli(busy, "checkpoint", "f", "-m", "second\n\nwith a body").code == 0
    chain = run_cli(busy, "checkpoints", "f", "--json")
    assert chain.code == 0, chain
    assert [c["number"] for c in chain.json()] == [0, 1, 2]  # type: ignore[union-attr]
    conforms("checkpoints", chain.json())


def test_the_validate_report_fits_the_schema(busy: Path) -> None:
    result = run_cli(busy, "validate", "f", "--json")
    assert result.code == 1, result
    report = result.json()
    conforms("report", report)
    assert isinstance(report, dict)
    statuses = {c["status"] for c in report["changes"]}
    assert {"A", "M", "R"} <= statuses, report["changes"]
    assert any(v["rule"] == "scope.outside" for v in report["violations"])
    # and each change, as diff --json prints it, fits the report's change item
    changes = cli(busy, "diff", "f", "--json").json()
    conforms(
        "report",
        {"ok": True, "violations": [], "changes": changes, "incomplete": False, "blocked": []},
    )


def test_the_report_schema_is_exact() -> None:
    """Keys the commands do not print, or a missing key, do not pass: the schema is not loose."""
    change = {
        "path": "a",
        "status": "A",
        "old_path": None,
        "added": 1,
        "deleted": 0,
        "binary": False,
        "mode": "100644",
        "old_mode": None,
    }
    violation = {"rule": "r", "severity": "error", "path": "a", "line": None, "message": "m"}
    whole = {"incomplete": False, "blocked": []}
    conforms("report", {"ok": False, "violations": [violation], "changes": [change], **whole})
    assert refused("report", {"ok": False, "violations": [violation], "changes": [change]})
    assert refused("report", {"ok": False, "violations": [violation], **whole})
    assert refused("report", {"ok": False, "violations": [], "changes": [], "extra": 1})
    assert refused("report", {"ok": True, "violations": [], "changes": [{**change, "mode": 420}]})
    assert refused(
        "report", {"ok": True, "violations": [{**violation, "severity": "fatal"}], "changes": []}
    )
    assert refused("checkpoint", {"number": 1, "commit": "abc", "created": True})
