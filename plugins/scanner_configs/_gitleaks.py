"""`.gitleaks.toml` and `.gitleaksignore`, read as gitleaks (v8) reads them.

A rule keeps its id under `secrets.` (`id = "acme-token"` is enforced as
`secrets.acme-token`). gitleaks' own default rules are stood in for by git-agent's rules; where
a config names one of those defaults (to switch it off, to allowlist it, in a fingerprint), the
default's id is taken to mean the git-agent rule that finds the same secrets (`ALIASES`).

Nothing is fetched and nothing is run: `[extend] url` is refused; `[extend] path` is read from
the same commit as the policy, and only under `.git-agent/` (which `git.policy` guards).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from supervisor.plugin import ConfigError

from ._evidence import IGNORE
from ._goregex import GoRegexError, compile_go
from ._model import Allowlist, ExtraRule, Gitleaks, Ignored

MAX_EXTEND_DEPTH = 2  # as gitleaks: the file, and two levels of files it extends
EXTEND_UNDER = ".git-agent/"

# gitleaks' default rule ids -> the git-agent rule that finds the same secrets.
ALIASES: dict[str, str] = {
    "generic-api-key": "secrets.generic-assignment",
    "aws-access-token": "secrets.aws-access-key",
    "github-pat": "secrets.github-token",
    "github-oauth": "secrets.github-token",
    "github-app-token": "secrets.github-token",
    "github-refresh-token": "secrets.github-token",
    "github-fine-grained-pat": "secrets.github-fine-grained-token",
    "anthropic-api-key": "secrets.anthropic-key",
    "anthropic-admin-api-key": "secrets.anthropic-key",
    "openai-api-key": "secrets.openai-key",
    "slack-bot-token": "secrets.slack-token",
    "slack-user-token": "secrets.slack-token",
    "slack-app-token": "secrets.slack-token",
    "slack-config-access-token": "secrets.slack-token",
    "slack-config-refresh-token": "secrets.slack-token",
    "slack-legacy-bot-token": "secrets.slack-token",
    "slack-legacy-token": "secrets.slack-token",
    "slack-legacy-workspace-token": "secrets.slack-token",
    "slack-webhook-url": "secrets.slack-webhook",
    "gcp-api-key": "secrets.google-api-key",
}

RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
TOP_KEYS = frozenset(
    {"title", "description", "minVersion", "extend", "rules", "allowlist", "allowlists"}
)
EXTEND_KEYS = frozenset({"useDefault", "path", "url", "disabledRules"})
RULE_KEYS = frozenset(
    {
        "id",
        "description",
        "regex",
        "secretGroup",
        "entropy",
        "keywords",
        "path",
        "tags",
        "allowlist",
        "allowlists",
    }
)
ALLOWLIST_KEYS = frozenset(
    {"description", "condition", "commits", "paths", "regexTarget", "regexes", "stopwords"}
)
UNSUPPORTED_RULE_KEYS = {
    "required": "composite rules ([[rules.required]])",
    "skipReport": "skipReport (composite rules)",
}


def rule_ids(their: str) -> frozenset[str]:
    """The git-agent rule ids a gitleaks rule id names: `secrets.<id>`, and for one of
    gitleaks' default rules the git-agent rule that stands in for it."""
    own = their if their.startswith("secrets.") else f"secrets.{their}"
    alias = ALIASES.get(their)
    return frozenset({own} if alias is None else {own, alias})


@dataclass
class _Rule:
    """A `[[rules]]` entry before extended configs are merged in."""

    id: str
    description: str = ""
    regex: re.Pattern[str] | None = None
    secret_group: int = 0
    entropy: float = 0.0
    path: re.Pattern[str] | None = None
    keywords: list[str] = field(default_factory=list)
    allowlists: list[Allowlist] = field(default_factory=list)


@dataclass
class _Config:
    rules: dict[str, _Rule]
    allowlists: list[Allowlist]
    targeted: list[tuple[list[str], Allowlist]]
    use_default: bool
    extend_path: str | None
    disabled: list[str]


Read = Callable[[str], bytes | None]


def load_gitleaks(data: bytes, name: str, read: Read) -> Gitleaks:
    """The config `name` holds (`data`), with the files it extends read through `read`."""
    config = _resolve(_parse(data, name), name, read, 0)
    rules: list[ExtraRule] = []
    allowlists = list(config.allowlists)
    for rule in config.rules.values():
        ids = rule_ids(rule.id)
        own = f"secrets.{rule.id}" if not rule.id.startswith("secrets.") else rule.id
        for allowlist in rule.allowlists:
            allowlists.append(_for_rules(allowlist, ids))
        if rule.regex is None and rule.path is None:
            if config.use_default or config.extend_path:
                continue  # it only adds allowlists to a rule it extends
            raise ConfigError(name, f"rule {rule.id!r}: both regex and path are empty")
        if rule.regex is not None and rule.secret_group > rule.regex.groups:
            raise ConfigError(
                name,
                f"rule {rule.id!r}: secretGroup {rule.secret_group} but the regex has"
                f" {rule.regex.groups} groups",
            )
        label = rule.description.strip() or f"secret (rule {rule.id} of {name})"
        rules.append(
            ExtraRule(
                id=own,
                label=label if len(label) <= 100 else f"secret (rule {rule.id} of {name})",
                regex=rule.regex,
                secret_group=rule.secret_group,
                entropy=rule.entropy,
                path=rule.path,
                keywords=tuple(sorted({k.lower() for k in rule.keywords if k})),
            )
        )
    for targets, allowlist in config.targeted:
        ids = frozenset().union(*(rule_ids(t) for t in targets))
        allowlists.append(_for_rules(allowlist, ids))
    # disabledRules of a config that extends gitleaks' defaults switch off the git-agent rules
    # standing in for them (those of an extended file's rules were left out when merging)
    disabled = frozenset().union(*(rule_ids(d) for d in config.disabled if config.use_default))
    return Gitleaks(tuple(rules), tuple(allowlists), disabled)


def _for_rules(allowlist: Allowlist, ids: frozenset[str]) -> Allowlist:
    rules = ids if allowlist.rules is None else allowlist.rules & ids
    return Allowlist(
        allowlist.where,
        allowlist.every,
        allowlist.commits,
        allowlist.paths,
        allowlist.regexes,
        allowlist.target,
        allowlist.stopwords,
        rules,
    )


def _resolve(config: _Config, name: str, read: Read, depth: int) -> _Config:
    """`config` with the config its `[extend] path` names merged under it (gitleaks' rules:
    the extending file's non-empty fields win, keywords and allowlists add up)."""
    if config.extend_path is None:
        return config
    path = config.extend_path
    if depth >= MAX_EXTEND_DEPTH:
        raise ConfigError(
            name, f"[extend] path {path!r}: extends more than {MAX_EXTEND_DEPTH} deep"
        )
    clean = path.removeprefix("./")
    if not clean.startswith(EXTEND_UNDER) or ".." in clean.split("/") or "\\" in clean:
        raise ConfigError(
            name,
            f"[extend] path {path!r}: an extended config must be under {EXTEND_UNDER} (where"
            " git.policy guards it); copy its rules into this file otherwise",
        )
    data = read(clean)
    if data is None:
        raise ConfigError(name, f"[extend] path {path!r}: no such file where the policy comes from")
    base = _resolve(_parse(data, clean), clean, read, depth + 1)
    rules: dict[str, _Rule] = {}
    for rule_id, rule in base.rules.items():
        if rule_id not in config.disabled:
            rules[rule_id] = rule
    for rule_id, mine in config.rules.items():
        if rule_id not in rules:
            rules[rule_id] = mine
            continue
        merged = rules[rule_id]
        rules[rule_id] = _Rule(
            id=rule_id,
            description=mine.description or merged.description,
            regex=mine.regex or merged.regex,
            secret_group=mine.secret_group or merged.secret_group,
            entropy=mine.entropy or merged.entropy,
            path=mine.path or merged.path,
            keywords=[*merged.keywords, *mine.keywords],
            allowlists=[*merged.allowlists, *mine.allowlists],
        )
    return _Config(
        rules,
        [*config.allowlists, *base.allowlists],
        [*config.targeted, *base.targeted],
        base.use_default,
        config.extend_path,
        base.disabled,  # this file's disabledRules were the extended file's: left out above
    )


def _parse(data: bytes, name: str) -> _Config:
    import tomllib

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(name, "is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", text)
        line = int(found.group(1)) if found else None
        raise ConfigError(name, f"is not valid TOML: {text.split(' (at ')[0]}", line) from None
    document = _keys(name, "the top level", document, TOP_KEYS)
    extend = _keys(
        name, "[extend]", _table(name, "[extend]", document.get("extend", {})), EXTEND_KEYS
    )
    if "url" in extend:
        raise ConfigError(name, "[extend] url: nothing is fetched; copy the rules into this file")
    use_default = _bool(name, "[extend] useDefault", extend.get("useDefault", False))
    extend_path = extend.get("path")
    if extend_path is not None and (not isinstance(extend_path, str) or not extend_path):
        raise ConfigError(name, "[extend] path must be a path")
    if extend_path and use_default:
        raise ConfigError(name, "[extend] path and useDefault cannot both be set")
    disabled = _strings(name, "[extend] disabledRules", extend.get("disabledRules", []))

    rules: dict[str, _Rule] = {}
    for index, entry in enumerate(_tables(name, "[[rules]]", document.get("rules", [])), 1):
        rule = _parse_rule(name, index, entry)
        if rule.id in rules:
            raise ConfigError(name, f"rule {rule.id!r} is defined twice")
        rules[rule.id] = rule

    if "allowlist" in document and "allowlists" in document:
        raise ConfigError(name, "[allowlist] and [[allowlists]] cannot both be set")
    if "allowlist" in document:
        tables = [("[allowlist]", _table(name, "[allowlist]", document["allowlist"]))]
    else:
        listed = _tables(name, "[[allowlists]]", document.get("allowlists", []))
        tables = [(f"[[allowlists]] {i}", table) for i, table in enumerate(listed, 1)]
    allowlists: list[Allowlist] = []
    targeted: list[tuple[list[str], Allowlist]] = []
    for where, raw in tables:
        table = _keys(name, where, raw, ALLOWLIST_KEYS | {"targetRules"})
        allowlist = _allowlist(name, where, table)
        targets = _strings(name, f"{where} targetRules", table.get("targetRules", []))
        if targets:
            targeted.append((targets, allowlist))
        else:
            allowlists.append(allowlist)
    return _Config(rules, allowlists, targeted, use_default, extend_path or None, disabled)


def _parse_rule(name: str, index: int, raw: Mapping[str, Any]) -> _Rule:
    entry = {key.lower(): value for key, value in raw.items()}
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
        raise ConfigError(
            name,
            f"[[rules]] {index}: id must be letters, digits, '.', '_' or '-' (got {rule_id!r})",
        )
    where = f"rule {rule_id!r}"
    for key, what in UNSUPPORTED_RULE_KEYS.items():
        if key.lower() in entry:
            raise ConfigError(name, f"{where}: {what} are not supported")
    entry = _keys(name, where, raw, RULE_KEYS)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(name, f"{where}: description must be a string")
    _strings(name, f"{where} tags", entry.get("tags", []))
    group = entry.get("secretGroup", 0)
    if not isinstance(group, int) or isinstance(group, bool) or group < 0:
        raise ConfigError(name, f"{where}: secretGroup must be a non-negative integer")
    entropy = entry.get("entropy", 0.0)
    if not isinstance(entropy, int | float) or isinstance(entropy, bool) or entropy < 0:
        raise ConfigError(name, f"{where}: entropy must be a non-negative number")
    rule = _Rule(
        id=rule_id,
        description=description,
        regex=_go(name, f"{where} regex", entry.get("regex")),
        secret_group=group,
        entropy=float(entropy),
        path=_go(name, f"{where} path", entry.get("path")),
        keywords=_strings(name, f"{where} keywords", entry.get("keywords", [])),
    )
    if "allowlist" in entry and "allowlists" in entry:
        raise ConfigError(
            name, f"{where}: [rules.allowlist] and [[rules.allowlists]] cannot both be set"
        )
    if "allowlist" in entry:
        tables = [("[rules.allowlist]", _table(name, where, entry["allowlist"]))]
    else:
        listed = _tables(name, f"{where} [[rules.allowlists]]", entry.get("allowlists", []))
        tables = [(f"[[rules.allowlists]] {i}", table) for i, table in enumerate(listed, 1)]
    for what, table in tables:
        spot = f"{where} {what}"
        rule.allowlists.append(_allowlist(name, spot, _keys(name, spot, table, ALLOWLIST_KEYS)))
    return rule


def _allowlist(name: str, where: str, table: Mapping[str, Any]) -> Allowlist:
    condition = table.get("condition", "OR")
    if not isinstance(condition, str) or condition.upper() not in ("", "OR", "||", "AND", "&&"):
        raise ConfigError(name, f'{where}: condition must be "OR" or "AND"')
    target = table.get("regexTarget", "secret") or "secret"
    if target not in ("secret", "match", "line"):
        raise ConfigError(name, f'{where}: regexTarget must be "secret", "match" or "line"')
    description = table.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(name, f"{where}: description must be a string")
    commits = _strings(name, f"{where} commits", table.get("commits", []))
    paths = tuple(_go_list(name, f"{where} paths", table.get("paths", [])))
    regexes = tuple(_go_list(name, f"{where} regexes", table.get("regexes", [])))
    stopwords = tuple(
        w.lower() for w in _strings(name, f"{where} stopwords", table.get("stopwords", []))
    )
    if not (commits or paths or regexes or stopwords):
        raise ConfigError(name, f"{where}: an allowlist needs commits, paths, regexes or stopwords")
    return Allowlist(
        where=where,
        every=condition.upper() in ("AND", "&&"),
        commits=tuple(commits),
        paths=paths,
        regexes=regexes,
        target=target,
        stopwords=stopwords,
        rules=None,
    )


def _go(name: str, where: str, source: object) -> re.Pattern[str] | None:
    if source is None or source == "":
        return None
    if not isinstance(source, str):
        raise ConfigError(name, f"{where} must be a string")
    try:
        return compile_go(source)
    except GoRegexError as exc:
        raise ConfigError(name, f"{where}: {exc}") from None


def _go_list(name: str, where: str, sources: object) -> list[re.Pattern[str]]:
    compiled = []
    for index, source in enumerate(_strings(name, where, sources), 1):
        regex = _go(name, f"{where} {index}", source)
        if regex is not None:
            compiled.append(regex)
    return compiled


def _keys(
    name: str, where: str, table: Mapping[str, Any], known: frozenset[str] | set[str]
) -> dict[str, Any]:
    """`table` with its keys spelled as in `known` (gitleaks reads keys in any letter case);
    a key not in `known` is a configuration error."""
    spelled = {key.lower(): key for key in known}
    out: dict[str, Any] = {}
    for key, value in table.items():
        canonical = spelled.get(key.lower())
        if canonical is None:
            raise ConfigError(name, f"{where}: unknown key {key!r}")
        if canonical in out:
            raise ConfigError(name, f"{where}: {key!r} is set twice")
        out[canonical] = value
    return out


def _table(name: str, where: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(name, f"{where} must be a table")
    return value


def _tables(name: str, where: str, value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(name, f"{where} must be an array of tables")
    return value


def _strings(name: str, where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(name, f"{where} must be a list of strings")
    return list(value)


def _bool(name: str, where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(name, f"{where} must be true or false")
    return value


HEX_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")


def load_ignore(data: bytes, name: str = IGNORE) -> Ignored:
    """`.gitleaksignore`: one fingerprint a line, `#` comments."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(name, "is not UTF-8") from None
    entries = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) == 3:
            commit, (path, rule, at) = None, parts
        elif len(parts) == 4:
            commit, path, rule, at = parts
        else:
            raise ConfigError(
                name, "a fingerprint is file:rule-id:line or commit:file:rule-id:line", number
            )
        if not (at == "*" or at.isdigit()) or not rule or not path:
            raise ConfigError(
                name, "a fingerprint is file:rule-id:line or commit:file:rule-id:line", number
            )
        ids = frozenset({"*"}) if rule == "*" else rule_ids(rule)
        entries.append((commit, path.replace("\\", "/"), ids, str(int(at)) if at != "*" else at))
    return Ignored(tuple(entries))
