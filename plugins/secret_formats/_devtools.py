"""CI/CD, code quality, observability, testing and developer platforms."""

from __future__ import annotations

from ._checks import json_with
from ._model import B62, B64, B64_EDGE, HEX, MEDIUM, URL, UUID, Format, keyed, raw, shaped, token


def _sentry_payload(secret: str) -> bool:
    """An org token's middle part is base64 of JSON naming the Sentry instance."""
    payload = secret.removeprefix("sntrys_").rpartition("_")[0]
    return json_with("iat", "url")(payload)


OBSERVABILITY: tuple[Format, ...] = (
    shaped(
        "sentry-org-token",
        "Sentry organization auth token",
        ("sntrys_",),
        f"sntrys_(?P<body>eyJ[{B64}=]{{40,}}_[{B64}]{{43}})",
        stop=B64_EDGE,
        checksum=_sentry_payload,
    ),
    token("sentry-user-token", "Sentry user auth token", "sntryu_", f"[{HEX}]{{64}}"),
    token("newrelic-user-key", "New Relic user API key", "NRAK-", "[A-Z0-9]{27}"),
    token("newrelic-insert-key", "New Relic insert key", "NRII-", f"[{URL}]{{32}}"),
    token(
        "newrelic-browser-key",
        "New Relic browser key (public by design)",
        "NRJS-",
        f"[{HEX}]{{19}}",
        confidence=MEDIUM,
    ),
    token("newrelic-query-key", "New Relic query key", "NRIQ-", f"[{URL}]{{32}}"),
    shaped(
        "newrelic-license-key",
        "New Relic license key",
        ("nral",),
        f"(?P<body>[{HEX}]{{36}})NRAL",
    ),
    keyed(
        "datadog-api-key",
        "Datadog API key",
        ("datadog", "dd_api_key", "dd-api-key"),
        f"[{HEX}]{{32}}",
    ),
    keyed(
        "datadog-app-key",
        "Datadog application key",
        ("datadog", "dd_app_key", "dd_application_key", "dd-application-key"),
        f"[{HEX}]{{40}}",
    ),
    shaped(
        "dynatrace-token",
        "Dynatrace API token",
        ("dt0c01.",),
        r"dt0c01\.[A-Z0-9]{24}\.(?P<body>[A-Z0-9]{64})",
    ),
    token(
        "grafana-cloud-token",
        "Grafana Cloud access policy token",
        "glc_",
        f"eyJ[{B64}]{{30,}}={{0,2}}",
        stop=B64_EDGE,
        checksum=json_with("o", "k"),
    ),
    shaped(
        "grafana-service-account-token",
        "Grafana service account token",
        ("glsa_",),
        f"glsa_(?P<body>[{B62}]{{32}})_[{HEX}]{{8}}",
    ),
    shaped(
        "grafana-api-key",
        "Grafana API key",
        ("eyjrijoi",),
        f"(?P<body>eyJrIjoi[{B64}]{{40,}}={{0,2}})",
        start=B64,
        stop=B64_EDGE,
        checksum=json_with("k", "n"),
    ),
    keyed(
        "honeycomb-key",
        "Honeycomb API key",
        ("honeycomb",),
        f"[{B62}]{{32}}|[{B62}]{{22}}",
    ),
    keyed(
        "launchdarkly-sdk-key",
        "LaunchDarkly SDK key",
        ("launchdarkly", "ld_sdk", "ld-sdk"),
        UUID,
        prefix="sdk-",
    ),
    keyed(
        "launchdarkly-api-token",
        "LaunchDarkly API access token",
        ("launchdarkly", "ld_access", "ld_api", "ld-api"),
        UUID,
        prefix="api-",
    ),
    keyed(
        "pagerduty-key",
        "PagerDuty API key",
        ("pagerduty", "pd_api", "pd_token"),
        "[A-Za-z0-9_+-]{20}",
        stop="A-Za-z0-9_+-",
    ),
    keyed("opsgenie-key", "Opsgenie API key", ("opsgenie",), UUID),
    keyed("rollbar-token", "Rollbar access token", ("rollbar",), f"[{HEX}]{{32}}"),
    keyed("bugsnag-key", "Bugsnag API key", ("bugsnag",), f"[{HEX}]{{32}}"),
    keyed(
        "sumologic-access-id",
        "Sumo Logic access ID",
        ("sumologic", "sumo_access", "sumo-access"),
        f"[{B62}]{{12}}",
        prefix="su",
        quals=("accessid", "access_id", "access-id"),
        avoid=(),
    ),
    keyed(
        "sumologic-access-key",
        "Sumo Logic access key",
        ("sumologic", "sumo_access", "sumo-access"),
        f"[{B62}]{{64}}",
        quals=("accesskey", "access_key", "access-key", "secret"),
    ),
)

CI: tuple[Format, ...] = (
    shaped(
        "circleci-token",
        "CircleCI personal or project API token",
        ("ccipat_", "cciprj_"),
        f"CCIP(?:AT|RJ)_[{B62}]{{22}}_(?P<body>[{HEX}]{{40}})",
    ),
    keyed("travis-token", "Travis CI API token", ("travis",), f"[{URL}]{{22}}"),
    token("buildkite-token", "Buildkite API access token", "bkua_", f"[{HEX}]{{40}}"),
    keyed("droneci-token", "Drone CI token", ("drone",), f"[{B62}]{{32}}"),
    token("octopus-deploy-key", "Octopus Deploy API key", "API-", "[A-Z0-9]{26,27}"),
    shaped("prefect-key", "Prefect API key", ("pnu_", "pnb_"), f"pn[ub]_(?P<body>[{B62}]{{36}})"),
    token("pulumi-token", "Pulumi access token", "pul-", f"[{HEX}]{{40}}"),
    keyed(
        "spacelift-secret",
        "Spacelift API key secret",
        ("spacelift",),
        f"[{HEX}]{{64}}",
        quals=("secret",),
    ),
    token("infracost-key", "Infracost API key", "ico-", f"[{B62}]{{32}}"),
    token("scalingo-token", "Scalingo API token", "tk-us-", f"[{URL}]{{48}}"),
    shaped(
        "sonar-token",
        "SonarQube / SonarCloud token",
        ("squ_", "sqp_", "sqa_"),
        f"sq[upa]_(?P<body>[{HEX}]{{40}})",
    ),
    keyed("codecov-token", "Codecov upload token", ("codecov",), UUID),
    keyed("codacy-token", "Codacy API or project token", ("codacy",), f"[{HEX}]{{32}}"),
    keyed("coveralls-token", "Coveralls repo token", ("coveralls",), f"[{B62}]{{32,40}}"),
    raw(
        "deepsource-dsn",
        "DeepSource DSN",
        ("deepsource",),
        rf"https?://(?P<secret>[{HEX}]{{32}})@(?:app\.)?deepsource\.(?:io|com)",
    ),
    keyed("gitguardian-key", "GitGuardian API key", ("gitguardian",), f"[{B62}]{{64}}"),
    keyed("snyk-token", "Snyk API token", ("snyk",), UUID),
    shaped(
        "intra42-secret",
        "42 Intra OAuth client secret",
        ("s-s4t2ud-", "s-s4t2af-"),
        f"s-s4t2(?:ud|af)-(?P<body>[{HEX}]{{64}})",
    ),
)

TESTING: tuple[Format, ...] = (
    keyed("saucelabs-key", "Sauce Labs access key", ("sauce",), UUID, quals=("key",)),
    keyed("browserstack-key", "BrowserStack access key", ("browserstack",), f"[{B62}]{{20}}"),
    keyed("percy-token", "Percy token", ("percy",), f"[{HEX}]{{64}}"),
    keyed("cypress-key", "Cypress Cloud record key", ("cypress",), UUID, quals=("key",)),
    keyed(
        "expo-token",
        "Expo access token",
        ("expo_token", "expo-token", "expo_access", "expo_api"),
        f"[{URL}]{{40}}",
    ),
)

DEVELOPER_PLATFORMS: tuple[Format, ...] = (
    shaped(
        "postman-key",
        "Postman API key",
        ("pmak-",),
        f"PMAK-[{HEX}]{{24}}-(?P<body>[{HEX}]{{34}})",
    ),
    token("linear-key", "Linear API key", "lin_api_", f"[{B62}]{{40}}"),
    token("linear-oauth-token", "Linear OAuth token", "lin_oauth_", f"[{HEX}]{{64}}"),
    token("readme-key", "ReadMe API key", "rdme_", "[a-z0-9]{70}"),
    token("frameio-token", "Frame.io developer token", "fio-u-", f"[={URL}]{{64}}", stop="=" + URL),
    token(
        "typeform-token",
        "Typeform personal access token",
        "tfp_",
        f"[.={URL}]{{59}}",
        stop=".=" + URL,
    ),
    token("adafruit-key", "Adafruit IO key", "aio_", f"[{B62}]{{28}}"),
    token("adobe-client-secret", "Adobe client secret", "p8e-", f"[{B62}]{{32}}"),
    keyed("meraki-key", "Cisco Meraki API key", ("meraki",), f"[{HEX}]{{40}}"),
    keyed("mattermost-token", "Mattermost access token", ("mattermost",), "[a-z0-9]{26}"),
    keyed("gitter-token", "Gitter access token", ("gitter",), f"[{HEX}]{{40}}"),
    keyed(
        "looker-secret",
        "Looker API client secret",
        ("looker",),
        f"[{B62}]{{24}}",
        quals=("secret",),
    ),
    shaped(
        "maxmind-key",
        "MaxMind license key",
        ("_mmk",),
        f"(?P<body>[{B62}]{{6}}_[{B62}]{{29}})_mmk",
    ),
    shaped(
        "settlemint-token",
        "SettleMint access token",
        ("sm_pat_", "sm_aat_", "sm_sat_"),
        f"sm_(?:pat|aat|sat)_(?P<body>[{B62}]{{16}})",
    ),
    raw(
        "sidekiq-secret",
        "Sidekiq Enterprise / Pro credentials",
        ("contribsys",),
        r"(?:(?i:contribsys)[\w.]{0,30}[\"']?[ \t]*[=:][ \t]*[\"']?|https?://)"
        rf"(?P<secret>[{HEX}]{{8}}:[{HEX}]{{8}})(?![\w:])",
    ),
    keyed(
        "ngrok-token",
        "ngrok authtoken",
        ("ngrok", "authtoken"),
        f"[12][{B62}]{{26}}_[{B62}]{{21}}",
    ),
    shaped(
        "tailscale-key",
        "Tailscale API or auth key",
        ("tskey-",),
        f"tskey-(?:api|auth|client|scim|webhook)-[{B62}]{{6,20}}-(?P<body>[{B62}]{{20,40}})",
    ),
    token("pangea-token", "Pangea token", "pts_", "[a-z0-9]{32}"),
    token("nightfall-key", "Nightfall API key", "NF-", f"[{B62}]{{32}}"),
)

FORMATS: tuple[Format, ...] = (*OBSERVABILITY, *CI, *TESTING, *DEVELOPER_PLATFORMS)
