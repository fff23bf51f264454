"""secrets.*: secrets in added lines, reported by rule and line, never shown in full.

Every fake secret is built here from pieces at run time, so that this file holds nothing a
secret scanner would flag.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest
from git_agent_plugins import secrets
from git_agent_plugins.secrets import FileView, fingerprint, redact, scan

from tests.kit import Started, cli, commit_all, commit_policy, git, python, start

R = random.Random(20240611)
B62 = string.ascii_letters + string.digits
B32 = string.ascii_uppercase + "234567"
B64 = B62 + "+/"
DIGITS = string.digits


def rnd(n: int, alphabet: str = B62) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


AWS_ID = "AK" + "IA" + rnd(16, B32)
AWS_SESSION_ID = "AS" + "IA" + rnd(16, B32)
AWS_SECRET = rnd(40, B64)
GITHUB = "gh" + "p_" + rnd(36)
GITHUB_APP = "gh" + "s_" + rnd(36)
GITHUB_FINE = "github" + "_pat_" + rnd(22) + "_" + rnd(59)
ANTHROPIC = "sk-" + "ant-" + "api03-" + rnd(93, B62 + "-_") + "AA"
OPENAI_PROJECT = "sk-" + "proj-" + rnd(74, B62 + "-_") + "T3Blbk" + "FJ" + rnd(74, B62 + "-_")
OPENAI_LEGACY = "sk-" + rnd(20) + "T3Blbk" + "FJ" + rnd(20)
SLACK_BOT = "xo" + "xb-" + rnd(12, DIGITS) + "-" + rnd(13, DIGITS) + "-" + rnd(24)
SLACK_USER = "xo" + "xp-" + "-".join(rnd(12, DIGITS) for _ in range(3)) + "-" + rnd(32)
SLACK_HOOK = "https://hooks.slack" + ".com/services/T" + rnd(10, B32) + "/B" + rnd(10, B32)
SLACK_HOOK += "/" + rnd(24)
PASSWORD = rnd(28, B62 + "!@#%^&*")
KEY_LINES = [rnd(64, B64) for _ in range(12)] + [rnd(20, B64) + "=="]
PEM_BEGIN = "-----BEGIN RSA " + "PRIVATE KEY-----"
PEM_END = "-----END RSA " + "PRIVATE KEY-----"
PKCS8_BEGIN = "-----BEGIN " + "PRIVATE KEY-----"
PKCS8_END = "-----END " + "PRIVATE KEY-----"
PEM_BODY = "".join(KEY_LINES)
SHA1 = "3f786850e387550fdab8" + "36ed7e6dc881de23001b"  # a git object id, not a secret
SHA1_B = "9c1185a5c5e9fc546128" + "08977ee8f548b2258d31"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb924" + "27ae41e4649b934ca495991b7852b855"
GCP_KEY = PKCS8_BEGIN + "\\n" + "\\n".join(KEY_LINES) + "\\n" + PKCS8_END + "\\n"

ALL_SECRETS = [
    AWS_ID,
    AWS_SECRET,
    GITHUB,
    GITHUB_FINE,
    ANTHROPIC,
    OPENAI_PROJECT,
    SLACK_BOT,
    SLACK_HOOK,
    PASSWORD,
    PEM_BODY,
    *KEY_LINES,
    GCP_KEY,
]


def found(path: str, text: str, **kwargs: object) -> list[tuple[str, int]]:
    view = FileView(path, enumerate(text.splitlines(), 1), **kwargs)  # type: ignore[arg-type]
    return [(f.rule, f.line) for f in scan(view)]


def one_line(text: str) -> list[str]:
    return [rule for rule, _ in found("x.py", text)]


# --- each detector, alone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "line"),
    [
        ("secrets.aws-access-key", f'AWS_ACCESS_KEY_ID = "{AWS_ID}"'),
        ("secrets.aws-access-key", f"aws_access_key_id={AWS_SESSION_ID}"),
        ("secrets.aws-secret-key", f'aws_secret_access_key = "{AWS_SECRET}"'),
        ("secrets.aws-secret-key", f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}"),
        ("secrets.aws-secret-key", f"aws_secret_access_key: {AWS_SECRET}"),
        ("secrets.github-token", f'headers = {{"Authorization": "token {GITHUB}"}}'),
        ("secrets.github-token", f"GH_APP={GITHUB_APP}"),
        ("secrets.github-fine-grained-token", f"export GITHUB_TOKEN={GITHUB_FINE}"),
        ("secrets.anthropic-key", f'client = Anthropic(api_key="{ANTHROPIC}")'),
        ("secrets.openai-key", f"OPENAI_API_KEY={OPENAI_PROJECT}"),
        ("secrets.openai-key", f"openai.api_key = '{OPENAI_LEGACY}'"),
        ("secrets.openai-key", "key = 'sk-" + "proj-" + rnd(48, B62 + "_-") + "'"),
        ("secrets.slack-token", f"SLACK_BOT_TOKEN={SLACK_BOT}"),
        ("secrets.slack-token", f'slack = WebClient("{SLACK_USER}")'),
        ("secrets.slack-token", "t = 'xo" + "xa-2-" + rnd(32) + "'"),
        ("secrets.slack-token", "t = 'xo" + "xr-" + rnd(40) + "'"),
        ("secrets.slack-webhook", f'requests.post("{SLACK_HOOK}", json=body)'),
        ("secrets.generic-assignment", f'db_password = "{PASSWORD}"'),
        ("secrets.generic-assignment", f"SECRET_KEY = '{rnd(50, B62 + '!@#%^&*(-_=+)')}'"),
        ("secrets.generic-assignment", f"API_TOKEN={rnd(32, string.ascii_lowercase + DIGITS)}"),
        ("secrets.generic-assignment", f'"client_secret": "{rnd(32, B62)}",'),
        ("secrets.generic-assignment", f"api_token: {rnd(32, string.ascii_lowercase + DIGITS)}"),
        ("secrets.generic-assignment", f"let apiKey: string = '{rnd(24)}';"),
        ("secrets.generic-assignment", f"--password={rnd(20)}"),
    ],
)
def test_each_detector_finds_its_secret(rule: str, line: str) -> None:
    assert one_line(line) == [rule]


@pytest.mark.parametrize(
    "line",
    [
        # git object ids, UUIDs, digests, versions: high entropy, not secrets
        f'commit = "{SHA1}"',
        f"rev: {SHA1_B}",
        f'token = "{SHA1}"',
        'request_id = "123e4567-e89b-12d3-a456-426614174000"',
        'api_key = "123e4567-e89b-12d3-a456-426614174000"',
        f'sha256 = "{SHA256}"',
        f'secret_sha256 = "{SHA256}"',
        f'"integrity": "sha512-{rnd(86, B64)}=="',
        'token_version = "1.2.3-beta.4+build.5"',
        'version = "2024.06.11"',
        # placeholders and references
        'password = "changeme"',
        'password = "change_me_please_123"',
        'token = "xxxxx"',
        'token = "xxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'token = "<your-token>"',
        "api_key: <YOUR_API_KEY_GOES_HERE>",
        'password = "${DB_PASSWORD}"',
        "password: ${{ secrets.DB_PASSWORD }}",
        'secret = os.environ["SECRET"]',
        'secret = os.environ.get("SECRET_KEY", "")',
        "token = os.getenv('GITHUB_TOKEN')",
        "const token = process.env.API_TOKEN;",
        "password = '**********'",
        'password = "..."',
        # code, not values
        "token = get_token(session, scope)",
        "password = self.password",
        "if token == primary_result_key:",
        "private_key: PKCS7PrivateKeyTypes,",
        "def login(user: str, password: str) -> Session:",
        'csrf_token = "Xk29fj38Fjq02LmAq9zT"',
        'token_type = "bearer"',
        'password_hash = "pbkdf2_sha256$260000$abc$Xk29fj38Fjq02LmAq9zT"',
        'public_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4f"',
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
        'password_prompt = "Enter your password:"',
        'secret = "correct horse battery staple"',
        "max_tokens = 4096",
        f'next_token = "eyJOZXh0VG9rZW4iOiBudWxs{rnd(40, B64)}=="',
        'secret_arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:db-Abc1e"',
        # token-shaped placeholders and documentation examples
        "token = 'gh" + "p_" + "x" * 36 + "'",
        "AWS_ACCESS_KEY_ID=" + "AKIA" + "IOSFODNN7" + "EXAMPLE",
        'aws_secret_access_key = "' + "wJalrXUtnFEMI/K7" + "MDENG/bPxRfiCY" + "EXAMPLEKEY" + '"',
        "url = 'https://hooks.slack" + ".com/services/T00000000/B00000000/" + "X" * 24 + "'",
        "OPENAI_API_KEY=sk-" + "proj-" + "x" * 48,
        "ANTHROPIC_API_KEY=sk-" + "ant-api03-" + "." * 3,
        "slack = 'xo" + "xb-your-bot-token'",
        # words that merely contain a token prefix
        "assign task-1234567890 to desk-abcdefghijklmnopqrstuvwxyz",
        "Asia/Kolkata is a timezone; so is ASIA" + "SOUTHEASTERN" + "12345",
    ],
)
def test_things_that_are_not_secrets(line: str) -> None:
    assert one_line(line) == []


def test_a_token_inside_a_longer_token_is_not_that_token() -> None:
    assert one_line("x = '" + GITHUB + "abc'") == []
    assert one_line("x = 'Z" + AWS_ID + "'") == []


# --- the generic rule's noise filters ----------------------------------------------------------
#
# Each filter drops random-looking values that say what they are, and only those: a value it
# drops is reported once that filter alone is taken away, and a secret that resembles its noise
# is still reported.

N = random.Random(20261201)  # apart from R, so the values above stay what they were
HEX = "0123456789abcdef"
SYMBOLS = B62 + "!@#%^&*"


def nrnd(n: int, alphabet: str = B62) -> str:
    return "".join(N.choice(alphabet) for _ in range(n))


GENERIC = "secrets.generic-assignment"
UNIT = nrnd(16)
# (the filter, the path, the line)
KEPT = [
    ("_password_hash", "x.py", f'ADMIN_PASSWORD = "{nrnd(12)}${nrnd(10)}${nrnd(16)}"'),
    ("_password_hash", "config/settings.py", f'password = "sha1${nrnd(24)}"'),
    ("_template", "x.py", f'password = "{nrnd(8, SYMBOLS)}{{x}}{nrnd(8, SYMBOLS)}"'),
    ("_template", "x.py", f'api_key = "{{}}{nrnd(24)}"'),
    ("_patterned", "x.py", f'api_key = "abcdef{nrnd(26)}"'),
    ("_short_hex_groups", "x.py", f'api_key = "{nrnd(8, HEX)}-{nrnd(8, HEX)}-{nrnd(8, HEX)}"'),
    ("_names_itself", "x.py", f'api_key = "apikey_{nrnd(24)}"'),
    ("_test_double", "src/csrf.py", f'MASKED_TEST_SECRET = "{nrnd(64)}"'),
    ("_test_double", "tests/test_client.py", f'API_KEY = "{nrnd(32)}"'),
]
DROPPED = [
    # Django's and Werkzeug's password hashers: a hash, where a password is not meant to be
    (
        "_password_hash",
        "config/settings.py",
        f"ADMIN_PASSWORD = 'pbkdf2_sha256$870000${nrnd(22)}${nrnd(43, B64)}='",
    ),
    (
        "_password_hash",
        "app/fixtures/users.json",
        f'"password": "argon2$argon2id$v=19$m=102400,t=2,p=8${nrnd(22)}${nrnd(43, B64)}",',
    ),
    ("_password_hash", "x.py", f'password = "bcrypt_sha256$$2b$12${nrnd(53, B62 + "./")}"'),
    ("_password_hash", "x.py", f'password = "scrypt$16384${nrnd(22)}$8$1${nrnd(86, B64)}=="'),
    ("_password_hash", "x.py", f'password = "pbkdf2:sha256:600000${nrnd(16)}${nrnd(64, HEX)}"'),
    # format strings, filled in at run time
    ("_template", "x.py", "SECRET_KEY = 'django-insecure-{}'"),
    ("_template", "x.py", 'api_key = "sk-live-{tenant}-{region}"'),
    ("_template", "x.py", 'API_KEY = "ak-Live-{generateKey(32)}"'),  # an f-string's text
    # typed runs and repeats
    ("_patterned", "x.py", 'MASKED_SECRET = "1bcdefghij2bcdefghij3bcdefghij4bcdefghijABCD"'),
    ("_patterned", "x.py", f'api_key = "{UNIT * 2}"'),
    ("_patterned", "x.py", 'secret = "9876543210zyxwvu"'),
    # hex in groups, under 20 hex digits
    ("_short_hex_groups", "x.py", '{"name": "app2", "api_key": "a9f4-f152e97ad808"},'),
    ("_short_hex_groups", "x.py", f'api_key = "{nrnd(6, HEX)}:{nrnd(6, HEX)}:{nrnd(6, HEX)}"'),
    # the value is its own name
    ("_names_itself", "x.ts", 'apiKey: "apiKey-Q7x9Lm2"'),
    ("_names_itself", "x.py", 'AUTH_KEY = "AUTHKEY-8f3Q2x"'),
    ("_names_itself", "x.yaml", "credentials: credentials-2024-Q3x"),
    # a test's stand-in, in a test's file
    ("_test_double", "tests/csrf_tests/tests.py", f'MASKED_TEST_SECRET2 = "{nrnd(64)}"'),
    ("_test_double", "web/spec/auth.spec.ts", f'const fakeToken = "{nrnd(40)}";'),
    ("_test_double", "pkg/client/client_test.go", f'mockAPIKey := "{nrnd(32)}"'),
]


TYPED = "f8Kq" + "2!zR" + "9x@L" + "mP3v"  # a password as a person makes one up


@pytest.mark.parametrize("path", ["config/settings.py", "tests/test_settings.py"])
def test_generated_values_pass_every_noise_filter(path: str) -> None:
    lines = [f'password = "{TYPED}"', f'api_key: "{nrnd(32, HEX)}"', f"TOKEN={nrnd(40, SYMBOLS)}"]
    assert found(path, "\n".join(lines)) == [(GENERIC, 1), (GENERIC, 2), (GENERIC, 3)]


@pytest.mark.parametrize(("noise", "path", "line"), KEPT, ids=[k[0] for k in KEPT])
def test_a_secret_that_resembles_a_filters_noise_is_reported(
    noise: str, path: str, line: str
) -> None:
    assert found(path, line) == [(GENERIC, 1)]


@pytest.mark.parametrize(("noise", "path", "line"), DROPPED, ids=[d[0] for d in DROPPED])
def test_each_noise_filter_drops_its_noise_and_only_it_does(
    noise: str, path: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert found(path, line) == []
    monkeypatch.setattr(secrets, noise, lambda *_: False)
    assert found(path, line) == [(GENERIC, 1)]


# --- private keys and service accounts -------------------------------------------------------


def test_pem_block_is_reported_at_its_header() -> None:
    text = "\n".join(["# deploy key", PEM_BEGIN, *KEY_LINES, PEM_END, ""])
    assert found("id_rsa", text) == [("secrets.private-key", 2)]


def test_pem_header_in_code_or_without_key_material_is_not_a_key() -> None:
    code = f'if line.startswith("{PEM_BEGIN}"):\n    parse(lines)\n'
    short = f"{PEM_BEGIN}\n{rnd(40, B64)}\n{PEM_END}\n"
    dots = f"{PEM_BEGIN}\n...\n{PEM_END}\n"
    assert found("a.py", code) == found("k.pem", short) == found("k.pem", dots) == []


def test_private_key_in_one_string_and_encrypted_pem() -> None:
    inline = 'KEY = "' + PKCS8_BEGIN + "\\n" + "\\n".join(KEY_LINES) + "\\n" + PKCS8_END + '"'
    assert found("a.py", inline) == [("secrets.private-key", 1)]
    encrypted = [PEM_BEGIN, "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,00FF", ""]
    text = "\n".join([*encrypted, *KEY_LINES, PEM_END])
    assert found("k.pem", text) == [("secrets.private-key", 1)]


def test_openssh_and_putty_keys() -> None:
    openssh = "-----BEGIN OPENSSH " + "PRIVATE KEY-----"
    assert found("k", "\n".join([openssh, *KEY_LINES, "-----END OPENSSH KEY-----"])) == [
        ("secrets.private-key", 1)
    ]
    putty = ["PuTTY-User-Key-" + "File-2: ssh-rsa", "Encryption: none", "Public-Lines: 6"]
    assert found("k.ppk", "\n".join([*putty, *KEY_LINES])) == [("secrets.private-key", 1)]


def service_account(key: str = GCP_KEY) -> str:
    document = {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": rnd(40, "0123456789abcdef"),
        "private_key": "@KEY@",
        "client_email": "robot@demo-project.iam.gserviceaccount.com",
    }
    return json.dumps(document, indent=2).replace('"@KEY@"', '"' + key + '"')


def test_service_account_json_is_one_finding_at_its_private_key() -> None:
    text = service_account()
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"private_key"' in t)
    assert found("sa.json", text) == [("secrets.gcp-service-account", line)]


def test_service_account_type_may_come_from_the_unchanged_part_of_the_file() -> None:
    text = service_account()
    only_key = [(n, t) for n, t in enumerate(text.splitlines(), 1) if '"private_key"' in t]
    view = FileView("sa.json", only_key, lambda: text)
    assert [f.rule for f in scan(view)] == ["secrets.gcp-service-account"]
    alone = FileView("key.json", only_key)  # no service account anywhere: a private key
    assert [f.rule for f in scan(alone)] == ["secrets.private-key"]


def test_service_account_template_is_not_a_secret() -> None:
    empty = PKCS8_BEGIN + "\\n...\\n" + PKCS8_END + "\\n"
    assert found("sa.json", service_account(empty)) == []


# --- what a finding carries, how a line is allowed ---------------------------------------------


def test_findings_carry_a_redacted_form_and_a_fingerprint_only() -> None:
    text = "\n".join(f'secret_{i} = "{s}"' for i, s in enumerate(ALL_SECRETS[:9]))
    findings = scan(FileView("x.py", enumerate(text.splitlines(), 1)))
    assert len(findings) == 9
    for finding in findings:
        dumped = repr(finding) + finding.message
        assert not any(s in dumped for s in ALL_SECRETS)
    assert redact(GITHUB) == "ghp_… (40 chars)"
    assert redact("abcdefghij") == "ab… (10 chars)"


def test_fingerprint_depends_on_rule_path_and_secret() -> None:
    base = fingerprint("secrets.github-token", "a.py", GITHUB)
    assert base == fingerprint("github-token", "a.py", GITHUB)
    assert len(base) == 64 and GITHUB not in base
    others = {
        fingerprint("secrets.generic-assignment", "a.py", GITHUB),
        fingerprint("secrets.github-token", "b.py", GITHUB),
        fingerprint("secrets.github-token", "a.py", GITHUB_APP),
    }
    assert base not in others and len(others) == 3
    assert fingerprint("secrets.x", "caf\udce9.py", "s\ud800")  # never raises


@pytest.mark.parametrize(
    "comment",
    ["# git-agent: allow-secret", "// pragma: allowlist secret", "# Git-Agent: Allow-Secret"],
)
def test_pragma_on_the_line_allows_it(comment: str) -> None:
    text = f'TOKEN = "{GITHUB}"  {comment}\nOTHER = "{GITHUB_APP}"\n'
    assert found("x.py", text) == [("secrets.github-token", 2)]
    view = FileView("x.py", enumerate(text.splitlines(), 1))
    assert len(scan(view, pragma=False)) == 2


def test_one_finding_per_secret_the_most_specific_rule() -> None:
    assert one_line(f'GITHUB_TOKEN = "{GITHUB}"') == ["secrets.github-token"]
    assert one_line(f'aws_secret_access_key = "{AWS_SECRET}"') == ["secrets.aws-secret-key"]
    both = f'AWS_ACCESS_KEY_ID="{AWS_ID}" AWS_SECRET_ACCESS_KEY="{AWS_SECRET}"'
    assert sorted(one_line(both)) == ["secrets.aws-access-key", "secrets.aws-secret-key"]


def test_detect_secrets_is_imported_only_for_lines_that_pass_the_prefilter() -> None:
    program = (
        "import sys\n"
        "from git_agent_plugins.secrets import FileView, scan\n"
        "lines = [(n, f'x_{n} = compute({n})') for n in range(1, 5000)]\n"
        "lines += [(5000, 'run the task-runner in Asia/Tokyo'), (5001, 'aws_region = REGION')]\n"
        "lines += [(5002, '# the private key stays in the vault'), (5003, 'token = None')]\n"
        "assert scan(FileView('a.py', lines)) == []\n"
        "print('detect_secrets' in sys.modules)\n"
        "scan(FileView('b.py', [(1, 'k = ' + repr('gh' + 'p_' + 'aB3dE' * 7 + 'x'))]))\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    proc = subprocess.run([python(), "-c", program], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "True"]


# --- through the supervisor: validate ------------------------------------------------------------


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def validate(repo: Path, name: str = "f") -> tuple[int, list[tuple[str, str, int, str]], str]:
    result = cli(repo, "validate", name, "--json")
    assert result.code in (0, 1), result
    report = result.json()
    assert isinstance(report, dict)
    hits = [
        (v["rule"], v["path"], v["line"], v["severity"])
        for v in report["violations"]
        if v["rule"].startswith("secrets.")
    ]
    return result.code, sorted(hits), result.out + result.err


def agent_files(repo: Path, started: Started) -> list[Path]:
    """Every file of git-agent's state, but the shadow and worktree (they hold the content)."""
    root = repo / ".git" / "agent"
    skip = [started.shadow.resolve(), started.worktree.resolve()]
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(p.resolve().is_relative_to(s) for s in skip)
    ]


SETTINGS = f"""\
import os

DEBUG = False
AWS_ACCESS_KEY_ID = "{AWS_ID}"
AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "{GITHUB}")
GITHUB_PAT = "{GITHUB_FINE}"

ANTHROPIC_API_KEY = "{ANTHROPIC}"
OPENAI_API_KEY = "{OPENAI_PROJECT}"
SLACK_BOT_TOKEN = "{SLACK_BOT}"
SLACK_WEBHOOK = "{SLACK_HOOK}"
DATABASES = {{"default": {{"PASSWORD": "{PASSWORD}"}}}}
BUILD_COMMIT = "{SHA1}"
"""

EXPECTED = [
    ("secrets.aws-access-key", "config/settings.py", 4),
    ("secrets.aws-secret-key", "config/settings.py", 5),
    ("secrets.github-token", "config/settings.py", 6),
    ("secrets.github-fine-grained-token", "config/settings.py", 7),
    ("secrets.anthropic-key", "config/settings.py", 9),
    ("secrets.openai-key", "config/settings.py", 10),
    ("secrets.slack-token", "config/settings.py", 11),
    ("secrets.slack-webhook", "config/settings.py", 12),
    ("secrets.generic-assignment", "config/settings.py", 13),
    ("secrets.private-key", "deploy/id_rsa", 1),
    ("secrets.gcp-service-account", "deploy/sa.json", 5),
]


def test_validate_reports_rule_and_line_and_never_the_secret(repo: Path) -> None:
    started = start(repo)
    shadow = started.shadow
    write(shadow, "config/settings.py", SETTINGS)
    write(shadow, "deploy/id_rsa", "\n".join([PEM_BEGIN, *KEY_LINES, PEM_END, ""]))
    write(shadow, "deploy/sa.json", service_account())
    code, hits, output = validate(repo)
    assert code == 1
    assert hits == sorted((rule, path, line, "error") for rule, path, line in EXPECTED)
    text = cli(repo, "validate", "f")
    assert text.code == 1 and "secrets.github-token" in text.out
    made = cli(repo, "checkpoint", "f")
    refused = cli(repo, "promote", "f")
    assert made.code == 0 and refused.code == 1
    everything = output + text.out + text.err + made.out + made.err + refused.out + refused.err
    stored = b"".join(p.read_bytes() for p in agent_files(repo, started))
    assert (repo / ".git" / "agent" / "state.db").exists()
    for secret in ALL_SECRETS:
        assert secret not in everything
        assert secret.encode() not in stored


def test_only_added_lines_are_scanned(repo: Path) -> None:
    old_token = "gh" + "p_" + rnd(36)
    write(repo, "src/legacy.py", f'OLD = "{old_token}"\n\ndef f():\n    return 1\n')
    commit_all(repo, "legacy")
    shadow = start(repo).shadow
    new = f'OLD = "{old_token}"\n\ndef f():\n    return 2\n\nNEW = "{GITHUB}"\n'
    write(shadow, "src/legacy.py", new)
    assert validate(repo)[:2] == (1, [("secrets.github-token", "src/legacy.py", 6, "error")])
    write(shadow, "src/legacy.py", new.replace(f'NEW = "{GITHUB}"', "NEW = None"))
    assert validate(repo)[:2] == (0, [])


def test_renamed_file_only_its_added_lines(repo: Path) -> None:
    body = "".join(f"line_{i} = {i}\n" for i in range(30))
    write(repo, "src/old_name.py", f'TOKEN = "{GITHUB}"\n' + body)
    commit_all(repo, "a file with a known token")
    shadow = start(repo).shadow
    (shadow / "src" / "old_name.py").rename(shadow / "src" / "new_name.py")
    with (shadow / "src" / "new_name.py").open("a") as f:
        f.write(f'SLACK = "{SLACK_BOT}"\n')
    assert validate(repo)[:2] == (1, [("secrets.slack-token", "src/new_name.py", 32, "error")])


def test_negatives_in_a_real_change_pass(repo: Path) -> None:
    shadow = start(repo).shadow
    write(
        shadow,
        "src/config.py",
        "import os\n"
        f'COMMIT = "{SHA1}"\n'
        'RUN_ID = "123e4567-e89b-12d3-a456-426614174000"\n'
        f'DIGEST = "{SHA256}"\n'
        'VERSION = "1.2.3-rc.1"\n'
        'PASSWORD = "changeme"\n'
        'TOKEN = "<your-token>"\n'
        'SECRET = os.environ["SECRET"]\n'
        'API_KEY = "${API_KEY}"\n'
        'AUTH_TOKEN = "xxxxx"\n',
    )
    assert validate(repo)[:2] == (0, [])


def test_allow_paths_and_a_plan_that_only_removes(repo: Path) -> None:
    commit_policy(repo, '[plugins.secrets]\nallow_paths = ["tests/fixtures/**"]\n')
    shadow = start(repo).shadow
    write(shadow, "tests/fixtures/token.txt", f"token: {GITHUB}\n")
    write(shadow, "src/token.txt", f"token: {GITHUB}\n")
    assert validate(repo)[1] == [("secrets.github-token", "src/token.txt", 1, "error")]

    plan = '[plugins.secrets]\nallow_paths = ["src/**"]\n'  # cannot add src/, drops fixtures
    shadow = start(repo, "g", plan=plan).shadow
    write(shadow, "tests/fixtures/token.txt", f"token: {GITHUB}\n")
    write(shadow, "src/token.txt", f"token: {GITHUB}\n")
    assert [h[1] for h in validate(repo, "g")[1]] == ["src/token.txt", "tests/fixtures/token.txt"]

    plan = '[plugins.secrets]\nallow_paths = ["tests/**"]\n'  # still within the policy's list
    shadow = start(repo, "h", plan=plan).shadow
    write(shadow, "tests/fixtures/token.txt", f"token: {GITHUB}\n")
    assert validate(repo, "h")[1] == []


def test_pragma_in_a_real_change_and_a_policy_that_turns_it_off(repo: Path) -> None:
    shadow = start(repo).shadow
    write(shadow, "src/a.py", f'T = "{GITHUB}"  # git-agent: allow-secret\n')
    write(shadow, "src/b.py", f'T = "{GITHUB}"  # pragma: allowlist secret\n')
    assert validate(repo)[:2] == (0, [])
    plan = "[plugins.secrets]\npragma = false\n"
    shadow = start(repo, "g", plan=plan).shadow
    write(shadow, "src/a.py", f'T = "{GITHUB}"  # git-agent: allow-secret\n')
    assert validate(repo, "g")[1] == [("secrets.github-token", "src/a.py", 1, "error")]


def test_baseline_of_fingerprints(repo: Path) -> None:
    baseline = ".git-agent/secrets-baseline.json"
    known = fingerprint("secrets.github-token", "src/known.py", GITHUB)
    write(repo, baseline, json.dumps({"fingerprints": [known]}))
    commit_policy(repo, f'[plugins.secrets]\nbaseline = "{baseline}"\n')
    assert GITHUB not in (repo / baseline).read_text()
    shadow = start(repo).shadow
    write(shadow, "src/known.py", f'A = "{GITHUB}"\nB = "{GITHUB_APP}"\n')
    write(shadow, "src/other.py", f'A = "{GITHUB}"\n')  # same secret, another path
    assert validate(repo)[1] == [
        ("secrets.github-token", "src/known.py", 2, "error"),
        ("secrets.github-token", "src/other.py", 1, "error"),
    ]
    shadow = start(repo, "g", plan="[plugins.secrets]\nbaseline = false\n").shadow
    write(shadow, "src/known.py", f'A = "{GITHUB}"\n')
    assert validate(repo, "g")[1] == [("secrets.github-token", "src/known.py", 1, "error")]


def test_baseline_counts_only_as_committed_where_the_policy_comes_from(repo: Path) -> None:
    """A baseline the change under review brings (or an uncommitted one) silences nothing."""
    baseline = ".git-agent/secrets-baseline.json"
    commit_policy(repo, f'[plugins.secrets]\nbaseline = "{baseline}"\n')
    known = fingerprint("secrets.github-token", "src/known.py", GITHUB)
    write(repo, baseline, json.dumps({"fingerprints": [known]}))  # in the working tree only
    shadow = start(repo).shadow
    write(shadow, "src/known.py", f'A = "{GITHUB}"\n')
    write(shadow, baseline, json.dumps({"fingerprints": [known]}))  # brought by the change
    assert ("secrets.github-token", "src/known.py", 1, "error") in validate(repo)[1]
    commit_all(repo, "baseline")
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, "src/known.py", f'A = "{GITHUB}"\n')
    commit_all(repo, "known secret")
    base = git(repo, "rev-parse", "HEAD~1")
    assert cli(repo, "check", "--base", base, "--head", "HEAD").code == 0
    git(repo, "checkout", "-q", "-b", "pr2", base + "~1")
    write(repo, baseline, json.dumps({"fingerprints": [known]}))
    write(repo, "src/known.py", f'A = "{GITHUB}"\n')
    commit_all(repo, "sneaks the baseline in with the secret")
    result = cli(repo, "check", "--base", base + "~1", "--head", "HEAD", "--format", "json")
    assert result.code == 1
    assert "secrets.github-token" in {v["rule"] for v in result.json()["violations"]}  # type: ignore[index]


def test_baseline_writer_module(repo: Path) -> None:
    write(repo, "src/known.py", f'A = "{GITHUB}"\nB = 1\nC = "{SLACK_BOT}"\n')
    proc = subprocess.run(
        [python(), "-m", "git_agent_plugins.secrets", "src/known.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout) == {
        "fingerprints": sorted(
            [
                fingerprint("secrets.github-token", "src/known.py", GITHUB),
                fingerprint("secrets.slack-token", "src/known.py", SLACK_BOT),
            ]
        )
    }
    assert GITHUB not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("policy", "plan", "message"),
    [
        ("[plugins.secrets]\nallow = []\n", None, "unknown key 'allow'"),
        ('[plugins.secrets]\npragma = "no"\n', None, "pragma must be true or false"),
        ("[plugins.secrets]\nbaseline = 3\n", None, "baseline must be a path"),
        ('[plugins.secrets]\nbaseline = "../b.json"\n', None, "baseline must be a relative path"),
        ('[plugins.secrets]\nallow_paths = "x"\n', None, "allow_paths must be a list of globs"),
        ("", '[plugins.secrets]\nbaseline = "mine.json"\n', "a plan can only turn it off"),
        ('[plugins.secrets]\nbaseline = "b.json"\n', None, "b.json: baseline must be"),
        ('[plugins.secrets]\nbaseline = "c.json"\n', None, "c.json:1: baseline is not valid JSON"),
    ],
)
def test_bad_configuration_is_a_usage_error(
    repo: Path, policy: str, plan: str | None, message: str
) -> None:
    """Checked when the policy and plan are read: `start` stops (not a later validate)."""
    write(repo, "b.json", '{"fingerprints": ["' + GITHUB + '"]}')
    write(repo, "c.json", "{not json")
    commit_policy(repo, policy)
    args = ["start", "f"]
    if plan is not None:
        (repo.parent / "f-plan.toml").write_text(plan)
        args += ["--plan", str(repo.parent / "f-plan.toml")]
    result = cli(repo, *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert GITHUB not in result.out + result.err


def test_policy_can_change_the_severity(repo: Path) -> None:
    commit_policy(repo, '[rules]\n"secrets" = "warning"\n"secrets.private-key" = "error"\n')
    shadow = start(repo).shadow
    write(shadow, "src/a.py", f'A = "{GITHUB}"\n')
    assert validate(repo)[:2] == (0, [("secrets.github-token", "src/a.py", 1, "warning")])
    write(shadow, "k.pem", "\n".join([PEM_BEGIN, *KEY_LINES, PEM_END]))
    assert validate(repo)[0] == 1


def test_deleted_files_are_not_scanned_and_binary_ones_are(repo: Path) -> None:
    """One NUL byte must not hide a token: a binary file's printable runs are scanned (the
    finding has no line); a deleted file is not new content."""
    write(repo, "src/gone.py", f'A = "{GITHUB}"\n')
    commit_all(repo, "will be deleted")
    shadow = start(repo).shadow
    (shadow / "src" / "gone.py").unlink()
    (shadow / "blob.bin").write_bytes(b"\0\1\2" + GITHUB.encode() + b"\0")
    assert validate(repo)[1] == [("secrets.github-token", "blob.bin", None, "error")]


def test_rule_ids_are_the_documented_ones() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "reference" / "rules.md").read_text()
    assert set(secrets.RULE_IDS) == {
        "secrets.aws-access-key",
        "secrets.aws-secret-key",
        "secrets.github-token",
        "secrets.github-fine-grained-token",
        "secrets.anthropic-key",
        "secrets.openai-key",
        "secrets.slack-token",
        "secrets.slack-webhook",
        "secrets.private-key",
        "secrets.gcp-service-account",
        "secrets.generic-assignment",
    }
    for rule in secrets.RULE_IDS:
        assert f"`{rule}`" in doc
    assert "gitleaks" in doc and "MIT" in doc and "Apache-2.0" in doc
    assert sys.modules["git_agent_plugins.secrets"] is secrets
