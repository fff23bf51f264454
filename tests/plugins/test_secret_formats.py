"""secret_formats: every kind has a true-positive and a false-positive example.

Every fake token is built here from pieces at run time (a random body from a seeded generator,
a prefix split in two), so that no file of the repository holds a literal token a scanner
would flag.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import subprocess
import sys
import zlib
from itertools import pairwise
from pathlib import Path

import pytest
from git_agent_plugins import secret_formats
from git_agent_plugins.secret_formats import FORMATS, Match, find, find_lines, may_contain
from git_agent_plugins.secret_formats._checks import bech32_valid, crc32_base62_tail
from git_agent_plugins.secret_formats._matcher import anchored_regex, anchors, trie_regex

R = random.Random(91173)
B62 = string.ascii_letters + string.digits
URL = B62 + "-_"
B64 = B62 + "+/"
HEX = "0123456789abcdef"
LO = string.ascii_lowercase + string.digits
UP = string.ascii_uppercase + string.digits
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def rnd(n: int, alphabet: str = B62) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def hx(n: int) -> str:
    return rnd(n, HEX)


def url(n: int) -> str:
    return rnd(n, URL)


def b64(n: int) -> str:
    return rnd(n, B64)


def lo(n: int) -> str:
    return rnd(n, LO)


def up(n: int) -> str:
    return rnd(n, UP)


def digits(n: int) -> str:
    return R.choice("123456789") + rnd(n - 1, string.digits)


def uuid4() -> str:
    h = hx(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def j(*parts: str) -> str:
    """A token (or a prefix) from pieces."""
    return "".join(parts)


def b64json(value: object, urlsafe: bool = False) -> str:
    data = json.dumps(value, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)
    return encoded.decode().rstrip("=")


def base62(number: int, width: int) -> str:
    alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = alphabet[digit] + out
    return out.rjust(width, "0")


def base36(number: int, width: int) -> str:
    alphabet = string.digits + string.ascii_lowercase
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = alphabet[digit] + out
    return out.rjust(width, "0")


PLACE = "x" * 40  # a placeholder body, cut to length where used

CASES: list[tuple[str, str, str]] = []


def case(kind: str, template: str, good: str, bad: str) -> None:
    """`template` with `{}` where the token goes: `good` must be found, `bad` must not."""
    CASES.append((kind, template.format(good), template.format(bad)))


def lines(kind: str, good: str, bad: str) -> None:
    """Two whole lines: one holding a secret of `kind`, one that must not be taken for one."""
    CASES.append((kind, good, bad))


# --- code hosting and registries -------------------------------------------------------------

GLPAT = j("glp", "at-")
_routable = j(GLPAT, url(31), ".01")
case(
    "gitlab-pat-routable",
    "token: {}",
    _routable + base36(zlib.crc32(_routable.encode()), 7),
    j(GLPAT, url(10), ".01", "x" * 7),
)
case("gitlab-pat", "export GL_TOKEN={}", j(GLPAT, url(20)), j(GLPAT, url(12)))
case("gitlab-deploy-token", "password: {}", j("gl", "dt-", url(20)), j("gl", "dt-", PLACE[:20]))
case("gitlab-runner-token", 'token = "{}"', j("gl", "rt-", url(20)), j("gl", "rt-", url(8)))
case(
    "gitlab-runner-registration-token",
    "REGISTRATION_TOKEN={}",
    j("GR13", "48941", url(20)),
    j("GR13", "48941", url(5)),
)
case("gitlab-cicd-job-token", "JOB={}", j("glc", "bt-", "64_", url(20)), j("glc", "bt-", url(9)))
case("gitlab-trigger-token", "-F token={}", j("glp", "tt-", hx(40)), j("glp", "tt-", hx(30)))
case("gitlab-feed-token", "?feed_token={}", j("gl", "ft-", url(20)), j("gl", "ft-", "<feed-token>"))
case("gitlab-incoming-mail-token", "mail: {}", j("gli", "mt-", url(25)), j("gli", "mt-", url(10)))
case("gitlab-agent-token", "agent: {}", j("glag", "ent-", url(50)), j("glag", "ent-", url(20)))
case("gitlab-oauth-secret", "secret: {}", j("glo", "as-", url(64)), j("glo", "as-", PLACE[:32] * 2))
case("gitlab-scim-token", "scim: {}", j("gls", "oat-", url(20)), j("gls", "oat-", url(4)))
case("gitlab-feature-flag-token", "ff: {}", j("glf", "fct-", url(20)), j("glf", "fct-", url(30)))
case(
    "gitlab-session-cookie",
    "Cookie: {}",
    j("_gitlab", "_session=", hx(32)),
    j("_gitlab", "_session=", "0123456789abcdef" * 2),
)
case("atlassian-api-token", "JIRA={}", j("ATA", "TT3", url(186)), j("ATA", "TT3", url(40)))
case("bitbucket-app-password", "BB={}", j("AT", "BB", rnd(32)), j("AT", "BB", rnd(12)))
case("trello-token", "TRELLO={}", j("AT", "TA", hx(64), hx(8).upper()), j("AT", "TA", hx(20)))
case(
    "atlassian-legacy-token",
    "{}",
    j("JIRA_API_TOKEN=", rnd(24)),
    j("API_TOKEN=", rnd(24)),  # no provider named: not this kind
)
case(
    "bitbucket-client-secret",
    "{}",
    j("BITBUCKET_OAUTH_SECRET=", url(32)),
    j("BITBUCKET_OAUTH_KEY=", url(32)),
)
case("sourcegraph-token", "SRC={}", j("sg", "p_", hx(16), "_", hx(40)), j("sg", "p_", hx(10)))
case("gitea-token", "{}", j("GITEA_ACCESS_TOKEN=", hx(40)), j("GITEA_TOKEN_URL=", hx(40)))
_npm = rnd(30)
case(
    "npm-token",
    "//registry.npmjs.org/:_authToken={}",
    j("np", "m_", _npm, base62(zlib.crc32(_npm.encode()), 6)),
    j("np", "m_", rnd(20)),
)
case(
    "pypi-token",
    "password = {}",
    j("py", "pi-", "AgEIcHlwaS5vcmc", url(120)),
    j("py", "pi-", "AgEIcHlwaS5vcmc", url(10)),
)
case("rubygems-key", "key: {}", j("ruby", "gems_", hx(48)), j("ruby", "gems_", hx(40)))
case("clojars-token", "PW={}", j("CLO", "JARS_", lo(60)), j("CLO", "JARS_", lo(20)))
case("nuget-key", "--api-key {}", j("oy", "2", lo(43)), j("oy", "2", "words"))
case("docker-hub-token", "PW={}", j("dckr", "_pat_", url(27)), j("dckr", "_pat_", url(12)))
case("docker-hub-org-token", "PW={}", j("dckr", "_oat_", url(32)), j("dckr", "_oat_", url(10)))
case(
    "docker-config-auth",
    '"auth": "{}"',
    base64.b64encode(j("robot:", rnd(20)).encode()).decode(),
    base64.b64encode(b"just some text here").decode(),
)
case("artifactory-api-key", "KEY={}", j("AK", "Cp", rnd(69)), j("AK", "Cp", rnd(20)))
case("artifactory-reference-token", "T={}", j("cmVm", "dGtu", b64(56)), j("cmVm", "dGtu", b64(8)))

# --- cloud, hosting, databases -------------------------------------------------------------------

case("aws-bedrock-key", "BEDROCK={}", j("AB", "SK", b64(120)), j("AB", "SK", b64(30)))
case(
    "aws-session-token",
    "aws_session_token={}",
    j("IQoJb3Jp", "Z2lu", b64(300)),
    j("IQoJb3Jp", "Z2lu", b64(40)),
)
case("google-api-key", "key={}", j("AI", "za", url(35)), j("AI", "za", url(20)))
case("google-oauth-secret", '"secret": "{}"', j("GOC", "SPX-", url(28)), j("GOC", "SPX-", url(10)))
case("google-refresh-token", "rt: {}", j("1/", "/0", url(100)), j("1/", "/0", url(10)))
case("google-access-token", "Bearer {}", j("ya", "29.", url(120)), j("ya", "29.", url(12)))
case(
    "firebase-fcm-key",
    "FCM={}",
    j("AAAA", url(7), ":APA", "91b", url(134)),
    j("AAAA", url(7), ":APA", "91b", url(20)),
)
case(
    "azure-cosmos-key",
    "C=AccountEndpoint=https://x.documents.azure.com:443/;AccountKey={};",
    b64(86) + "==",
    b64(20) + "==",
)
case(
    "azure-storage-key",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey={};",
    b64(86) + "==",
    "<storage-account-key>",
)
case(
    "azure-sas-token",
    "https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={}",
    b64(43).replace("/", "%2F") + "%3D",
    "SIGNATURE",
)
case(
    "azure-service-bus-key",
    "Endpoint=sb://a.servicebus.windows.net/;SharedAccessKeyName=R;SharedAccessKey={}",
    b64(43) + "=",
    b64(10) + "=",
)
case(
    "azure-ad-client-secret",
    "SECRET={}",
    j(rnd(3), "8Q", "~", url(34)),
    j(rnd(3), "8Q", "~", "abc"),
)
case("azure-devops-pat", "PAT={}", j(rnd(76), "AZ", "DO", rnd(4)), j(rnd(20), "AZ", "DO", rnd(4)))
case("azure-openai-key", "{}", j("AZURE_OPENAI_KEY=", hx(32)), j("AZURE_OPENAI_ENDPOINT=", hx(32)))
case(
    "teams-webhook",
    "{}",
    j("https://acme.webhook.", "office.com/webhookb2/", uuid4(), "@", uuid4())
    + j("/IncomingWebhook/", hx(32), "/", uuid4()),
    j("https://acme.webhook.", "office.com/webhookb2/<group-id>/IncomingWebhook/"),
)
case(
    "azure-function-key",
    "{}",
    j("x-functions-key: ", url(54), "=="),
    j("x-functions-key: ", url(20)),
)
case("digitalocean-pat", "DO={}", j("dop", "_v1_", hx(64)), j("dop", "_v1_", hx(32)))
case(
    "digitalocean-oauth-token", "DO={}", j("doo", "_v1_", hx(64)), j("doo", "_v1_", PLACE[:32] * 2)
)
case("digitalocean-refresh-token", "DO={}", j("dor", "_v1_", hx(64)), j("dor", "_v1_", "TOKEN"))
case("databricks-token", "DATABRICKS={}", j("da", "pi", hx(32)), j("da", "pi", "_version"))
case(
    "terraform-cloud-token",
    'token = "{}"',
    j(rnd(14), ".atla", "sv1.", url(67)),
    j(rnd(14), ".atla", "sv1.", url(20)),
)
case("vault-service-token", "VAULT_TOKEN={}", j("hv", "s.", url(95)), j("hv", "s.", url(24)))
case("vault-batch-token", "VAULT_TOKEN={}", j("hv", "b.", url(140)), j("hv", "b.", url(40)))
case(
    "hcp-client-secret",
    "{}",
    j("HCP_CLIENT_SECRET=", rnd(64)),
    j("HCP_CLIENT_ID=", rnd(64)),
)
case("heroku-api-key-v2", "HEROKU={}", j("HR", "KU-", url(60)), j("HR", "KU-", url(20)))
case("heroku-api-key", "{}", j("HEROKU_API_KEY=", uuid4()), j("HEROKU_APP_ID=", uuid4()))
case("flyio-token", 'FLY="FlyV1 {}"', j("fm", "2_", b64(180)), j("fm", "2_", b64(40)))
case("flyio-org-token", "FLY={}", j("fo", "1_", url(43)), j("fo", "1_", url(20)))
case("vercel-token", "{}", j("VERCEL_TOKEN=", rnd(24)), j("VERCEL_ORG_ID=", rnd(24)))
case("netlify-token", "N={}", j("nf", "p_", rnd(36)), j("nf", "p_", rnd(16)))
case(
    "netlify-legacy-token", "{}", j("NETLIFY_AUTH_TOKEN=", url(43)), j("NETLIFY_SITE_ID=", url(43))
)
case("render-key", "R={}", j("rn", "d_", rnd(32)), j("rn", "d_", "api_key"))
case("supabase-pat", "S={}", j("sb", "p_", hx(40)), j("sb", "p_", hx(12)))
case("supabase-secret-key", "S={}", j("sb_", "secret_", url(40)), j("sb_", "secret_", "key"))
case("planetscale-token", "P={}", j("pscale", "_tkn_", url(43)), j("pscale", "_tkn_", url(8)))
case(
    "planetscale-password", "P={}", j("pscale", "_pw_", url(43)), j("pscale", "_pw_", "<password>")
)
case(
    "planetscale-oauth-token",
    "P={}",
    j("pscale", "_oauth_", url(43)),
    j("pscale", "_oauth_", url(6)),
)
case("neon-key", "NEON={}", j("na", "pi_", lo(64)), j("na", "pi_", lo(30)))
case(
    "upstash-token",
    "{}",
    j("UPSTASH_REDIS_REST_TOKEN=A", url(70)),
    j("UPSTASH_REDIS_REST_URL=A", url(70)),
)
case("cloudflare-api-token", "{}", j("CF_API_TOKEN=", url(40)), j("CF_API_TOKEN=", url(20)))
case("cloudflare-global-key", "{}", j("CF_API_KEY=", hx(37)), j("CF_API_KEY=", hx(30)))
case(
    "cloudflare-origin-ca-key",
    "KEY={}",
    j("v1", ".0-", hx(24), "-", hx(146)),
    j("v1", ".0-", hx(24), "-", hx(40)),
)
case("openshift-token", "oc login --token={}", j("sha256", "~", url(43)), j("sha256", "~", url(10)))
case(
    "akamai-client-token",
    "client_token = {}",
    j("ak", "ab-", lo(16), "-", lo(16)),
    j("ak", "ab-", "xxxx"),
)
case("fastly-token", "{}", j("FASTLY_API_TOKEN=", url(32)), j("FASTLY_SERVICE_ID=", url(32)))
case(
    "defined-networking-key",
    "DN={}",
    j("dn", "key-", up(26), "-", up(52)),
    j("dn", "key-", up(26), "-", up(10)),
)
case("alibaba-access-key", "AK={}", j("LT", "AI", rnd(20)), j("LT", "AI", rnd(5)))
case(
    "alibaba-secret-key",
    "{}",
    j("ALIYUN_ACCESS_KEY_SECRET=", rnd(30)),
    j("ALIYUN_ACCESS_KEY_ID=", rnd(30)),
)
case("tencent-secret-id", "ID={}", j("AK", "ID", rnd(32)), j("AK", "ID", rnd(10)))
case(
    "tencent-secret-key",
    "{}",
    j("TENCENTCLOUD_SECRET_KEY=", rnd(32)),
    j("TENCENTCLOUD_SECRET_ID=", rnd(32)),
)
case("yandex-api-key", "YC={}", j("AQ", "VN", url(36)), j("AQ", "VN", url(12)))
case(
    "yandex-iam-token",
    "Bearer {}",
    j("t1", ".9euelZ", url(80), ".", url(86)),
    j("t1", ".start()"),
)
case("yandex-access-key", "S={}", j("Y", "C", url(38)), j("Y", "C", url(12)))
case("yandex-oauth-token", "Y={}", j("y", "0_", url(55)), j("y", "0_", url(10)))
case(
    "scaleway-secret-key",
    "{}",
    j("SCW_SECRET_KEY=", uuid4()),
    j("SCW_DEFAULT_PROJECT_ID=", uuid4()),
)
case("linode-token", "{}", j("LINODE_CLI_TOKEN=", hx(64)), j("LINODE_CLI_TOKEN=", "$LINODE"))
case("vultr-key", "{}", j("VULTR_API_KEY=", up(36)), j("VULTR_API_KEY=", up(20)))
case("hetzner-token", "{}", j("HCLOUD_TOKEN=", rnd(64)), j("HCLOUD_TOKEN=", "${{HCLOUD}}"))
case("castai-key", "C={}", j("castai", "_v1_", rnd(64), "_", rnd(8)), j("castai", "_v1_", rnd(10)))
case("clickhouse-secret", "S={}", j("4b", "1d", rnd(38)), j("4b", "1d", rnd(10)))
case(
    "mongodb-uri",
    'uri = "{}"',
    j("mongodb+srv://app:", rnd(20), "@cluster0.mongodb.net/db"),
    j("mongodb+srv://app:", "password", "@cluster0.mongodb.net/db"),
)
case(
    "database-url",
    "DATABASE_URL={}",
    j("postgresql+psycopg://app:", rnd(20), "@db:5432/app"),
    j("postgresql://app:", "${DB_PASSWORD}", "@db:5432/app"),
)
case(
    "elastic-key",
    "{}",
    j("ELASTIC_API_KEY=", base64.b64encode(j(url(20), ":", url(22)).encode()).decode()),
    j("ELASTIC_API_KEY=", base64.b64encode(b"this is only some words").decode()),
)
case(
    "confluent-key",
    "{}",
    j("CONFLUENT_API_KEY=", up(16)),
    j("CONFLUENT_API_KEY=", "${CONFLUENT_KEY}"),
)
case(
    "confluent-secret",
    "{}",
    j("CONFLUENT_API_SECRET=", b64(64)),
    j("CONFLUENT_API_SECRET=", b64(20)),
)

# --- payments, commerce, crypto ----------------------------------------------------------------

case("stripe-secret-key", "S={}", j("sk", "_live_", rnd(99)), j("sk", "_live_", rnd(10)))
case("stripe-restricted-key", "S={}", j("rk", "_live_", rnd(40)), j("rk", "_live_", PLACE[:30]))
case("stripe-webhook-secret", "S={}", j("wh", "sec_", rnd(32)), j("wh", "sec_", rnd(12)))
case("square-access-token", "S={}", j("EA", "AA", url(60)), j("EA", "AA", url(30)))
case("square-oauth-secret", "S={}", j("sq0", "csp-", url(43)), j("sq0", "csp-", url(12)))
case("square-legacy-token", "S={}", j("sq0", "atp-", url(22)), j("sq0", "atp-", url(10)))
case(
    "braintree-access-token",
    "B={}",
    j("access_token", "$production$", lo(16), "$", hx(32)),
    j("access_token", "$production$", "<merchant>$<token>"),
)
case(
    "flutterwave-secret-key",
    "F={}",
    j("FLW", "SECK-", hx(32), "-X"),
    j("FLW", "SECK-", hx(12), "-X"),
)
case(
    "flutterwave-encryption-key", "F={}", j("FLW", "SECK_TEST", hx(12)), j("FLW", "SECK_TEST", "ab")
)
case("shippo-token", "S={}", j("shippo", "_live_", hx(40)), j("shippo", "_live_", hx(8)))
case(
    "gocardless-token",
    "{}",
    j("GOCARDLESS_TOKEN=li", "ve_", url(40)),
    j("ACCESS_TOKEN=li", "ve_", url(40)),
)
case("razorpay-secret", "{}", j("RAZORPAY_SECRET=", rnd(24)), j("RAZORPAY_KEY_ID=", rnd(24)))
case(
    "paystack-secret-key",
    "{}",
    j("PAYSTACK_SECRET_KEY=sk", "_live_", hx(40)),
    j("PAYSTACK_SECRET_KEY=sk", "_live_", hx(12)),
)
case(
    "adyen-key",
    "A={}",
    j("AQE", rnd(2), "hm", "fx", rnd(40), "=-", b64(43), "=-", rnd(12)),
    j("AQE", rnd(2), "hm", "fx", rnd(8)),
)
case(
    "plaid-access-token",
    "P={}",
    j("access-", "production-", uuid4()),
    j("access-", "production-", "id"),
)
case("plaid-secret", "{}", j("PLAID_SECRET=", hx(30)), j("PLAID_CLIENT_ID=", hx(30)))
case(
    "paddle-key",
    "P={}",
    j("pdl", "_live_", "apikey_", lo(26), "_", rnd(22), "_", rnd(3)),
    j("pdl", "_live_", "apikey_", lo(10)),
)
case("duffel-token", "D={}", j("duffel", "_live_", url(43)), j("duffel", "_live_", url(10)))
case("easypost-key", "E={}", j("EZ", "AK", rnd(54)), j("EZ", "AK", rnd(20)))
case("lob-key", "{}", j("LOB_API_KEY=li", "ve_", hx(35)), j("GLOBAL_KEY=li", "ve_", hx(35)))
case(
    "chargebee-key",
    "{}",
    j("CHARGEBEE_KEY=li", "ve_", rnd(32)),
    j("CHARGEBEE_KEY=li", "ve_", rnd(8)),
)
case("woocommerce-secret", "W={}", j("c", "s_", hx(40)), j("c", "s_", hx(20)))
case("mollie-key", "{}", j("MOLLIE_KEY=li", "ve_", rnd(30)), j("MOLLIE_PROFILE=li", "ve_", rnd(30)))
case("coinbase-secret", "{}", j("COINBASE_SECRET=", rnd(64)), j("COINBASE_SECRET=", rnd(12)))
case("kraken-key", "{}", j("KRAKEN_API_SECRET=", b64(86), "=="), j("KRAKEN_API_SECRET=", b64(20)))
case("kucoin-secret", "{}", j("KUCOIN_SECRET=", uuid4()), j("KUCOIN_PASSPHRASE_ID=", uuid4()))
case("bittrex-secret", "{}", j("BITTREX_SECRET=", hx(32)), j("BITTREX_KEY_ID=", hx(32)))
case("etherscan-key", "{}", j("ETHERSCAN_KEY=", up(34)), j("ETHERSCAN_KEY=", up(12)))
case("infura-secret", "{}", j("INFURA_SECRET=", hx(32)), j("INFURA_PROJECT_ID=", hx(32)))
case("alchemy-key", "{}", j("ALCHEMY_KEY=", url(32)), j("ALCHEMY_URL=", url(32)))
case("binance-secret", "{}", j("BINANCE_SECRET=", rnd(64)), j("BINANCE_SECRET=", PLACE[:32] * 2))

# --- developer tools, CI, observability ----------------------------------------------------------

_sentry = b64json({"iat": 1.0, "url": "https://sentry.io", "org": "a"})
case(
    "sentry-org-token",
    "S={}",
    j("sntr", "ys_", _sentry, "_", b64(43)),
    j("sntr", "ys_", "eyJ", "abc"),
)
case("sentry-user-token", "S={}", j("sntr", "yu_", hx(64)), j("sntr", "yu_", hx(20)))
case("newrelic-user-key", "N={}", j("NR", "AK-", up(27)), j("NR", "AK-", up(10)))
case("newrelic-insert-key", "N={}", j("NR", "II-", url(32)), j("NR", "II-", url(10)))
case("newrelic-browser-key", "N={}", j("NR", "JS-", hx(19)), j("NR", "JS-", hx(9)))
case("newrelic-query-key", "N={}", j("NR", "IQ-", url(32)), j("NR", "IQ-", url(12)))
case("newrelic-license-key", "N={}", j(hx(36), "NR", "AL"), j(hx(12), "NR", "AL"))
case("datadog-api-key", "{}", j("DATADOG_API_KEY=", hx(32)), j("DATADOG_SITE=", hx(32)))
case("datadog-app-key", "{}", j("DD_APP_KEY=", hx(40)), j("DD_APP_KEY=", hx(32)))
case(
    "dynatrace-token",
    "D={}",
    j("dt0", "c01.", up(24), ".", up(64)),
    j("dt0", "c01.", up(24), ".", up(10)),
)
case(
    "grafana-cloud-token",
    "G={}",
    j("gl", "c_", b64json({"o": "1", "n": "t", "k": rnd(24), "m": {"r": "us"}})),
    j("gl", "c_", "eyJ", rnd(5)),
)
case(
    "grafana-service-account-token",
    "G={}",
    j("gl", "sa_", rnd(32), "_", hx(8)),
    j("gl", "sa_", rnd(10), "_", hx(8)),
)
case(
    "grafana-api-key",
    "G={}",
    b64json({"k": rnd(32), "n": "ci", "id": 1}),
    b64json({"k": "x"}),
)
case("honeycomb-key", "{}", j("HONEYCOMB_WRITEKEY=", rnd(32)), j("HONEYCOMB_DATASET=", rnd(32)))
case(
    "launchdarkly-sdk-key", "{}", j("LD_SDK_KEY=sd", "k-", uuid4()), j("SDK_KEY=sd", "k-", uuid4())
)
case(
    "launchdarkly-api-token",
    "{}",
    j("LD_API_TOKEN=ap", "i-", uuid4()),
    j("API_TOKEN=ap", "i-", uuid4()),
)
case("pagerduty-key", "{}", j("PAGERDUTY_API_KEY=", url(20)), j("PAGERDUTY_SERVICE_ID=", url(20)))
case("opsgenie-key", "{}", j("OPSGENIE_KEY=", uuid4()), j("OPSGENIE_TEAM_ID=", uuid4()))
case("rollbar-token", "{}", j("ROLLBAR_TOKEN=", hx(32)), j("ROLLBAR_TOKEN=", hx(16)))
case("bugsnag-key", "{}", j("BUGSNAG_KEY=", hx(32)), j("BUGSNAG_RELEASE_STAGE=", hx(32)))
case(
    "sumologic-access-id",
    "{}",
    j("SUMO_ACCESS_ID=s", "u", rnd(12)),
    j("SUMO_ACCESS_ID=s", "u", rnd(4)),
)
case("sumologic-access-key", "{}", j("SUMO_ACCESS_KEY=", rnd(64)), j("SUMO_ACCESS_KEY=", rnd(20)))
case(
    "circleci-token",
    "C={}",
    j("CCI", "PAT_", rnd(22), "_", hx(40)),
    j("CCI", "PAT_", rnd(22), "_", hx(10)),
)
case("travis-token", "{}", j("TRAVIS_TOKEN=", url(22)), j("TRAVIS_TOKEN=", url(10)))
case("buildkite-token", "B={}", j("bk", "ua_", hx(40)), j("bk", "ua_", hx(10)))
case("droneci-token", "{}", j("DRONE_TOKEN=", rnd(32)), j("DRONE_SERVER=", rnd(32)))
case("octopus-deploy-key", "O={}", j("AP", "I-", up(26)), j("AP", "I-", "KEY"))
case("prefect-key", "P={}", j("pn", "u_", rnd(36)), j("pn", "u_", rnd(10)))
case("pulumi-token", "P={}", j("pu", "l-", hx(40)), j("pu", "l-", hx(10)))
case(
    "spacelift-secret",
    "{}",
    j("SPACELIFT_API_KEY_SECRET=", hx(64)),
    j("SPACELIFT_API_KEY_ID=", hx(64)),
)
case("infracost-key", "I={}", j("ic", "o-", rnd(32)), j("ic", "o-", rnd(8)))
case("scalingo-token", "S={}", j("tk", "-us-", url(48)), j("tk", "-us-", url(8)))
case("sonar-token", "S={}", j("sq", "p_", hx(40)), j("sq", "p_", hx(8)))
case("codecov-token", "{}", j("CODECOV_TOKEN=", uuid4()), j("CODECOV_URL=", uuid4()))
case("codacy-token", "{}", j("CODACY_API_TOKEN=", hx(32)), j("CODACY_API_TOKEN=", hx(8)))
case(
    "coveralls-token",
    "{}",
    j("COVERALLS_REPO_TOKEN=", rnd(33)),
    j("COVERALLS_SERVICE_NAME=", rnd(33)),
)
case(
    "deepsource-dsn",
    "DSN={}",
    j("https://", hx(32), "@app.deep", "source.com"),
    j("https://", "<token>", "@app.deep", "source.com"),
)
case(
    "gitguardian-key", "{}", j("GITGUARDIAN_API_KEY=", rnd(64)), j("GITGUARDIAN_API_URL=", rnd(64))
)
case("snyk-token", "{}", j("SNYK_TOKEN=", uuid4()), j("SNYK_ORG_ID=", uuid4()))
case("intra42-secret", "S={}", j("s-s4t", "2ud-", hx(64)), j("s-s4t", "2ud-", hx(20)))
case("saucelabs-key", "{}", j("SAUCE_ACCESS_KEY=", uuid4()), j("SAUCE_USERNAME=", uuid4()))
case("browserstack-key", "{}", j("BROWSERSTACK_KEY=", rnd(20)), j("BROWSERSTACK_KEY=", rnd(10)))
case("percy-token", "{}", j("PERCY_TOKEN=", hx(64)), j("PERCY_BRANCH=", hx(64)))
case("cypress-key", "{}", j("CYPRESS_RECORD_KEY=", uuid4()), j("CYPRESS_PROJECT_ID=", uuid4()))
case("expo-token", "{}", j("EXPO_TOKEN=", url(40)), j("EXPORT_TOKEN=", url(40)))
case(
    "postman-key",
    "P={}",
    j("PM", "AK-", hx(24), "-", hx(34)),
    j("PM", "AK-", hx(24), "-", hx(10)),
)
case("linear-key", "L={}", j("lin", "_api_", rnd(40)), j("lin", "_api_", rnd(10)))
case("linear-oauth-token", "L={}", j("lin", "_oauth_", hx(64)), j("lin", "_oauth_", hx(10)))
case("readme-key", "R={}", j("rd", "me_", lo(70)), j("rd", "me_", lo(10)))
case("frameio-token", "F={}", j("fio", "-u-", url(64)), j("fio", "-u-", url(10)))
case("typeform-token", "T={}", j("tf", "p_", rnd(44), "_", rnd(14)), j("tf", "p_", rnd(10)))
case("adafruit-key", "A={}", j("ai", "o_", rnd(28)), j("ai", "o_", rnd(10)))
case("adobe-client-secret", "A={}", j("p8", "e-", rnd(32)), j("p8", "e-", rnd(10)))
case("meraki-key", "{}", j("MERAKI_API_KEY=", hx(40)), j("MERAKI_ORG_ID=", hx(40)))
case("mattermost-token", "{}", j("MATTERMOST_TOKEN=", lo(26)), j("MATTERMOST_URL=", lo(26)))
case("gitter-token", "{}", j("GITTER_TOKEN=", hx(40)), j("GITTER_ROOM_ID=", hx(40)))
case("looker-secret", "{}", j("LOOKER_CLIENT_SECRET=", rnd(24)), j("LOOKER_CLIENT_ID=", rnd(24)))
case("maxmind-key", "M={}", j(rnd(6), "_", rnd(29), "_m", "mk"), j(rnd(6), "_", rnd(9), "_m", "mk"))
case("settlemint-token", "S={}", j("sm", "_pat_", rnd(16)), j("sm", "_pat_", rnd(6)))
case(
    "sidekiq-secret",
    "{}",
    j("BUNDLE_GEMS__CONTRIB", "SYS__COM=", hx(8), ":", hx(8)),
    j("BUNDLE_GEMS__CONTRIB", "SYS__COM=", "user:pass"),
)
case(
    "ngrok-token",
    "{}",
    j("NGROK_AUTHTOKEN=2", rnd(26), "_", rnd(21)),
    j("NGROK_AUTHTOKEN=2", rnd(6)),
)
case(
    "tailscale-key",
    "T={}",
    j("ts", "key-auth-", rnd(12), "-", rnd(30)),
    j("ts", "key-auth-", "<key>"),
)
case("pangea-token", "P={}", j("pt", "s_", lo(32)), j("pt", "s_", lo(12)))
case("nightfall-key", "N={}", j("N", "F-", rnd(32)), j("N", "F-", rnd(8)))

# --- business software -------------------------------------------------------------------------

case("hubspot-token", "H={}", j("pa", "t-na1-", uuid4()), j("pa", "t-na1-", "token"))
case("hubspot-api-key", "{}", j("HUBSPOT_API_KEY=", uuid4()), j("HUBSPOT_PORTAL_ID=", uuid4()))
case(
    "salesforce-token",
    "SF={}",
    j("00", "D", rnd(12), "!", rnd(4), ".", url(91)),
    j("00", "D", rnd(12), "!", "short"),
)
case("zendesk-token", "{}", j("ZENDESK_API_TOKEN=", rnd(40)), j("ZENDESK_SUBDOMAIN=", rnd(40)))
case("intercom-token", "{}", j("INTERCOM_TOKEN=", url(58), "=="), j("INTERCOM_APP_ID=", url(58)))
case("freshdesk-key", "{}", j("FRESHDESK_API_KEY=", rnd(20)), j("FRESHDESK_DOMAIN=", rnd(20)))
case("freshbooks-token", "{}", j("FRESHBOOKS_TOKEN=", lo(64)), j("FRESHBOOKS_ACCOUNT_ID=", lo(64)))
case("notion-token", "N={}", j("sec", "ret_", rnd(43)), j("sec", "ret_", "key_base"))
case("notion-token-v2", "N={}", j("nt", "n_", digits(11), rnd(35)), j("nt", "n_", rnd(10)))
case("airtable-pat", "A={}", j("pa", "t", rnd(14), ".", hx(64)), j("pa", "th.join(x)"))
case(
    "airtable-api-key",
    "{}",
    j("AIRTABLE_API_KEY=ke", "y", rnd(14)),
    j("AIRTABLE_BASE_ID=ke", "y", rnd(14)),
)
case("figma-token", "F={}", j("fig", "d_", url(40)), j("fig", "d_", url(10)))
case("shortcut-token", "{}", j("SHORTCUT_API_TOKEN=", uuid4()), j("SHORTCUT_PROJECT_ID=", uuid4()))
case(
    "clickup-token",
    "C={}",
    j("p", "k_", digits(8), "_", up(32)),
    j("p", "k_", digits(8), "_", up(8)),
)
case("todoist-token", "{}", j("TODOIST_TOKEN=", hx(40)), j("TODOIST_PROJECT_ID=", hx(40)))
case("jotform-key", "{}", j("JOTFORM_API_KEY=", hx(32)), j("JOTFORM_FORM_ID=", hx(32)))
case("calcom-key", "C={}", j("cal", "_live_", hx(32)), j("cal", "_live_", hx(10)))
case(
    "asana-token",
    "{}",
    j("ASANA_TOKEN=2/", digits(16), "/", digits(16), ":", hx(32)),
    j("ASANA_TOKEN=2/", digits(16), "/", digits(16), ":", hx(12)),
)
case(
    "asana-client-secret", "{}", j("ASANA_CLIENT_SECRET=", rnd(32)), j("ASANA_CLIENT_ID=", rnd(32))
)
case("lokalise-token", "{}", j("LOKALISE_TOKEN=", hx(40)), j("LOKALISE_PROJECT_ID=", hx(40)))
case("crowdin-token", "{}", j("CROWDIN_TOKEN=", hx(80)), j("CROWDIN_TOKEN=", hx(40)))
case(
    "harness-pat",
    "H={}",
    j("pa", "t.", url(22), ".", hx(24), ".", rnd(20)),
    j("pa", "t.", url(22), ".", hx(24)),
)
case("contentful-pat", "C={}", j("CF", "PAT-", url(43)), j("CF", "PAT-", url(10)))
case(
    "contentful-delivery-token",
    "{}",
    j("CONTENTFUL_DELIVERY_TOKEN=", url(43)),
    j("CONTENTFUL_SPACE_ID=", url(43)),
)
case("algolia-key", "{}", j("ALGOLIA_ADMIN_KEY=", hx(32)), j("ALGOLIA_SEARCH_KEY=", hx(32)))
case("beamer-key", "{}", j("BEAMER_KEY=b", "_", url(44)), j("BEAMER_KEY=b", "_", url(10)))
case(
    "sanity-token",
    "{}",
    j("SANITY_TOKEN=s", "k", rnd(180)),
    j("SANITY_PROJECT_ID=s", "k", rnd(180)),
)
case("storyblok-token", "{}", j("STORYBLOK_TOKEN=", rnd(24)), j("STORYBLOK_SPACE_ID=", rnd(24)))
case("webflow-token", "{}", j("WEBFLOW_TOKEN=", hx(64)), j("WEBFLOW_SITE_ID=", hx(64)))
case("shopify-access-token", "S={}", j("shp", "at_", hx(32)), j("shp", "at_", hx(12)))
case("shopify-shared-secret", "S={}", j("shp", "ss_", hx(32)), j("shp", "ss_", hx(12)))
case("shopify-custom-app-token", "S={}", j("shp", "ca_", hx(32)), j("shp", "ca_", hx(12)))
case("shopify-private-app-token", "S={}", j("shp", "pa_", hx(32)), j("shp", "pa_", hx(12)))
case("etsy-key", "{}", j("ETSY_KEYSTRING=", lo(24)), j("ETSY_SHOP_ID=", lo(24)))
case(
    "uploadcare-secret",
    "{}",
    j("UPLOADCARE_SECRET_KEY=", hx(20)),
    j("UPLOADCARE_PUBLIC_KEY=", hx(20)),
)
case(
    "cloudinary-url",
    "CLOUDINARY_URL={}",
    j("cloud", "inary://", digits(15), ":", url(27), "@acme"),
    j("cloud", "inary://", "<api_key>:<api_secret>", "@acme"),
)
case(
    "zapier-webhook",
    "Z={}",
    j("https://hooks.", "zapier.com/hooks/catch/", digits(7), "/", lo(6), "/"),
    j("https://hooks.", "zapier.com/hooks/catch/"),
)
case("mux-secret", "{}", j("MUX_TOKEN_SECRET=", b64(75)), j("MUX_TOKEN_ID=", b64(75)))
case("getstream-secret", "{}", j("STREAM_API_SECRET=", lo(64)), j("STREAM_API_KEY=", lo(64)))
case("meilisearch-key", "{}", j("MEILI_MASTER_KEY=", url(32)), j("MEILI_HOST=", url(32)))
case("typesense-key", "{}", j("TYPESENSE_API_KEY=", rnd(32)), j("TYPESENSE_HOST=", rnd(32)))
case("segment-key", "{}", j("SEGMENT_WRITE_KEY=", rnd(32)), j("SEGMENT_WORKSPACE=", rnd(32)))
case(
    "mixpanel-secret",
    "{}",
    j("MIXPANEL_API_SECRET=", hx(32)),
    j("MIXPANEL_PROJECT_TOKEN_ID=", hx(32)),
)
case("amplitude-secret", "{}", j("AMPLITUDE_SECRET_KEY=", hx(32)), j("AMPLITUDE_API_KEY=", hx(32)))
case("finnhub-key", "{}", j("FINNHUB_TOKEN=", lo(20)), j("FINNHUB_TOKEN=", lo(8)))
case("flickr-key", "{}", j("FLICKR_KEY=", hx(32)), j("FLICKR_USER_ID=", hx(32)))
case("finicity-secret", "{}", j("FINICITY_SECRET=", rnd(20)), j("FINICITY_PARTNER_ID=", rnd(20)))
case("rapidapi-key", "{}", j("X-RapidAPI-Key: ", rnd(50)), j("X-RapidAPI-Host: ", rnd(50)))
case("shodan-key", "{}", j("SHODAN_KEY=", rnd(32)), j("SHODAN_KEY=", rnd(12)))
case("virustotal-key", "{}", j("VIRUSTOTAL_KEY=", hx(64)), j("VIRUSTOTAL_URL=", hx(64)))
case("ipinfo-token", "{}", j("IPINFO_TOKEN=", hx(14)), j("IPINFO_TOKEN=", hx(8)))
case("openweather-key", "{}", j("OPENWEATHER_KEY=", hx(32)), j("OPENWEATHER_CITY_ID=", hx(32)))
case("nytimes-key", "{}", j("NYTIMES_KEY=", url(32)), j("NYTIMES_SECTION=", url(32)))

# --- messaging and social ----------------------------------------------------------------------

case("twilio-api-key", "T={}", j("S", "K", hx(32)), j("S", "K", hx(12)))
case(
    "twilio-auth-token", "{}", j("TWILIO_AUTH_TOKEN=", hx(32)), j("TWILIO_ACCOUNT_SID_ID=", hx(32))
)
case(
    "sendgrid-key", "S={}", j("S", "G.", url(22), ".", url(43)), j("S", "G.", url(22), ".", url(10))
)
case("mailgun-key", "M={}", j("ke", "y-", hx(32)), j("ke", "y-", hx(12)))
case(
    "mailgun-signing-key",
    "{}",
    j("MAILGUN_SIGNING_KEY=", hx(32), "-", hx(8), "-", hx(8)),
    j("MAILGUN_DOMAIN_ID=", hx(32), "-", hx(8), "-", hx(8)),
)
case("mailchimp-key", "M={}", j(hx(32), "-u", "s6"), j(hx(12), "-u", "s6"))
case("mandrill-key", "{}", j("MANDRILL_KEY=m", "d-", url(22)), j("MANDRILL_KEY=m", "d-", url(8)))
case("postmark-token", "{}", j("POSTMARK_TOKEN=", uuid4()), j("POSTMARK_MESSAGE_ID=", uuid4()))
case("sparkpost-key", "{}", j("SPARKPOST_KEY=", hx(40)), j("SPARKPOST_KEY=", hx(10)))
case(
    "brevo-key",
    "B={}",
    j("xkey", "sib-", hx(64), "-", rnd(16)),
    j("xkey", "sib-", hx(10), "-", rnd(16)),
)
case(
    "brevo-smtp-key",
    "B={}",
    j("xsmtp", "sib-", hx(64), "-", rnd(16)),
    j("xsmtp", "sib-", hx(10), "-", rnd(16)),
)
case("mailersend-token", "M={}", j("ml", "sn.", hx(64)), j("ml", "sn.", hx(10)))
case("resend-key", "R={}", j("r", "e_", rnd(8), "_", rnd(24)), j("r", "e_", "compile_pattern"))
case("mailjet-secret", "{}", j("MAILJET_SECRET_KEY=", hx(32)), j("MAILJET_PUBLIC_KEY_ID=", hx(32)))
case("messagebird-key", "{}", j("MESSAGEBIRD_KEY=", rnd(25)), j("MESSAGEBIRD_KEY=", rnd(10)))
case("vonage-secret", "{}", j("VONAGE_API_SECRET=", rnd(16)), j("VONAGE_API_KEY=", rnd(16)))
case("plivo-token", "{}", j("PLIVO_AUTH_TOKEN=", rnd(40)), j("PLIVO_AUTH_ID=", rnd(40)))
case(
    "telegram-bot-token",
    "T={}",
    j(digits(10), ":A", "A", url(33)),
    j(digits(10), ":A", "A", url(10)),
)
_discord_id = base64.b64encode(digits(19).encode()).decode().rstrip("=")
case(
    "discord-bot-token",
    "{}",
    j("DISCORD_TOKEN=", _discord_id, ".", url(6), ".", url(38)),
    j("DISCORD_TOKEN=", _discord_id, ".", url(6)),
)
case(
    "discord-webhook",
    "D={}",
    j("https://discord", ".com/api/webhooks/", digits(19), "/", url(68)),
    j("https://discord", ".com/api/webhooks/", digits(19), "/", "<token>"),
)
case(
    "discord-client-secret",
    "{}",
    j("DISCORD_CLIENT_SECRET=", url(32)),
    j("DISCORD_CLIENT_ID=", url(32)),
)
case("pusher-secret", "{}", j("PUSHER_SECRET=", hx(20)), j("PUSHER_APP_ID=", hx(20)))
case(
    "ably-key",
    "{}",
    j("ABLY_KEY=", url(6), ".", url(6), ":", url(43)),
    j("PROBABLY_KEY=", url(6), ".", url(6), ":", url(43)),
)
case("sendbird-token", "{}", j("SENDBIRD_TOKEN=", hx(40)), j("SENDBIRD_APP_ID=", hx(40)))
case("zoom-secret", "{}", j("ZOOM_SECRET=", rnd(32)), j("ZOOM_ACCOUNT_ID=", rnd(32)))
case("twitch-token", "{}", j("TWITCH_TOKEN=oauth:", lo(30)), j("TWITCH_TOKEN=oauth:", lo(10)))
case(
    "twitter-bearer-token",
    "T={}",
    j("A" * 22, rnd(27), "%2F", rnd(15), "%3D", rnd(50)),
    j("A" * 22, rnd(20)),
)
case(
    "twitter-api-key",
    "{}",
    j("TWITTER_CONSUMER_KEY=", rnd(25)),
    j("TWITTER_CONSUMER_KEY=", rnd(12)),
)
case(
    "twitter-api-secret",
    "{}",
    j("TWITTER_CONSUMER_SECRET=", rnd(50)),
    j("TWITTER_CONSUMER_SECRET=", rnd(20)),
)
case(
    "twitter-access-token",
    "{}",
    j("TWITTER_ACCESS_TOKEN=", digits(19), "-", rnd(40)),
    j("TWITTER_ACCESS_TOKEN=", digits(19), "-", rnd(10)),
)
case(
    "twitter-access-secret",
    "{}",
    j("TWITTER_ACCESS_SECRET=", rnd(45)),
    j("TWITTER_ACCESS_SECRET=", rnd(15)),
)
case("facebook-access-token", "F={}", j("EA", "AG", rnd(180)), j("EA", "AG", rnd(30)))
case("facebook-app-secret", "{}", j("FACEBOOK_APP_SECRET=", hx(32)), j("FACEBOOK_APP_ID=", hx(32)))
case("instagram-token", "I={}", j("IG", "QVJ", url(150)), j("IG", "QVJ", url(20)))
case(
    "linkedin-secret",
    "{}",
    j("LINKEDIN_CLIENT_SECRET=", rnd(16)),
    j("LINKEDIN_CLIENT_ID=", rnd(16)),
)
case("pinterest-token", "P={}", j("pi", "na_", rnd(96)), j("pi", "na_", rnd(20)))
case("reddit-secret", "{}", j("REDDIT_SECRET=", url(30)), j("REDDIT_USER_AGENT=", url(30)))
case("spotify-secret", "{}", j("SPOTIFY_CLIENT_SECRET=", hx(32)), j("SPOTIFY_CLIENT_ID=", hx(32)))
case("dropbox-token", "D={}", j("s", "l.", url(140)), j("s", "l.", url(20)))
case(
    "dropbox-long-lived-token",
    "D={}",
    j(rnd(11), "A" * 10, url(43)),
    j(rnd(11), "A" * 10, url(12)),
)
case("dropbox-app-secret", "{}", j("DROPBOX_APP_SECRET=", lo(15)), j("DROPBOX_APP_KEY_ID=", lo(15)))
_mapbox = b64json({"u": "acme", "a": lo(20)}, urlsafe=True)
case(
    "mapbox-secret-token",
    "M={}",
    j("s", "k.", _mapbox, ".", url(22)),
    j("s", "k.", _mapbox, ".", url(5)),
)
case(
    "mapbox-public-token",
    "M={}",
    j("p", "k.", _mapbox, ".", url(22)),
    j("p", "k.", _mapbox, ".", url(5)),
)

# --- AI --------------------------------------------------------------------------------------------

case(
    "huggingface-token",
    "H={}",
    j("h", "f_", rnd(34, string.ascii_letters)),
    j("h", "f_", "hub_download"),
)
case(
    "huggingface-org-token",
    "H={}",
    j("api", "_org_", rnd(34, string.ascii_letters)),
    j("api", "_org_", "name"),
)
case("groq-key", "G={}", j("gs", "k_", rnd(52)), j("gs", "k_", rnd(20)))
case("replicate-token", "R={}", j("r", "8_", rnd(37)), j("r", "8_", rnd(10)))
case("perplexity-key", "P={}", j("pp", "lx-", rnd(48)), j("pp", "lx-", rnd(10)))
case("xai-key", "X={}", j("xa", "i-", rnd(80)), j("xa", "i-", rnd(20)))
case("openrouter-key", "O={}", j("sk-or", "-v1-", hx(64)), j("sk-or", "-v1-", hx(20)))
case("langsmith-key", "L={}", j("lsv2", "_pt_", hx(32), "_", hx(10)), j("lsv2", "_pt_", hx(10)))
case(
    "pinecone-key",
    "P={}",
    j("pc", "sk_", rnd(5), "_", rnd(63)),
    j("pc", "sk_", rnd(5), "_", rnd(9)),
)
case("tavily-key", "T={}", j("tv", "ly-", rnd(32)), j("tv", "ly-", rnd(10)))
case("cohere-key", "{}", j("COHERE_API_KEY=", rnd(40)), j("COHERE_API_KEY=", rnd(12)))
case("mistral-key", "{}", j("MISTRAL_API_KEY=", rnd(32)), j("MISTRAL_MODEL_ID=", rnd(32)))
case("together-key", "{}", j("TOGETHER_API_KEY=", hx(64)), j("TOGETHER_MODEL_ID=", hx(64)))
case(
    "deepseek-key", "{}", j("DEEPSEEK_API_KEY=s", "k-", hx(32)), j("OTHER_API_KEY=s", "k-", hx(32))
)
case("fireworks-key", "F={}", j("f", "w_", rnd(24)), j("f", "w_", "version"))
case("elevenlabs-key", "E={}", j("s", "k_", hx(48)), j("s", "k_", hx(20)))
case("deepgram-key", "{}", j("DEEPGRAM_API_KEY=", hx(40)), j("DEEPGRAM_PROJECT_ID=", hx(40)))
case("assemblyai-key", "{}", j("ASSEMBLYAI_API_KEY=", hx(32)), j("ASSEMBLYAI_API_KEY=", hx(12)))
case(
    "stability-key",
    "{}",
    j("STABILITY_API_KEY=s", "k-", rnd(48)),
    j("STABILITY_API_KEY=s", "k-", rnd(12)),
)
case("wandb-key", "{}", j("WANDB_API_KEY=", hx(40)), j("WANDB_RUN_ID=", hx(40)))
case("cerebras-key", "C={}", j("cs", "k-", lo(48)), j("cs", "k-", lo(12)))
case("voyage-key", "V={}", j("p", "a-", url(43)), j("p", "a-", url(10)))
case("runpod-key", "R={}", j("rp", "a_", up(40)), j("rp", "a_", up(12)))

# --- identity, secrets managers, keys, frameworks ------------------------------------------------


def bech32(hrp: str, data: bytes) -> str:
    """BIP-173 bech32 (as age encodes its keys)."""
    acc, bits, words = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            words.append((acc >> bits) & 31)
    if bits:
        words.append((acc << (5 - bits)) & 31)
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + words + [0] * 6
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    polymod = check ^ 1
    tail = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[w] for w in words + tail)


def jwt(claims: dict[str, object]) -> str:
    header = b64json({"alg": "HS256", "typ": "JWT"}, urlsafe=True)
    return f"{header}.{b64json(claims, urlsafe=True)}.{url(43)}"


AGE = bech32(j("age-secret", "-key-"), R.randbytes(32)).upper()
case("okta-token", "{}", j("OKTA_API_TOKEN=0", "0", url(40)), j("OKTA_CLIENT_ID=0", "0", url(40)))
case(
    "auth0-client-secret", "{}", j("AUTH0_CLIENT_SECRET=", url(64)), j("AUTH0_CLIENT_ID=", url(64))
)
case(
    "authress-key",
    "A={}",
    j("sc", "_", lo(20), ".", lo(4), ".ac", "c_", lo(20), ".", url(60)),
    j("sc", "_", lo(20), ".", lo(4), ".ac", "c_", lo(20), ".", url(10)),
)
case(
    "jwt",
    "Authorization: Bearer {}",
    jwt({"sub": digits(8), "exp": 1900000000}),
    j("eyJ", url(20), ".eyJ", url(20), ".", url(20)),  # not base64 of JSON
)
case("doppler-token", "D={}", j("dp", ".pt.", rnd(43)), j("dp", ".pt.", rnd(12)))
case(
    "doppler-service-token",
    "D={}",
    j("dp", ".st.", "prd.", rnd(40)),
    j("dp", ".st.", "prd.", rnd(10)),
)
case("doppler-cli-token", "D={}", j("dp", ".ct.", rnd(43)), j("dp", ".ct.", rnd(10)))
case("doppler-service-account-token", "D={}", j("dp", ".sa.", rnd(43)), j("dp", ".sa.", rnd(10)))
case("doppler-scim-token", "D={}", j("dp", ".scim.", rnd(43)), j("dp", ".scim.", rnd(10)))
case("doppler-audit-token", "D={}", j("dp", ".audit.", rnd(43)), j("dp", ".audit.", rnd(10)))
case(
    "1password-service-account-token",
    "OP={}",
    j("op", "s_", b64json({"signInAddress": "my.1password.com", "srpX": hx(64), "k": url(43)})),
    j("op", "s_", "eyJ", rnd(8)),
)
case(
    "1password-secret-key",
    "key: {}",
    j("A", "3-", up(6), "-", up(6), "-", up(5), "-", up(5), "-", up(5), "-", up(5)),
    j("A", "3-", up(6), "-", up(5)),
)
case(
    "bitwarden-access-token",
    "{}",
    j("BWS_ACCESS_TOKEN=0.", uuid4(), ".", rnd(30), ":", b64(22), "=="),
    j("ACCESS_TOKEN=0.", uuid4(), ".", rnd(30), ":", b64(22), "=="),
)
case(
    "infisical-token",
    "I={}",
    j("s", "t.", uuid4(), ".", hx(32), ".", hx(32)),
    j("tes", "t.", "method()"),
)
case("age-secret-key", "{}", AGE, j("AGE-SECRET", "-KEY-1", AGE[-20:]))
case(
    "django-secret-key",
    "SECRET_KEY = '{}'",
    j("django-insecure-", rnd(50, string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)")),
    j("django-insecure-", "x" * 50),
)
case("rails-secret-key-base", "{}", j("secret_key_base: ", hx(128)), j("secret_key_base: ", hx(64)))
case(
    "htpasswd",
    "{}",
    j("admin:", "$ap", "r1$", rnd(8), "$", rnd(22, B62 + "./")),
    j("admin:", "$ap", "r1$", rnd(8), "$", "short"),
)

# --- the generic family --------------------------------------------------------------------------

case(
    "url-credentials",
    "REMOTE={}",
    j("https://deploy:", rnd(20), "@git.acme.org/app.git"),
    j("https://user:", "password", "@git.acme.org/app.git"),
)
case(
    "kubernetes-secret",
    "  password: {}",
    base64.b64encode(rnd(24).encode()).decode(),
    base64.b64encode(b"hello there world").decode(),
)


# --- the tests -------------------------------------------------------------------------------------


def rules(line: str) -> list[str]:
    return [match.rule for match in find(line)]


@pytest.mark.parametrize(("kind", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_true_positive(kind: str, good: str, bad: str) -> None:
    assert f"secrets.{kind}" in rules(good)


@pytest.mark.parametrize(("kind", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_false_positive(kind: str, good: str, bad: str) -> None:
    assert bad != good
    assert f"secrets.{kind}" not in rules(bad)


def test_every_kind_has_a_true_and_a_false_positive() -> None:
    kinds = [kind for kind, _, _ in CASES]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) == {fmt.kind for fmt in FORMATS}


def test_formats_are_well_formed() -> None:
    from git_agent_plugins.secrets import RULE_IDS

    ids = [fmt.id for fmt in FORMATS]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(RULE_IDS)  # the plugin's own rules keep their ids
    for fmt in FORMATS:
        assert re.fullmatch(r"secrets\.[a-z0-9]+(?:-[a-z0-9]+)*", fmt.id), fmt.id
        assert fmt.family in ("named", "generic")
        assert fmt.confidence in ("high", "medium")
        assert fmt.label and fmt.keywords
        assert all(k == k.lower() and k for k in (*fmt.keywords, *fmt.gate_words))
    assert [f.rank for f in FORMATS] == sorted(f.rank for f in FORMATS)


def test_the_module_imports_neither_the_supervisor_nor_the_plugin_nor_compiles_up_front() -> None:
    code = (
        "import sys, git_agent_plugins.secret_formats as f;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'supervisor'"
        " or m == 'git_agent_plugins.secrets' or m.startswith('detect_secrets')];"
        "assert not bad, bad;"
        "assert all(c is None for c in f.CATALOGUE._compiled)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_regexes_are_compiled_on_first_use_of_their_format() -> None:
    catalogue = secret_formats._matcher.Catalogue(FORMATS)
    assert list(catalogue.find("nothing to see here")) == []
    assert all(c is None for c in catalogue._compiled)
    token = j("glp", "at-", url(20))
    assert [m.rule for m in catalogue.find(f"t = {token}")] == ["secrets.gitlab-pat"]
    compiled = {catalogue.formats[i].id for i, c in enumerate(catalogue._compiled) if c}
    assert "secrets.gitlab-pat" in compiled
    assert len(compiled) < 10


def test_may_contain_is_the_prefilter_of_a_block() -> None:
    assert not may_contain("def main():\n    return 0\n")
    assert may_contain("x = 1\nurl = 'https://example.org'\n")
    for _, good, _ in CASES:
        assert may_contain(good.lower())


def test_the_most_specific_format_wins_a_span() -> None:
    line = j("PAYSTACK_SECRET_KEY=sk", "_live_", hx(40))
    assert rules(line) == ["secrets.paystack-secret-key"]
    assert rules(j("STRIPE_KEY=sk", "_live_", hx(40))) == ["secrets.stripe-secret-key"]


def test_matches_do_not_overlap_and_come_in_order() -> None:
    first, second = j("glp", "at-", url(20)), j("np", "m_", rnd(36))
    found = list(find(f"a={second} b={first} c={second}"))
    assert [m.rule for m in found] == [
        "secrets.npm-token",
        "secrets.gitlab-pat",
        "secrets.npm-token",
    ]
    assert all(a.end <= b.start for a, b in pairwise(found))
    line = f"a={first}"
    (match,) = find(line)
    assert line[match.start : match.end] == match.secret == first


def test_find_lines_is_find_over_each_line() -> None:
    block = [good for _, good, _ in CASES] + [bad for _, _, bad in CASES] + ["", "x", "İstanbul"]
    R.shuffle(block)
    expected = [(i, m) for i, line in enumerate(block) for m in find(line)]
    assert list(find_lines(block)) == expected
    assert list(find_lines([])) == []
    assert list(find_lines(["a\nb", CASES[0][1]])) == [(1, m) for m in find(CASES[0][1])]


def test_a_checksum_raises_confidence_and_never_hides_a_match() -> None:
    body = rnd(30)
    good = j("np", "m_", body, base62(zlib.crc32(body.encode()), 6))
    bad = j("np", "m_", body, "000000" if not good.endswith("000000") else "111111")
    assert crc32_base62_tail(4)(good) and not crc32_base62_tail(4)(bad)
    assert [(m.rule, m.confidence) for m in find(f"t={good}")] == [("secrets.npm-token", "high")]
    assert [(m.rule, m.confidence) for m in find(f"t={bad}")] == [("secrets.npm-token", "medium")]
    assert bech32_valid(AGE)
    broken = AGE[:-1] + ("Q" if AGE[-1] != "Q" else "P")
    assert [(m.rule, m.confidence) for m in find(broken)] == [("secrets.age-secret-key", "medium")]


def test_keyword_context_formats_are_medium_and_named() -> None:
    (match,) = find(j("TWILIO_AUTH_TOKEN=", hx(32)))
    assert isinstance(match, Match)
    assert (match.rule, match.confidence) == ("secrets.twilio-auth-token", "medium")
    families = {fmt.id: fmt.family for fmt in FORMATS}
    assert families[match.rule] == "named"
    assert {i for i, f in families.items() if f == "generic"} == {
        "secrets.url-credentials",
        "secrets.kubernetes-secret",
    }


def test_anchored_gate_agrees_with_a_plain_search() -> None:
    words = ["glpat-", "sk_live_", "twilio", "key", "pat", "aaaa", "st.", "1//0", "$apr1$"]
    rare = anchors(words)
    assert all(any(c in w for c in rare) for w in words)
    anchored, plain = anchored_regex(words), trie_regex(words)
    texts = [*words, "path", "a pat.", "xglpat-y", "s", "st", "1//", "aaa", "", "monkey"]
    texts += [rnd(40, "abcdefgkpstwy_.-/$1") for _ in range(300)]
    for text in texts:
        assert bool(anchored.search(text)) == bool(plain.search(text)), text


def test_every_kind_has_a_line_in_the_rule_reference() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "rules.md").read_text()
    listed = re.findall(r"^\| `(secrets\.[a-z0-9-]+)` \|.*\| (?:named|generic) \|$", text, re.M)
    assert sorted(listed) == sorted(fmt.id for fmt in FORMATS)


def test_a_long_line_is_searched_around_its_keywords() -> None:
    near, far = j("glp", "at-", url(20)), j("np", "m_", rnd(36))
    filler = ",".join(rnd(12, string.ascii_lowercase) for _ in range(1500))  # ~20 KB, no keyword
    line = f"x={near};{filler};{filler};y={far};z=" + j("TWILIO_AUTH_TOKEN=", hx(32))
    assert len(line) > secret_formats._matcher.LONG_LINE
    found = [(m.rule, line[m.start : m.end]) for m in find(line)]
    assert found[:2] == [("secrets.gitlab-pat", near), ("secrets.npm-token", far)]
    assert found[2][0] == "secrets.twilio-auth-token"
    assert list(find("A" * 50_000)) == []
