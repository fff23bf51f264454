"""secrets.*: the catalogue wired in, the generic family's switch, and the team's scanner configs
(`.gitleaks.toml`, `.gitleaksignore`, `.secrets.baseline`) read from the policy's commit.

Every fake secret is built here from pieces at run time, so that this file holds nothing a
secret scanner would flag.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import string
import subprocess
from pathlib import Path

import pytest
from git_agent_plugins import git_rules, scanner_configs, secret_formats, secrets
from git_agent_plugins.scanner_configs import Evidence, GoRegexError, compile_go, translate
from git_agent_plugins.secrets import FileView, Ruleset, scan

from supervisor.errors import ConfigError
from tests.conftest import cli, commit_all, git

R = random.Random(20261201)
B62 = string.ascii_letters + string.digits
LOWER = string.ascii_lowercase + string.digits


def rnd(n: int, alphabet: str = B62) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


ACME = "ac" + "me_" + rnd(32, LOWER)
ACME_2 = "ac" + "me_" + rnd(32, LOWER)
GITHUB = "gh" + "p_" + rnd(36)
GITHUB_2 = "gh" + "p_" + rnd(36)
GITLAB = "gl" + "pat-" + rnd(20, B62 + "_-")
PASSWORD = rnd(24, B62 + "!@#%^&*")

GITLEAKS = """\
title = "the team's gitleaks config"

[extend]
useDefault = true

[[rules]]
id = "acme-token"
description = "ACME deploy token"
regex = '''\\b(acme_(?i)[a-z0-9]{32})\\b'''
keywords = ["acme_"]
entropy = 3

[allowlist]
description = "test fixtures"
paths = ['''^tests/fixtures/''']
"""


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def detect_secrets_baseline(known: dict[str, list[str]], **extra: object) -> str:
    """A `.secrets.baseline` as detect-secrets 1.5 writes it, knowing `known` (secrets by
    file, stored as SHA-1)."""
    document: dict[str, object] = {
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}, {"name": "KeywordDetector"}],
        "filters_used": [
            {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
            {"path": "detect_secrets.filters.heuristic.is_potential_uuid"},
        ],
        "results": {
            path: [
                {
                    "type": "GitHub Token",
                    "filename": path,
                    "hashed_secret": sha1(secret),
                    "is_verified": False,
                    "line_number": 1,
                }
                for secret in found
            ]
            for path, found in known.items()
        },
        "generated_at": "2026-12-01T00:00:00Z",
    }
    document.update(extra)
    return json.dumps(document, indent=2) + "\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def set_policy(repo: Path, text: str, **files: str) -> str:
    """Commit the policy (and scanner configs, by path) as a person would."""
    write(repo, ".git-agent/policy.toml", "version = 1\n" + text)
    for rel, content in files.items():
        write(repo, rel, content)
    return commit_all(repo, "policy")


HONOR_BOTH = '[plugins.secrets]\nhonor = ["gitleaks", "detect-secrets"]\n'
CONFIGS = {
    ".gitleaks.toml": GITLEAKS,
    ".secrets.baseline": detect_secrets_baseline({"src/known.py": [GITHUB]}),
}


def start(repo: Path, name: str = "f", plan: str | None = None) -> Path:
    args = ["start", name]
    if plan is not None:
        (repo.parent / f"{name}-plan.toml").write_text(plan)
        args += ["--plan", str(repo.parent / f"{name}-plan.toml")]
    started = cli(repo, *args)
    assert started.code == 0, started
    return Path(cli(repo, "status", name, "--json").json()["shadow"])  # type: ignore[index]


def validate(repo: Path, name: str = "f") -> list[tuple[str, str]]:
    result = cli(repo, "validate", name, "--json")
    assert result.code in (0, 1), result
    report = result.json()
    assert isinstance(report, dict)
    return sorted((v["rule"], v["path"]) for v in report["violations"])


def check(repo: Path, base: str) -> tuple[int, list[tuple[str, str]], str]:
    result = cli(repo, "check", "--base", base, "--head", "HEAD", "--format", "json")
    assert result.code in (0, 1), result
    report = result.json()
    assert isinstance(report, dict)
    hits = sorted({(v["rule"], v["path"]) for v in report["violations"]})
    return result.code, hits, result.out + result.err


def found(path: str, text: str, rules: Ruleset = secrets.DEFAULT) -> list[tuple[str, int]]:
    view = FileView(path, enumerate(text.splitlines(), 1))
    return [(f.rule, f.line) for f in scan(view, rules=rules)]


# --- the catalogue, wired in -----------------------------------------------------------------------


def test_the_catalogue_reports_through_the_plugin_with_one_finding_per_secret() -> None:
    text = "\n".join(
        [
            f'GITLAB_TOKEN = "{GITLAB}"',  # a named format, and a generic-looking assignment
            f'GITHUB_TOKEN = "{GITHUB}"',  # the plugin's own rule
            f'db_password = "{PASSWORD}"',  # the generic family
            f"url = 'postgres://app:{PASSWORD[:12]}@db.internal.example/app'",
        ]
    )
    assert found("settings.py", text) == [
        ("secrets.gitlab-pat", 1),
        ("secrets.github-token", 2),
        ("secrets.generic-assignment", 3),
        ("secrets.database-url", 4),
    ]


def test_confidence_shows_in_the_message_and_hides_nothing() -> None:
    twilio = "TWILIO_AUTH_TOKEN=" + rnd(32, "0123456789abcdef")
    (finding,) = scan(FileView("a.env", [(1, twilio)]))
    assert finding.rule == "secrets.twilio-auth-token"
    assert finding.message.endswith(", medium confidence: remove it and rotate it")
    assert twilio.split("=")[1] not in finding.message + repr(finding)
    assert "Evidence" not in repr(finding)


def test_one_prefilter_pass_and_no_detect_secrets_for_ordinary_lines() -> None:
    """The gate is the catalogue's, with the plugin's keywords (and a team's) in it."""
    gate = secrets.DEFAULT.gate()
    assert gate is secret_formats.gate_with(secrets.OWN_KEYWORDS)
    for keyword in secrets.OWN_KEYWORDS:
        assert gate.search(f"x {keyword} y")
    program = (
        "import sys\n"
        "from git_agent_plugins.secrets import FileView, scan\n"
        "lines = [(n, f'x_{n} = compute({n})') for n in range(1, 3000)]\n"
        "lines += [(3000, 'glpat-' + 'aB3dE9fGh1kL2mN4pQ5r')]\n"
        "assert [f.rule for f in scan(FileView('a.py', lines))] == ['secrets.gitlab-pat']\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    proc = subprocess.run(
        [secrets.sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert proc.stdout.split() == ["False"]


def test_a_small_input_is_searched_word_by_word_and_finds_what_the_regex_finds() -> None:
    """Until enough text has gone through, a gate looks for its words with `str.find` (a hook
    over a small commit never compiles the big regex); the lines it stops at are the same."""
    from git_agent_plugins.secret_formats._matcher import COMPILE_GATE_AFTER, Gate

    words = sorted(secrets.OWN_KEYWORDS | {"glpat-", "key", "acme_"})
    patterns = [r"pat[a-z0-9]{14}\.", r"\bsk[a-z0-9]{20}"]
    pool = [
        "x = 1",
        "def f():",
        "api_key = k",
        "glpat-zzz",
        "Asia/Tokyo",
        "",
        "a pat" + "a" * 14 + ".",
        "acme_1",
        "sk" + "q" * 20,
        "no secret here",
        "TOKEN",
        "p\u00e1ssw",
    ]
    for _ in range(50):
        lines = [R.choice(pool) for _ in range(R.randint(0, 30))]
        block = "\n".join(lines).lower()
        small, compiled = Gate(words, patterns), Gate(words, patterns)
        compiled.regex  # noqa: B018 - compiled up front
        assert list(small.stops(block)) == list(compiled.stops(block))
        for line in lines:
            assert small.search(line.lower()) == compiled.search(line.lower())
        assert small._regex is None  # never compiled
    big = Gate(words, patterns)
    list(big.stops("x = 1\n" * (COMPILE_GATE_AFTER // 5)))
    assert big._regex is not None  # past the threshold: compiled, and used from then on


# --- the generic family's switch -------------------------------------------------------------------


def test_generic_family_off_keeps_every_named_format() -> None:
    text = "\n".join(
        [
            f'db_password = "{PASSWORD}"',
            f"url = 'postgres://app:{PASSWORD[:12]}@db.internal.example/app'",
            "creds = 'https://bot:" + PASSWORD[:10] + "9Zq@git.internal.example/x'",
            f'GITLAB_TOKEN = "{GITLAB}"',
            f'GITHUB_TOKEN = "{GITHUB}"',
        ]
    )
    on = found("a.py", text)
    off = found("a.py", text, secrets._ruleset(False, (), False))
    generic = {"secrets.generic-assignment", "secrets.url-credentials", "secrets.kubernetes-secret"}
    assert {rule for rule, _ in on} & generic == {
        "secrets.generic-assignment",
        "secrets.url-credentials",
    }
    assert off == [(rule, line) for rule, line in on if rule not in generic]
    assert ("secrets.gitlab-pat", 4) in off and ("secrets.database-url", 2) in off


def test_generic_switch_in_the_policy_and_a_plan_can_only_turn_it_on(repo: Path) -> None:
    set_policy(repo, "[plugins.secrets]\ngeneric = false\n")
    shadow = start(repo)
    write(shadow, "src/a.py", f'db_password = "{PASSWORD}"\nT = "{GITLAB}"\n')
    assert validate(repo) == [("secrets.gitlab-pat", "src/a.py")]
    shadow = start(repo, "g", plan="[plugins.secrets]\ngeneric = true\n")
    write(shadow, "src/a.py", f'db_password = "{PASSWORD}"\nT = "{GITLAB}"\n')
    assert validate(repo, "g") == [
        ("secrets.generic-assignment", "src/a.py"),
        ("secrets.gitlab-pat", "src/a.py"),
    ]
    set_policy(repo, "")
    (repo.parent / "h-plan.toml").write_text("[plugins.secrets]\ngeneric = false\n")
    refused = cli(repo, "start", "h", "--plan", str(repo.parent / "h-plan.toml"))
    assert refused.code == 2 and "a plan can only turn it on (true)" in refused.err


@pytest.mark.parametrize(
    ("policy", "plan", "message"),
    [
        ('[plugins.secrets]\ngeneric = "no"\n', None, "generic must be true or false"),
        ('[plugins.secrets]\nhonor = "gitleaks"\n', None, 'honor must be a list of "gitleaks"'),
        ('[plugins.secrets]\nhonor = ["trufflehog"]\n', None, 'honor must be a list of "gitleaks"'),
        ("[plugins.secrets]\ngitleaks_rules = 1\n", None, "gitleaks_rules must be true or false"),
        ("", "[plugins.secrets]\ngitleaks_rules = false\n", "a plan can only turn it on"),
        ("", '[plugins.secrets]\nhonor = ["x"]\n', 'honor must be a list of "gitleaks"'),
    ],
)
def test_new_keys_are_checked_when_rules_are_read(
    repo: Path, policy: str, plan: str | None, message: str
) -> None:
    set_policy(repo, policy)
    args = ["start", "f"]
    if plan is not None:
        (repo.parent / "f-plan.toml").write_text(plan)
        args += ["--plan", str(repo.parent / "f-plan.toml")]
    result = cli(repo, *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err


# --- Go regular expressions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("go", "python"),
    [
        (r"(?i)abc", r"(?i:abc)"),
        (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),  # RE2: the flag holds to the end of the group
        (r"(x|y(?i)z|w)v", r"(x|y(?i:z)|(?i:w))v"),
        (r"\b(k-(?i)[a-z0-9]{8})\z", r"\b(k-(?i:[a-z0-9]{8}))\Z"),
        (r"(?-i:Ab)", r"(?-i:Ab)"),
        (r"(?<name>x)", r"(?P<name>x)"),
        (r"[[:alpha:]_]+", r"[A-Za-z_]+"),
        (r"[[:^digit:]]", r"[^0-9]"),
        (r"\Qa.b\E", r"a\.b"),
        (r"\x{41}\101", r"AA"),
        (r"^\$(?:\d+|{\d+})$", r"^\$(?:\d+|\{\d+})$"),  # `{` not a repetition: a literal
        (r"a{,3}", r"a\{,3}"),
        (r"[[]", r"[\[]"),
    ],
)
def test_go_regexes_are_translated(go: str, python: str) -> None:
    assert translate(go) == python
    compile_go(go)


def test_translated_regexes_keep_go_semantics() -> None:
    flagged = compile_go(r"a(?i)b|c")
    assert flagged.fullmatch("aB") and flagged.fullmatch("C") and not flagged.fullmatch("Ab")
    assert compile_go(r"\d+").fullmatch("123") and not compile_go(r"\d").fullmatch("٣")  # ASCII
    assert compile_go(r"x\z").search("ax") and not compile_go(r"x\z").search("x\n")


@pytest.mark.parametrize(
    ("go", "why"),
    [
        (r"\p{Greek}+", "Unicode classes"),
        (r"\pL", "Unicode classes"),
        (r"(?U)a+", "ungreedy"),
        (r"(a)\1", "backreferences"),
        (r"\C", "any byte"),
        (r"(a", "missing ')'"),
        (r"a)", "unbalanced ')'"),
        (r"[a", "missing ']'"),
        (r"*a", "not a valid regular expression"),
    ],
)
def test_go_regexes_python_cannot_express_are_refused(go: str, why: str) -> None:
    with pytest.raises(GoRegexError, match=re.escape(why)):
        compile_go(go)


# --- reading .gitleaks.toml, .gitleaksignore, .secrets.baseline -------------------------------------


def gitleaks(text: str, **files: str) -> scanner_configs.Gitleaks:
    return scanner_configs.gitleaks(
        text.encode(), lambda path: files[path].encode() if path in files else None
    )


def evidence(
    rule: str, path: str = "src/a.py", secret: str = "s3cr3t-value", line: int = 1
) -> Evidence:
    return Evidence(rule, path, line, secret, f"KEY={secret}", f"x KEY={secret} y")


def test_gitleaks_rules_keep_their_ids_and_gitleaks_semantics() -> None:
    config = gitleaks(
        GITLEAKS
        + """
[[rules]]
id = "two-groups"
regex = '''(k1)=(\\w+)|(k2)=(\\w+)'''
secretGroup = 2

[[rules]]
id = "pem-file"
description = "a key file"
path = '''(?i)\\.pem$'''
"""
    )
    acme, groups, pem = config.rules
    assert (acme.id, acme.label, acme.keywords) == (
        "secrets.acme-token",
        "ACME deploy token",
        ("acme_",),
    )
    shouted = ACME[:5] + ACME[5:].upper()  # (?i) in the middle: the body in any case
    assert [m[2] for m in acme.find(f"T={shouted} {ACME.upper()} {ACME}")] == [shouted, ACME]
    assert not list(acme.find("acme_" + "a" * 32))  # entropy 3 or less
    assert [m[2] for m in groups.find("k1=abc k2=def")] == ["abc"]  # secretGroup 2 of match 1
    assert pem.regex is None and pem.applies_to("keys/x.PEM") and not pem.applies_to("a.py")


def test_gitleaks_allowlists_all_kinds() -> None:
    config = gitleaks(
        """
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "aws-access-token"
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''ALLOWED-LINE''']

[[allowlists]]
description = "fixtures, but only for ACME"
targetRules = ["acme-token"]
paths = ['''^fixtures/''']

[[allowlists]]
condition = "AND"
paths = ['''^docs/''']
stopwords = ["sample"]

[[allowlists]]
commits = ["0123456789abcdef0123456789abcdef01234567"]
"""
    )
    assert config.rules == ()
    assert config.allows(evidence("secrets.generic-assignment"))  # disabled through its alias
    assert config.allows(Evidence("secrets.aws-access-key", "a.py", 1, "k", "k", "ALLOWED-LINE"))
    assert not config.allows(Evidence("secrets.aws-access-key", "a.py", 1, "k", "k", "other"))
    assert config.allows(evidence("secrets.acme-token", "fixtures/x.py"))
    assert not config.allows(evidence("secrets.github-token", "fixtures/x.py"))
    assert config.allows(evidence("secrets.github-token", "docs/a.md", "a-sample-token"))
    assert not config.allows(evidence("secrets.github-token", "docs/a.md", "a-real-token"))
    assert not config.allows(evidence("secrets.github-token", "src/a.md", "a-sample-token"))
    assert not config.allows(evidence("secrets.github-token"))  # a commit never matches new work


def test_gitleaks_extends_a_file_under_the_policy_directory_only() -> None:
    base = "[[rules]]\nid = \"base-rule\"\nregex = '''base_[0-9]{8}'''\n"
    config = gitleaks(
        '[extend]\npath = ".git-agent/gitleaks-base.toml"\n'
        '[[rules]]\nid = "base-rule"\nkeywords = ["base_"]\n',
        **{".git-agent/gitleaks-base.toml": base},
    )
    (rule,) = config.rules
    assert rule.id == "secrets.base-rule" and rule.keywords == ("base_",)
    with pytest.raises(ConfigError, match=re.escape("must be under .git-agent/")):
        gitleaks('[extend]\npath = "ci/gitleaks.toml"\n')
    with pytest.raises(ConfigError, match="nothing is fetched"):
        gitleaks('[extend]\nurl = "https://example.org/gitleaks.toml"\n')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]]\nid = \"x\"\nregex = '''\\p{L}+'''\n", "rule 'x' regex: Unicode classes"),
        ('[[rules]]\nid = "x"\n', "rule 'x': both regex and path are empty"),
        (
            '[[rules]]\nid = "x"\nregex = "a"\nsecretGroup = 2\n',
            "secretGroup 2 but the regex has 0",
        ),
        (
            '[[rules]]\nid = "x"\nregex = "a"\nfrobnicate = 1\n',
            "rule 'x': unknown key 'frobnicate'",
        ),
        ('[[rules]]\nid = "x"\nregex = "a"\n[[rules.required]]\nid = "y"\n', "composite rules"),
        ('[[rules]]\nid = "x y"\nregex = "a"\n', "id must be letters"),
        ('[[rules]]\nid = "x"\nregex = "a"\n[[rules]]\nid = "x"\nregex = "b"\n', "defined twice"),
        ("[allowlist]\ndescription = 'nothing'\n", "needs commits, paths, regexes or stopwords"),
        ("[allowlist]\nregexTarget = 'all'\nregexes = ['a']\n", "regexTarget must be"),
        ("[allowlist]\nparths = ['a']\n", "unknown key 'parths'"),
        ("[[rules]\n", "is not valid TOML"),
    ],
)
def test_gitleaks_configs_git_agent_cannot_read_faithfully_are_refused(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        gitleaks(text)


def test_gitleaks_keys_in_any_letter_case() -> None:
    config = gitleaks(
        '[extend]\nusedefault = true\n[[rules]]\nID = "x"\nRegex = "x_[0-9]{4}"\nSecretGroup = 0\n'
    )
    assert [r.id for r in config.rules] == ["secrets.x"]


def test_gitleaksignore_fingerprints() -> None:
    ignored = scanner_configs.gitleaks_ignore(
        b"# known findings\n"
        b"src/a.py:acme-token:3\n"
        b"src\\b.py:generic-api-key:7\n"
        b"0123456789abcdef0123456789abcdef01234567:src/c.py:acme-token:1\n"
        b"*:src/d.py:*:*\n"
    )
    assert ignored.allows(evidence("secrets.acme-token", "src/a.py", line=3))
    assert not ignored.allows(evidence("secrets.acme-token", "src/a.py", line=4))
    assert ignored.allows(evidence("secrets.generic-assignment", "src/b.py", line=7))  # alias
    assert not ignored.allows(evidence("secrets.acme-token", "src/c.py", line=1))  # a commit
    assert ignored.allows(evidence("secrets.github-token", "src/d.py", line=9))
    with pytest.raises(ConfigError, match="a fingerprint is file:rule-id:line"):
        scanner_configs.gitleaks_ignore(b"just-a-path\n")


def test_detect_secrets_baseline_knows_secrets_by_file_and_its_filters() -> None:
    text = detect_secrets_baseline(
        {"src/known.py": [GITHUB]},
        filters_used=[
            {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/"]},
            {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["EXAMPLE"]},
            {"path": "detect_secrets.filters.regex.should_exclude_secret", "pattern": ["^test"]},
        ],
    )
    baseline = scanner_configs.detect_secrets_baseline(text.encode())
    assert baseline.allows(evidence("secrets.github-token", "src/known.py", GITHUB))
    assert not baseline.allows(evidence("secrets.github-token", "src/other.py", GITHUB))
    assert not baseline.allows(evidence("secrets.github-token", "src/known.py", GITHUB_2))
    assert baseline.allows(evidence("secrets.x", "vendor/lib.py"))
    assert baseline.allows(Evidence("secrets.x", "a.py", 1, "v", "v", "key = v  # EXAMPLE"))
    assert baseline.allows(evidence("secrets.x", "a.py", "testvalue"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {
                "plugins_used": [
                    {"name": "HexHighEntropyString"},
                    {"name": "Mine", "path": "file:///tmp/mine.py"},
                ]
            },
            "custom plugin 'Mine' (file:///tmp/mine.py) refused",
        ),
        (
            {"filters_used": [{"path": "file://filters.py::is_fine"}]},
            "custom filter 'file://filters.py::is_fine' refused",
        ),
        (
            {"filters_used": [{"path": "mycompany.filters.ok"}]},
            "custom filter 'mycompany.filters.ok'",
        ),
        ({"custom_plugin_paths": ["plugins/"]}, "custom_plugin_paths refused"),
        ({"results": []}, "is not a detect-secrets baseline"),
    ],
)
def test_a_baseline_naming_code_is_refused(extra: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        scanner_configs.detect_secrets_baseline(detect_secrets_baseline({}, **extra).encode())


def test_a_real_detect_secrets_baseline_is_understood(tmp_path: Path) -> None:
    """What `detect-secrets scan` writes, known secrets included, as git-agent reads it."""
    write(tmp_path, "src/known.py", f'TOKEN = "{GITHUB}"\ndb_password = "{PASSWORD}"\n')
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    proc = subprocess.run(
        [secrets.sys.executable, "-m", "detect_secrets", "scan", "--exclude-files", "^vendor/"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    baseline = scanner_configs.detect_secrets_baseline(proc.stdout)
    settings = secrets.SecretsConfig(
        lambda _: False, True, None, honor=frozenset({"detect-secrets"})
    )
    settings.detect_secrets = baseline
    view = FileView(
        "src/known.py", enumerate((tmp_path / "src/known.py").read_text().splitlines(), 1)
    )
    findings = scan(view)
    assert [f.rule for f in findings] == ["secrets.github-token", "secrets.generic-assignment"]
    assert all(f.evidence is not None and settings.forgives(f.evidence) for f in findings)
    assert baseline.allows(evidence("secrets.x", "vendor/a.py"))


# --- the git.policy guard ---------------------------------------------------------------------------


def test_scanner_configs_are_part_of_the_policy(repo: Path) -> None:
    from supervisor.gates.adoption import POLICY_FILES  # the core's own list (no plugin import)

    assert set(git_rules.SCANNER_CONFIGS) == set(scanner_configs.FILES) == set(POLICY_FILES)
    assert (".git-agent/", *scanner_configs.FILES) == git_rules.POLICY_PATHS
    shadow = start(repo)
    for name in scanner_configs.FILES:
        write(shadow, name, "\n")
    write(shadow, "sub/.gitleaks.toml", "\n")  # not read by anyone: ordinary data
    policy = [hit for hit in validate(repo) if hit[0] == "git.policy"]
    assert policy == sorted(("git.policy", name) for name in scanner_configs.FILES)


# --- through the supervisor: validate, check, the hooks -------------------------------------------


def write_secrets(root: Path) -> None:
    write(root, "src/deploy.py", f'ACME_TOKEN = "{ACME}"\n')  # the team's rule
    write(root, "tests/fixtures/deploy.py", f'ACME_TOKEN = "{ACME_2}"\nT = "{GITHUB_2}"\n')
    write(root, "src/known.py", f'TOKEN = "{GITHUB}"\n')  # known to detect-secrets
    write(root, "src/other.py", f'TOKEN = "{GITHUB}"\n')  # the same secret in another file


HONORED = [
    ("secrets.acme-token", "src/deploy.py"),
    ("secrets.github-token", "src/other.py"),
]
NOT_HONORED = [
    ("secrets.acme-token", "src/deploy.py"),
    ("secrets.acme-token", "tests/fixtures/deploy.py"),
    ("secrets.github-token", "src/known.py"),
    ("secrets.github-token", "src/other.py"),
    ("secrets.github-token", "tests/fixtures/deploy.py"),
]


def test_validate_honours_the_scanner_configs_where_the_policy_opts_in(repo: Path) -> None:
    set_policy(repo, HONOR_BOTH, **CONFIGS)
    write_secrets(start(repo))
    assert validate(repo) == HONORED
    set_policy(repo, "", **CONFIGS)  # no opt-in: their rules run, their allowlists do not count
    write_secrets(start(repo, "g"))
    assert validate(repo, "g") == NOT_HONORED
    plan = '[plugins.secrets]\nhonor = ["gitleaks"]\n'  # a plan can only trust less
    set_policy(repo, HONOR_BOTH, **CONFIGS)
    write_secrets(start(repo, "h", plan=plan))
    assert validate(repo, "h") == [
        *HONORED[:1],
        ("secrets.github-token", "src/known.py"),
        HONORED[1],
    ]


def test_check_honours_the_scanner_configs_of_base(repo: Path) -> None:
    base = set_policy(repo, HONOR_BOTH, **CONFIGS)
    write_secrets(repo)
    commit_all(repo, "secrets")
    code, hits, output = check(repo, base)
    assert code == 1 and hits == HONORED
    for secret in (ACME, ACME_2, GITHUB, GITHUB_2):
        assert secret not in output
    sarif = cli(repo, "check", "--base", base, "--format", "sarif")
    assert sarif.code == 1 and "secrets.acme-token" in sarif.out and ACME not in sarif.out


def test_an_allowlist_brought_by_the_change_under_review_does_not_apply(repo: Path) -> None:
    widened = (
        GITLEAKS.replace("^tests/fixtures/", "^src/") + '[[rules]]\nid = "noop"\npath = "x^"\n'
    )
    baseline = detect_secrets_baseline({"src/deploy.py": [ACME], "src/other.py": [GITHUB]})
    base = set_policy(repo, HONOR_BOTH, **CONFIGS)
    shadow = start(repo)
    write_secrets(shadow)
    write(shadow, ".gitleaks.toml", widened)
    write(shadow, ".secrets.baseline", baseline)
    write(shadow, ".gitleaksignore", "src/deploy.py:acme-token:1\n")
    expected = sorted([*HONORED, *(("git.policy", name) for name in scanner_configs.FILES)])
    assert validate(repo) == expected

    write_secrets(repo)
    write(repo, ".gitleaks.toml", widened)
    write(repo, ".secrets.baseline", baseline)
    write(repo, ".gitleaksignore", "src/deploy.py:acme-token:1\n")
    commit_all(repo, "secrets and a wider allowlist in one commit")
    code, hits, _ = check(repo, base)
    assert code == 1 and hits == expected


def commit_attempt(repo: Path, message: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    git(repo, "add", "-A")
    return subprocess.run(
        ["git", "commit", "-qm", message], cwd=repo, env=env, capture_output=True, text=True
    )


def test_the_hooks_honour_the_scanner_configs(repo: Path) -> None:
    set_policy(repo, HONOR_BOTH, **CONFIGS)
    assert cli(repo, "install-hooks").code == 0
    head = git(repo, "rev-parse", "HEAD")

    write(repo, "src/deploy.py", f'ACME_TOKEN = "{ACME}"\n')
    blocked = commit_attempt(repo, "the team's rule")
    assert blocked.returncode != 0
    assert "secrets.acme-token" in blocked.stdout + blocked.stderr
    assert ACME not in blocked.stdout + blocked.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    git(repo, "rm", "-q", "--cached", "src/deploy.py")
    (repo / "src" / "deploy.py").unlink()

    write(repo, "tests/fixtures/deploy.py", f'ACME_TOKEN = "{ACME_2}"\nT = "{GITHUB_2}"\n')
    write(repo, "src/known.py", f'TOKEN = "{GITHUB}"\n')
    passed = commit_attempt(repo, "allowlisted fixture, known secret")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    write(repo, ".gitleaks.toml", GITLEAKS.replace("^tests/fixtures/", "^src/"))
    write(repo, "src/deploy.py", f'ACME_TOKEN = "{ACME}"\n')
    widened = commit_attempt(repo, "a wider allowlist and a secret, together")
    assert widened.returncode != 0  # the allowlist counts from the next commit on, not this one
    assert "secrets.acme-token" in widened.stdout + widened.stderr
    assert "changes the policy (.gitleaks.toml)" in widened.stderr  # a person's: on record


def test_a_baseline_with_a_custom_plugin_stops_start_check_and_the_hook(repo: Path) -> None:
    hostile = detect_secrets_baseline(
        {}, plugins_used=[{"name": "Evil", "path": "file://./evil.py"}]
    )
    write(repo, "evil.py", "raise SystemExit('ran')\n")
    base = set_policy(repo, HONOR_BOTH, **{".secrets.baseline": hostile})
    started = cli(repo, "start", "f")
    assert started.code == 2
    assert started.err.strip() == (
        "git-agent: .secrets.baseline: custom plugin 'Evil' (file://./evil.py) refused:"
        " git-agent runs nothing a baseline names; remove it from plugins_used"
    )
    write(repo, "src/x.py", "x = 1\n")
    commit_all(repo, "work")
    assert cli(repo, "check", "--base", base, "--head", "HEAD").code == 2
    assert cli(repo, "install-hooks").code == 0
    write(repo, "src/y.py", "y = 1\n")
    refused = commit_attempt(repo, "more")
    assert refused.returncode != 0 and "custom plugin 'Evil'" in refused.stderr
    assert "ran" not in refused.stdout + refused.stderr


def test_an_untranslatable_rule_names_itself_and_gitleaks_rules_can_be_left_out(repo: Path) -> None:
    broken = "[[rules]]\nid = \"greek\"\nregex = '''\\p{Greek}{8}'''\n"
    set_policy(repo, "", **{".gitleaks.toml": broken})
    refused = cli(repo, "start", "f")
    assert refused.code == 2
    assert "rule 'greek' regex: Unicode classes" in refused.err
    assert refused.err.startswith("git-agent: .gitleaks.toml:")
    set_policy(repo, "[plugins.secrets]\ngitleaks_rules = false\n")  # the file is not read
    write(start(repo), "src/a.py", f'T = "{GITLAB}"\n')
    assert validate(repo) == [("secrets.gitlab-pat", "src/a.py")]


def test_without_opt_in_gitleaksignore_and_baseline_are_not_even_read(repo: Path) -> None:
    set_policy(repo, "", **{".gitleaksignore": "not a fingerprint\n", ".secrets.baseline": "{"})
    write(start(repo), "src/a.py", f'T = "{GITLAB}"\n')
    assert validate(repo) == [("secrets.gitlab-pat", "src/a.py")]
    set_policy(repo, '[plugins.secrets]\nhonor = ["gitleaks"]\n')
    refused = cli(repo, "start", "g")
    assert refused.code == 2 and ".gitleaksignore:1: a fingerprint is" in refused.err


def test_gitleaks_allow_is_a_pragma_only_where_gitleaks_is_honoured(repo: Path) -> None:
    line = f'T = "{GITLAB}"  # gitleaks:allow\n'
    set_policy(repo, "")
    write(start(repo), "src/a.py", line)
    assert validate(repo) == [("secrets.gitlab-pat", "src/a.py")]
    set_policy(repo, '[plugins.secrets]\nhonor = ["gitleaks"]\n')
    write(start(repo, "g"), "src/a.py", line)
    assert validate(repo, "g") == []


def test_a_path_only_rule_reports_the_file(repo: Path) -> None:
    config = "[[rules]]\nid = \"pem-file\"\ndescription = \"a private key file\"\npath = '''(?i)\\.pem$'''\n"
    set_policy(repo, "", **{".gitleaks.toml": config})
    write(start(repo), "keys/server.PEM", "not even a key\n")
    result = cli(repo, "validate", "f", "--json")
    (violation,) = [v for v in result.json()["violations"] if v["rule"].startswith("secrets.")]  # type: ignore[index]
    assert violation == {
        "rule": "secrets.pem-file",
        "severity": "error",
        "path": "keys/server.PEM",
        "line": None,
        "message": "a private key file: remove the file",
    }


def test_a_commit_message_is_judged_by_the_same_rules(repo: Path) -> None:
    """The team's rule, the generic switch and the trusted allowlists hold for messages too."""
    config = GITLEAKS + '[[allowlists]]\nstopwords = ["fixturevalue"]\n'
    config = config.replace("[allowlist]\n", "[[allowlists]]\n")
    base = set_policy(
        repo,
        '[plugins.secrets]\ngeneric = false\nhonor = ["gitleaks"]\n',
        **{".gitleaks.toml": config},
    )
    write(repo, "notes.md", "x\n")
    git(repo, "add", "-A")
    message = (
        f"deploy with {ACME}\n\ndb_password = {PASSWORD}\ntoken: ac"
        + "me_fixturevalue"
        + rnd(20, LOWER)
    )
    git(repo, "commit", "-qm", message)
    result = cli(repo, "check", "--base", base, "--head", "HEAD", "--format", "json")
    assert result.code == 1, result
    found = [(v["rule"], v["line"]) for v in result.json()["violations"]]  # type: ignore[index]
    assert found == [("secrets.acme-token", 1)]  # no generic finding, the stopword allowed
    assert ACME not in result.out + result.err
    set_policy(repo, "", **{".gitleaks.toml": config})  # nothing trusted, generic on
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    result = cli(repo, "check", "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    found = [(v["rule"], v["line"]) for v in result.json()["violations"]]  # type: ignore[index]
    assert found == [
        ("secrets.acme-token", 1),
        ("secrets.generic-assignment", 3),
        ("secrets.acme-token", 4),
    ]
