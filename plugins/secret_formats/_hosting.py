"""Code hosting, package registries and artifact stores."""

from __future__ import annotations

from ._checks import crc32_base62_tail, gitlab_routable, pypi_macaroon, user_and_password
from ._model import B62, HEX, URL, Format, keyed, raw, shaped, token


def _gitlab_tail(secret: str) -> bool:
    """A routable GitLab token carries a checksum; a legacy one has none to check."""
    return "." not in secret or gitlab_routable(secret)


def _gitlab(kind: str, label: str, prefix: str, length: int) -> Format:
    """GitLab's prefixed tokens: `length` base64url characters, or the routable form
    (payload, `.`, 2-character version, 7-character base36 CRC32)."""
    return token(
        kind,
        label,
        prefix,
        rf"[{URL}]{{27,300}}\.[0-9a-z]{{9}}|[{URL}]{{{length}}}",
        stop="." + URL,
        checksum=_gitlab_tail,
    )


GITLAB: tuple[Format, ...] = (
    # docs.gitlab.com, "Token prefixes" and "Routable tokens".
    shaped(
        "gitlab-pat-routable",
        "GitLab routable access token",
        ("glpat-",),
        rf"glpat-(?P<body>[{URL}]{{27,300}})\.[0-9a-z]{{2}}[0-9a-z]{{7}}",
        stop="." + URL,
        checksum=gitlab_routable,
    ),
    token(
        "gitlab-pat", "GitLab personal, project or group access token", "glpat-", f"[{URL}]{{20}}"
    ),
    _gitlab("gitlab-deploy-token", "GitLab deploy token", "gldt-", 20),
    _gitlab("gitlab-runner-token", "GitLab runner authentication token", "glrt-", 20),
    token(
        "gitlab-runner-registration-token",
        "GitLab runner registration token",
        "GR1348941",
        f"[{URL}]{{20}}",
    ),
    token(
        "gitlab-cicd-job-token",
        "GitLab CI/CD job token",
        "glcbt-",
        rf"(?:[{B62}]{{1,5}}_)?[{URL}]{{20}}",
    ),
    token("gitlab-trigger-token", "GitLab pipeline trigger token", "glptt-", f"[{HEX}]{{40}}"),
    _gitlab("gitlab-feed-token", "GitLab feed token", "glft-", 20),
    token("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-", f"[{URL}]{{25}}"),
    token("gitlab-agent-token", "GitLab agent for Kubernetes token", "glagent-", f"[{URL}]{{50}}"),
    token("gitlab-oauth-secret", "GitLab OAuth application secret", "gloas-", f"[{URL}]{{64}}"),
    token("gitlab-scim-token", "GitLab SCIM token", "glsoat-", f"[{URL}]{{20}}"),
    token(
        "gitlab-feature-flag-token",
        "GitLab feature flags client token",
        "glffct-",
        f"[{URL}]{{20}}",
    ),
    raw(
        "gitlab-session-cookie",
        "GitLab session cookie",
        ("_gitlab_session=",),
        rf"_gitlab_session=(?P<secret>[{HEX}]{{32}})(?![{URL}])",
    ),
)

ATLASSIAN: tuple[Format, ...] = (
    # Atlassian API tokens (2023+) and the matching Bitbucket, Trello forms: a prefix, the
    # token, an 8-character hex checksum.
    token(
        "atlassian-api-token",
        "Atlassian API token",
        "ATATT3",
        f"[={URL}]{{180,200}}",
        stop="=" + URL,
    ),
    token("bitbucket-app-password", "Bitbucket app password", "ATBB", f"[{B62}]{{32}}"),
    token("trello-token", "Trello API token", "ATTA", "[0-9a-fA-F]{72}"),
    keyed(
        "atlassian-legacy-token",
        "Atlassian API token (legacy)",
        ("atlassian", "jira", "confluence"),
        f"[{B62}]{{24}}",
    ),
    keyed(
        "bitbucket-client-secret",
        "Bitbucket OAuth consumer secret",
        ("bitbucket",),
        f"[{URL}]{{32,64}}",
        quals=("secret",),
    ),
)

OTHER_HOSTS: tuple[Format, ...] = (
    shaped(
        "sourcegraph-token",
        "Sourcegraph access token",
        ("sgp_",),
        rf"sgp_(?:local_|[{HEX}]{{16}}_)?(?P<body>[{HEX}]{{40}})",
    ),
    keyed("gitea-token", "Gitea access token", ("gitea", "forgejo"), f"[{HEX}]{{40}}"),
)

REGISTRIES: tuple[Format, ...] = (
    token(
        "npm-token",
        "npm access token",
        "npm_",
        f"[{B62}]{{36}}",
        checksum=crc32_base62_tail(len("npm_")),
    ),
    # PyPI and TestPyPI API tokens: a macaroon whose location is the index's host.
    shaped(
        "pypi-token",
        "PyPI API token",
        ("pypi-agei", "pypi-agen"),
        rf"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)(?P<body>[{URL}]{{50,}})",
        checksum=pypi_macaroon,
    ),
    token("rubygems-key", "RubyGems API key", "rubygems_", f"[{HEX}]{{48}}"),
    token("clojars-token", "Clojars deploy token", "CLOJARS_", "[a-z0-9]{60}"),
    token("nuget-key", "NuGet API key", "oy2", "[a-z0-9]{43}"),
    token("docker-hub-token", "Docker Hub personal access token", "dckr_pat_", f"[{URL}]{{27}}"),
    token(
        "docker-hub-org-token",
        "Docker Hub organization access token",
        "dckr_oat_",
        f"[{URL}]{{32}}",
    ),
    raw(
        "docker-config-auth",
        "Docker registry credentials (config.json auth)",
        ('"auth"',),
        r'"auth"\s*:\s*"(?P<secret>[A-Za-z0-9+/]{12,}={0,2})"',
        accept=lambda hit: user_and_password(hit.group("secret")),
    ),
    token("artifactory-api-key", "JFrog Artifactory API key", "AKCp", f"[{B62}]{{69}}"),
    token(
        "artifactory-reference-token",
        "JFrog reference token",
        "cmVmdGtu",
        "[A-Za-z0-9+/]{56}",
        stop="A-Za-z0-9+/=",
    ),
)

FORMATS: tuple[Format, ...] = (*GITLAB, *ATLASSIAN, *OTHER_HOSTS, *REGISTRIES)
