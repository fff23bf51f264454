"""One sample token of each documented format, for measuring the recall of the secrets rules.

Issue 12 ("Secrets at the level of the dedicated scanners") measures recall over one sample of
each token format that the providers document. This set is fixed **before** the catalogue of
formats (plugins/secret_formats.py) is written, from the providers' published formats (token
prefixes, lengths, alphabets, the names the providers' own docs and SDKs give the variables),
and independently of the catalogue's own test examples: recall measured on what a rule was
tuned to is circular.

Every token is generated at run time from a seeded random generator, so that no file of the
repository holds a literal token a scanner would flag; the same seed gives the same set on
every run. Each sample sits in a realistic line (a shell export, a YAML key, a JSON field, a
connection string, a header), as a user would paste it. Multi-line formats (a PEM private key,
a service-account JSON) are given as several lines.

`SAMPLES` lists them; `Sample.kind` is the rule id a finding is expected under (the kinds the
existing rules in plugins/secrets.py cover carry their ids). Run this file to print them, with
each token redacted (`--show` prints the lines in full, for a throw-away check).
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
import uuid
import zlib
from dataclasses import dataclass

SEED = 20261122
R = random.Random(SEED)

DIGITS = string.digits
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
B62 = UPPER + LOWER + DIGITS
B64 = B62 + "+/"
B64URL = B62 + "-_"
HEX = "0123456789abcdef"
BASE32 = UPPER + "234567"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def pick(n: int, alphabet: str) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def an(n: int) -> str:
    """Letters and digits."""
    return pick(n, B62)


def hx(n: int) -> str:
    """Lower-case hex."""
    return pick(n, HEX)


def HX(n: int) -> str:
    return pick(n, HEX.upper())


def up(n: int) -> str:
    """Upper-case letters and digits."""
    return pick(n, UPPER + DIGITS)


def lo(n: int) -> str:
    """Lower-case letters and digits."""
    return pick(n, LOWER + DIGITS)


def b64(n: int) -> str:
    return pick(n, B64)


def url(n: int) -> str:
    """base64url characters."""
    return pick(n, B64URL)


def letters(n: int) -> str:
    return pick(n, UPPER + LOWER)


def num(n: int) -> str:
    return R.choice("123456789") + pick(n - 1, DIGITS)


def uid() -> str:
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def b64e(data: bytes, urlsafe: bool = False, pad: bool = True) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    return text if pad else text.rstrip("=")


def base62(number: int, width: int) -> str:
    alphabet = DIGITS + UPPER + LOWER
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = alphabet[digit] + out
    return out.rjust(width, "0")


def base36(number: int, width: int) -> str:
    alphabet = DIGITS + LOWER
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = alphabet[digit] + out
    return out.rjust(width, "0")


def crc_token(prefix: str, random_part: str) -> str:
    """GitHub's token scheme, which npm adopted: 30 random base62 characters, then the CRC32 of
    those characters in base62, zero-padded to 6."""
    return prefix + random_part + base62(zlib.crc32(random_part.encode()), 6)


def bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def bech32(hrp: str, data: bytes) -> str:
    """BIP-173 bech32 of `data` (as age encodes its keys)."""
    acc, bits, words = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            words.append((acc >> bits) & 31)
    if bits:
        words.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = bech32_polymod([*expanded, *words, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[w] for w in words + checksum)


def jwt(claims: dict[str, object], alg: str = "HS256") -> str:
    header = b64e(json.dumps({"alg": alg, "typ": "JWT"}).encode(), urlsafe=True, pad=False)
    payload = b64e(json.dumps(claims).encode(), urlsafe=True, pad=False)
    return f"{header}.{payload}.{url(43)}"


@dataclass(frozen=True)
class Sample:
    kind: str  # the rule id a finding is expected under
    provider: str
    text: str  # one line, or several
    secret: str  # the token, as it appears in `text`


SAMPLES: list[Sample] = []


def add(kind: str, provider: str, template: str, token: str) -> None:
    """One sample: `template` with `{}` where the token goes."""
    SAMPLES.append(Sample(f"secrets.{kind}", provider, template.format(token), token))


# --- the kinds plugins/secrets.py already covers (so the recall is of the whole) -------------

# AWS: access key ids are AKIA (long-term) or ASIA (session) and 16 upper-case base32 characters;
# secret access keys 40 base64 characters.
add("aws-access-key", "AWS", "aws_access_key_id = {}", "AKIA" + pick(16, BASE32))
add("aws-secret-key", "AWS", "aws_secret_access_key = {}", b64(40))
# GitHub: ghp_ (classic PAT), gho_, ghu_, ghs_, ghr_ + 30 base62 + 6 base62 CRC32.
add("github-token", "GitHub", "export GITHUB_TOKEN={}", crc_token("ghp_", an(30)))
# GitHub fine-grained PAT: github_pat_ + 22 base62 + _ + 59 base62.
add("github-fine-grained-token", "GitHub", "GH_PAT: {}", f"github_pat_{an(22)}_{an(59)}")
# Anthropic: sk-ant-api03- + 93 base64url + AA.
add("anthropic-key", "Anthropic", "ANTHROPIC_API_KEY={}", f"sk-ant-api03-{url(93)}AA")
# OpenAI project keys: sk-proj- + 74 + T3BlbkFJ + 74 base64url characters.
add("openai-key", "OpenAI", 'OPENAI_API_KEY="{}"', f"sk-proj-{url(74)}T3BlbkFJ{url(74)}")
# Slack bot token: xoxb-<team number>-<bot number>-<24 letters and digits>.
add("slack-token", "Slack", "SLACK_BOT_TOKEN={}", f"xoxb-{num(12)}-{num(13)}-{an(24)}")
# Slack incoming webhook: hooks.slack.com/services/T<id>/B<id>/<24 characters>.
add(
    "slack-webhook",
    "Slack",
    'webhook_url: "{}"',
    f"https://hooks.slack.com/services/T{up(10)}/B{up(10)}/{an(24)}",
)
_PEM = [b64(64) for _ in range(20)] + [b64(40) + "=="]
_BEGIN, _END = "-----BEGIN RSA " + "PRIVATE KEY-----", "-----END RSA " + "PRIVATE KEY-----"
SAMPLES.append(
    Sample(
        "secrets.private-key",
        "PEM (RFC 7468)",
        "\n".join([_BEGIN, *_PEM, _END]),
        "".join(_PEM),
    )
)
_GCP_KEY = "\\n".join(["-----BEGIN " + "PRIVATE KEY-----", *_PEM, "-----END " + "PRIVATE KEY-----"])
SAMPLES.append(
    Sample(
        "secrets.gcp-service-account",
        "Google Cloud",
        "\n".join(
            [
                "{",
                '  "type": "service_account",',
                '  "project_id": "billing-prod",',
                f'  "private_key_id": "{hx(40)}",',
                f'  "private_key": "{_GCP_KEY}\\n",',
                '  "client_email": "ci@billing-prod.iam.gserviceaccount.com"',
                "}",
            ]
        ),
        _GCP_KEY,
    )
)

# --- GitLab (docs.gitlab.com, "Token prefixes") ------------------------------------------------

# Personal, project and group access tokens: glpat- + 20 base64url characters.
add("gitlab-pat", "GitLab", "export GITLAB_TOKEN={}", "glpat-" + url(20))
# Routable tokens (GitLab 17.x+): glpat- + base64url payload (27+) + . + 2-char version +
# 7-char base36 CRC32.
_payload = url(31)
_routable = f"glpat-{_payload}.01"
add(
    "gitlab-pat-routable",
    "GitLab",
    "GITLAB_PRIVATE_TOKEN: {}",
    _routable + base36(zlib.crc32(_routable.encode()), 7),
)
# Deploy token: gldt- + 20.
add("gitlab-deploy-token", "GitLab", "CI_DEPLOY_PASSWORD={}", "gldt-" + url(20))
# Runner authentication token: glrt- + 20 (routable ones: glrt-t<n>_...).
add("gitlab-runner-token", "GitLab", 'token = "{}"', "glrt-" + url(20))
# Legacy runner registration token: GR1348941 + 20.
add("gitlab-runner-registration-token", "GitLab", "--registration-token {}", "GR1348941" + url(20))
# CI/CD job token: glcbt- + up to 5 characters of partition + _ + 20.
add("gitlab-cicd-job-token", "GitLab", "JOB_TOKEN={}", f"glcbt-{an(2)}_{url(20)}")
# Pipeline trigger token: glptt- + 40 hex.
add("gitlab-trigger-token", "GitLab", "curl -F token={} -F ref=main", "glptt-" + hx(40))
# Feed token: glft- + 20.
add(
    "gitlab-feed-token",
    "GitLab",
    "feed_url: https://gitlab.com/dashboard.atom?feed_token={}",
    "glft-" + url(20),
)
# Incoming mail token: glimt- + 25.
add("gitlab-incoming-mail-token", "GitLab", "incoming_email_token: {}", "glimt-" + url(25))
# Agent for Kubernetes token: glagent- + 50.
add("gitlab-agent-token", "GitLab", "  token: {}", "glagent-" + url(50))
# OAuth application secret: gloas- + 64.
add("gitlab-oauth-secret", "GitLab", "GITLAB_APP_SECRET={}", "gloas-" + url(64))
# SCIM token: glsoat- + 20.
add("gitlab-scim-token", "GitLab", "scim_token: {}", "glsoat-" + url(20))
# Feature flags client token: glffct- + 20.
add("gitlab-feature-flag-token", "GitLab", "UNLEASH_INSTANCE_ID={}", "glffct-" + url(20))
# Session cookie: _gitlab_session= + 32 hex.
add("gitlab-session-cookie", "GitLab", "Cookie: _gitlab_session={}", hx(32))

# --- package registries ------------------------------------------------------------------------

# npm access token: npm_ + 30 base62 + 6 base62 CRC32 (the GitHub scheme).
add("npm-token", "npm", "//registry.npmjs.org/:_authToken={}", crc_token("npm_", an(30)))
# PyPI API token: pypi- + base64url of a macaroon whose location is pypi.org
# (so it starts "AgEIcHlwaS5vcmc").
_macaroon = (
    b"\x02\x01\x08pypi.org\x02\x01\x25"
    + hx(37).encode()
    + b"\x00\x02\x01"
    + b'{"version": 1, "permissions": "user"}'
    + b"\x00\x00\x06\x20"
    + R.randbytes(32)
)
add("pypi-token", "PyPI", "password = {}", "pypi-" + b64e(_macaroon, urlsafe=True, pad=False))
# RubyGems API key: rubygems_ + 48 hex.
add("rubygems-key", "RubyGems", ":rubygems_api_key: {}", "rubygems_" + hx(48))
# Clojars deploy token: CLOJARS_ + 60 lower-case letters and digits.
add("clojars-token", "Clojars", "CLOJARS_PASSWORD={}", "CLOJARS_" + lo(60))
# NuGet API key: oy2 + 43 lower-case letters and digits.
add("nuget-key", "NuGet", "dotnet nuget push pkg.nupkg --api-key {}", "oy2" + lo(43))
# Docker Hub personal access token: dckr_pat_ + 27 base64url.
add(
    "docker-hub-token",
    "Docker",
    "echo {} | docker login -u ci --password-stdin",
    "dckr_pat_" + url(27),
)
# Docker Hub organization access token: dckr_oat_ + 32.
add("docker-hub-org-token", "Docker", "DOCKERHUB_TOKEN={}", "dckr_oat_" + url(32))
# Docker config.json: "auth" is base64 of user:password.
add(
    "docker-config-auth",
    "Docker",
    '    "ghcr.io": {{"auth": "{}"}}',
    b64e(f"deploy-bot:{an(24)}".encode()),
)
# JFrog Artifactory API key: AKCp + 69 base62 characters.
add("artifactory-api-key", "JFrog", "ARTIFACTORY_API_KEY={}", "AKCp" + an(69))
# JFrog reference token: cmVmdGtu (base64 of "reftkn") + 56 characters.
add(
    "artifactory-reference-token",
    "JFrog",
    'JFROG_ACCESS_TOKEN="{}"',
    "cmVmdGtu" + b64e(b":01:" + R.randbytes(39))[:56],
)

# --- payments ----------------------------------------------------------------------------------

# Stripe secret key: sk_live_ + 24 to 99 base62.
add("stripe-secret-key", "Stripe", "STRIPE_SECRET_KEY={}", "sk_live_" + an(99))
# Stripe restricted key: rk_live_ + 24 to 99 base62.
add("stripe-restricted-key", "Stripe", "stripe.api_key = '{}'", "rk_live_" + an(99))
# Stripe webhook signing secret: whsec_ + 32 base62.
add("stripe-webhook-secret", "Stripe", "STRIPE_WEBHOOK_SECRET={}", "whsec_" + an(32))
# Square production access token: EAAA + 60 base64url characters.
add("square-access-token", "Square", "SQUARE_ACCESS_TOKEN={}", "EAAA" + url(60))
# Square OAuth application secret: sq0csp- + 43.
add("square-oauth-secret", "Square", "square_application_secret: {}", "sq0csp-" + url(43))
# Square legacy personal access token: sq0atp- + 22.
add("square-legacy-token", "Square", "SQUARE_TOKEN={}", "sq0atp-" + url(22))
# PayPal / Braintree access token: access_token$production$ + 16 + $ + 32 hex.
add(
    "braintree-access-token",
    "PayPal Braintree",
    "BRAINTREE_ACCESS_TOKEN={}",
    f"access_token$production${lo(16)}${hx(32)}",
)
# Flutterwave secret key: FLWSECK- + 32 hex + -X.
add("flutterwave-secret-key", "Flutterwave", "FLW_SECRET_KEY={}", f"FLWSECK-{hx(32)}-X")
# Flutterwave encryption key: FLWSECK_TEST + 12 hex.
add("flutterwave-encryption-key", "Flutterwave", "FLW_ENCRYPTION_KEY={}", "FLWSECK_TEST" + hx(12))
# Shippo API token: shippo_live_ + 40 hex.
add("shippo-token", "Shippo", "SHIPPO_API_KEY={}", "shippo_live_" + hx(40))
# GoCardless access token: live_ + 40 base64url characters.
add("gocardless-token", "GoCardless", "GOCARDLESS_ACCESS_TOKEN={}", "live_" + url(40))
# Razorpay key secret (24 letters and digits), next to its rzp_live_ key id.
add("razorpay-secret", "Razorpay", "RAZORPAY_KEY_SECRET={}", an(24))
# Paystack secret key: sk_live_ + 40 hex.
add("paystack-secret-key", "Paystack", "PAYSTACK_SECRET_KEY={}", "sk_live_" + hx(40))
# Adyen API key: AQE + 1-3 characters + hmfx + a long base64-like key with =- separators.
add("adyen-key", "Adyen", "ADYEN_API_KEY={}", f"AQE{an(2)}hmfxL{an(36)}=-{b64(43)}=-{an(12)}")
# Coinbase: API secret (keyword context) of 64 characters.
add("coinbase-secret", "Coinbase", "COINBASE_API_SECRET={}", an(64))
# Kraken private key: 80 to 90 base64 characters.
add("kraken-key", "Kraken", "KRAKEN_PRIVATE_KEY={}", b64(86) + "==")
# KuCoin API secret: a UUID.
add("kucoin-secret", "KuCoin", "KUCOIN_API_SECRET={}", uid())
# Plaid access token: access-<environment>-<UUID>.
add("plaid-access-token", "Plaid", "PLAID_ACCESS_TOKEN={}", f"access-production-{uid()}")
# Plaid secret: 30 hex with keyword context.
add("plaid-secret", "Plaid", "PLAID_SECRET={}", hx(30))
# Lemon Squeezy, Paddle: Paddle API key pdl_live_apikey_ + 26 + _ + 22 + _ + 3.
add("paddle-key", "Paddle", "PADDLE_API_KEY={}", f"pdl_live_apikey_{lo(26)}_{an(22)}_{an(3)}")
# Duffel API token: duffel_live_ + 43 base64url.
add("duffel-token", "Duffel", "DUFFEL_ACCESS_TOKEN={}", "duffel_live_" + url(43))
# EasyPost API key: EZAK + 54 base62.
add("easypost-key", "EasyPost", "EASYPOST_API_KEY={}", "EZAK" + an(54))
# Lob live API key: live_ + 35 hex.
add("lob-key", "Lob", "LOB_API_KEY={}", "live_" + hx(35))
# Chargebee: live_ + 32 base62 after the site name, with keyword context.
add("chargebee-key", "Chargebee", "CHARGEBEE_API_KEY={}", "live_" + an(32))
# WooCommerce consumer secret: cs_ + 40 hex.
add("woocommerce-secret", "WooCommerce", "WOOCOMMERCE_CONSUMER_SECRET={}", "cs_" + hx(40))
# Mollie live API key: live_ + 30 base62.
add("mollie-key", "Mollie", "MOLLIE_API_KEY={}", "live_" + an(30))

# --- cloud providers and hosting ---------------------------------------------------------------

# DigitalOcean personal access token: dop_v1_ + 64 hex; OAuth token doo_v1_; refresh dor_v1_.
add("digitalocean-pat", "DigitalOcean", "DIGITALOCEAN_TOKEN={}", "dop_v1_" + hx(64))
add("digitalocean-oauth-token", "DigitalOcean", "do_token: {}", "doo_v1_" + hx(64))
add("digitalocean-refresh-token", "DigitalOcean", '"refresh_token": "{}"', "dor_v1_" + hx(64))
# Databricks PAT: dapi + 32 hex (optionally -<digit>).
add("databricks-token", "Databricks", "DATABRICKS_TOKEN={}", "dapi" + hx(32) + "-2")
# Terraform Cloud / HCP Terraform API token: 14 + .atlasv1. + 67 characters.
add(
    "terraform-cloud-token",
    "HashiCorp",
    'credentials "app.terraform.io" {{ token = "{}" }}',
    f"{an(14)}.atlasv1.{an(67)}",
)
# Vault service token (1.10+): hvs. + at least 90 base64url characters; batch token hvb.
add("vault-service-token", "HashiCorp", "VAULT_TOKEN={}", "hvs.CAESI" + url(86))
add("vault-batch-token", "HashiCorp", "VAULT_TOKEN={}", "hvb.AAAAAQ" + url(140))
# HCP service principal client secret: 64 base62 with keyword context.
add("hcp-client-secret", "HashiCorp", "HCP_CLIENT_SECRET={}", an(64))
# Heroku platform API key (new format): HRKU-AA + 58 base64url.
add("heroku-api-key-v2", "Heroku", "HEROKU_API_KEY={}", "HRKU-AA" + url(58))
# Heroku legacy API key: a UUID, with keyword context.
add("heroku-api-key", "Heroku", "HEROKU_API_KEY={}", uid())
# Fly.io macaroon token: FlyV1 fm2_ + base64.
add("flyio-token", "Fly.io", 'FLY_API_TOKEN="FlyV1 {}"', "fm2_" + b64(180) + "==")
# Fly.io organization token: fo1_ + 43 base64url.
add("flyio-org-token", "Fly.io", "FLY_ACCESS_TOKEN={}", "fo1_" + url(43))
# Vercel access token: 24 base62, keyword context.
add("vercel-token", "Vercel", "VERCEL_TOKEN={}", an(24))
# Netlify personal access token: nfp_ + 36 base62.
add("netlify-token", "Netlify", "NETLIFY_AUTH_TOKEN={}", "nfp_" + an(36))
# Netlify legacy token: 43 base64url with keyword context.
add("netlify-legacy-token", "Netlify", "netlify_token: {}", url(43))
# Render API key: rnd_ + 32 base62.
add("render-key", "Render", "RENDER_API_KEY={}", "rnd_" + an(32))
# Supabase personal access token: sbp_ + 40 hex.
add("supabase-pat", "Supabase", "SUPABASE_ACCESS_TOKEN={}", "sbp_" + hx(40))
# Supabase secret API key: sb_secret_ + base64url.
add("supabase-secret-key", "Supabase", "SUPABASE_SECRET_KEY={}", "sb_secret_" + url(31))
# Supabase service role key: a JWT with "role": "service_role".
add(
    "jwt",
    "Supabase (JWT)",
    "SUPABASE_SERVICE_ROLE_KEY={}",
    jwt({"iss": "supabase", "ref": lo(20), "role": "service_role", "iat": 1700000000}),
)
# PlanetScale: pscale_tkn_ + 43; passwords pscale_pw_ + 43; OAuth pscale_oauth_ + 32+.
add("planetscale-token", "PlanetScale", "PLANETSCALE_SERVICE_TOKEN={}", "pscale_tkn_" + url(43))
add(
    "planetscale-password",
    "PlanetScale",
    "DATABASE_URL=mysql://u:{}@aws.connect.psdb.cloud/db",
    "pscale_pw_" + url(43),
)
add("planetscale-oauth-token", "PlanetScale", "token: {}", "pscale_oauth_" + url(43))
# Neon API key: napi_ + 64 lower-case letters and digits.
add("neon-key", "Neon", "NEON_API_KEY={}", "napi_" + lo(64))
# Cloudflare API token: 40 base64url, keyword context.
add("cloudflare-api-token", "Cloudflare", "CLOUDFLARE_API_TOKEN={}", url(40))
# Cloudflare global API key: 37 hex, keyword context.
add("cloudflare-global-key", "Cloudflare", "CLOUDFLARE_API_KEY={}", hx(37))
# Cloudflare Origin CA key: v1.0- + 24 hex + - + 146 hex.
add("cloudflare-origin-ca-key", "Cloudflare", "CF_ORIGIN_CA_KEY={}", f"v1.0-{hx(24)}-{hx(146)}")
# Alibaba Cloud AccessKey ID: LTAI + 20 base62; AccessKey secret: 30 base62.
add("alibaba-access-key", "Alibaba Cloud", "ALIBABA_CLOUD_ACCESS_KEY_ID={}", "LTAI" + an(20))
add("alibaba-secret-key", "Alibaba Cloud", "ALIBABA_CLOUD_ACCESS_KEY_SECRET={}", an(30))
# Tencent Cloud SecretId: AKID + 32 base62; SecretKey: 32 base62.
add("tencent-secret-id", "Tencent Cloud", "TENCENTCLOUD_SECRET_ID={}", "AKID" + an(32))
add("tencent-secret-key", "Tencent Cloud", "TENCENTCLOUD_SECRET_KEY={}", an(32))
# Yandex Cloud API key: AQVN + 36 base64url; IAM token: t1. + ...; static key: YC + 38.
add("yandex-api-key", "Yandex Cloud", "YC_API_KEY={}", "AQVN" + url(36))
add(
    "yandex-iam-token",
    "Yandex Cloud",
    "Authorization: Bearer {}",
    "t1.9euelZ" + url(80) + "." + url(86),
)
add("yandex-access-key", "Yandex Cloud", "aws_secret_access_key={}", "YC" + url(38))
# Yandex OAuth token: y0_ + 55 base64url.
add("yandex-oauth-token", "Yandex", "YANDEX_OAUTH_TOKEN={}", "y0_" + url(55))
# Azure storage account connection string: AccountKey= 86 base64 + ==.
add(
    "azure-storage-key",
    "Microsoft Azure",
    'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=prodlogs;AccountKey={};EndpointSuffix=core.windows.net"',
    b64(86) + "==",
)
# Azure shared access signature: sig= percent-encoded base64 of a 32-byte HMAC.
add(
    "azure-sas-token",
    "Microsoft Azure",
    "blob_url: https://prodlogs.blob.core.windows.net/c/a.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig={}",
    b64(43).replace("+", "%2B").replace("/", "%2F") + "%3D",
)
# Azure Service Bus / Event Hubs connection string: SharedAccessKey= 44 base64.
add(
    "azure-service-bus-key",
    "Microsoft Azure",
    "SERVICEBUS=Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}",
    b64(43) + "=",
)
# Microsoft Entra ID (Azure AD) client secret: 3 characters + a digit + Q~ + 31 to 34 chars.
add(
    "azure-ad-client-secret",
    "Microsoft Azure",
    "AZURE_CLIENT_SECRET={}",
    f"{an(3)}8Q~{pick(34, B62 + '~._-')}",
)
# Azure DevOps PAT (new format): 52 base62 + AZDO + 4 base62... 84 characters with AZDO at 76.
add(
    "azure-devops-pat",
    "Microsoft Azure",
    "AZURE_DEVOPS_EXT_PAT={}",
    an(52) + an(24) + "AZDO" + an(4),
)
# Azure Cosmos DB key: 86 base64 + ==, in a connection string to documents.azure.com.
add(
    "azure-cosmos-key",
    "Microsoft Azure",
    "COSMOS=AccountEndpoint=https://orders.documents.azure.com:443/;AccountKey={};",
    b64(86) + "==",
)
# Azure OpenAI / Cognitive Services key: 32 hex with keyword context.
add("azure-openai-key", "Microsoft Azure", "AZURE_OPENAI_API_KEY={}", hx(32))
# Microsoft Teams incoming webhook.
add(
    "teams-webhook",
    "Microsoft Teams",
    "TEAMS_WEBHOOK={}",
    f"https://contoso.webhook.office.com/webhookb2/{uid()}@{uid()}/IncomingWebhook/{hx(32)}/{uid()}",
)
# Google API key: AIza + 35 base64url.
add("google-api-key", "Google", "GOOGLE_MAPS_API_KEY={}", "AIza" + url(35))
# Google OAuth client secret: GOCSPX- + 28 base64url.
add("google-oauth-secret", "Google", '"client_secret": "{}",', "GOCSPX-" + url(28))
# Google OAuth refresh token: 1//0 + base64url.
add("google-refresh-token", "Google", '"refresh_token": "{}"', "1//0" + url(99))
# Google OAuth access token: ya29. + base64url.
add("google-access-token", "Google", "Authorization: Bearer {}", "ya29.a0" + url(150))
# Firebase Cloud Messaging legacy server key: AAAA + 7 + : + APA91b + 134.
add("firebase-fcm-key", "Firebase", "FCM_SERVER_KEY={}", f"AAAA{url(7)}:APA91b{url(134)}")
# Scaleway access key: SCW + 17 upper-case; secret key: a UUID with keyword context.
add("scaleway-secret-key", "Scaleway", "SCW_SECRET_KEY={}", uid())
# Linode personal access token: 64 hex, keyword context.
add("linode-token", "Linode", "LINODE_TOKEN={}", hx(64))
# Vultr API key: 36 upper-case letters and digits, keyword context.
add("vultr-key", "Vultr", "VULTR_API_KEY={}", up(36))
# Hetzner Cloud API token: 64 base62, keyword context.
add("hetzner-token", "Hetzner", "HCLOUD_TOKEN={}", an(64))
# OpenShift user token: sha256~ + 43 base64url.
add("openshift-token", "Red Hat OpenShift", "oc login --token={}", "sha256~" + url(43))
# Akamai EdgeGrid client secret: 44 base64 with keyword context; client token akab-.
add("akamai-client-token", "Akamai", "client_token = {}", f"akab-{lo(16)}-{lo(16)}")
# Fastly API token: 32 base64url, keyword context.
add("fastly-token", "Fastly", "FASTLY_API_TOKEN={}", url(32))
# Defined Networking API key: dnkey- + 26 + - + 52.
add("defined-networking-key", "Defined Networking", "DN_API_KEY={}", f"dnkey-{up(26)}-{up(52)}")
# CAST AI API key: castai_v1_ + 64 base62 + _ + 8 base62.
add("castai-key", "CAST AI", "CASTAI_API_TOKEN={}", f"castai_v1_{an(64)}_{an(8)}")
# ClickHouse Cloud secret key: 4b1d + 38 base62.
add("clickhouse-secret", "ClickHouse", "CLICKHOUSE_KEY_SECRET={}", "4b1d" + an(38))
# MongoDB Atlas: connection string with a password.
add(
    "mongodb-uri",
    "MongoDB",
    'MONGO_URI="mongodb+srv://app:{}@cluster0.abcde.mongodb.net/prod"',
    an(24),
)
# PostgreSQL / MySQL URLs with a password.
add("database-url", "PostgreSQL", "DATABASE_URL=postgres://app:{}@db.internal:5432/app", an(20))

# --- identity, secrets managers, keys ----------------------------------------------------------

# Okta API token: 00 + 40 base64url, keyword context.
add("okta-token", "Okta", "OKTA_API_TOKEN={}", "00" + url(40))
# Auth0 client secret: 64 base64url, keyword context.
add("auth0-client-secret", "Auth0", "AUTH0_CLIENT_SECRET={}", url(64))
# Doppler: personal dp.pt. + 43; service dp.st.<env>. + 40; CLI dp.ct.; service account dp.sa.;
# SCIM dp.scim.; audit dp.audit.
add("doppler-token", "Doppler", "DOPPLER_TOKEN={}", "dp.pt." + an(43))
add("doppler-service-token", "Doppler", "DOPPLER_TOKEN={}", f"dp.st.prd.{an(40)}")
add("doppler-cli-token", "Doppler", "token: {}", "dp.ct." + an(43))
add("doppler-service-account-token", "Doppler", "DOPPLER_TOKEN={}", "dp.sa." + an(43))
add("doppler-scim-token", "Doppler", "scim: {}", "dp.scim." + an(43))
add("doppler-audit-token", "Doppler", "audit: {}", "dp.audit." + an(43))
# 1Password service account token: ops_ + base64 of a JSON document ({"signInAddress":...}).
_ops = b64e(
    json.dumps(
        {
            "signInAddress": "my.1password.com",
            "userAuth": {"method": "SRPg-4096"},
            "email": f"{lo(12)}@1passwordserviceaccounts.com",
            "srpX": hx(64),
            "muk": {"alg": "A256GCM", "k": url(43)},
            "secretKey": "A3-" + up(6),
        }
    ).encode(),
    pad=False,
)
add("1password-service-account-token", "1Password", "OP_SERVICE_ACCOUNT_TOKEN={}", "ops_" + _ops)
# 1Password account secret key: A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX.
add(
    "1password-secret-key",
    "1Password",
    "secret key: {}",
    f"A3-{up(6)}-{up(6)}-{up(5)}-{up(5)}-{up(5)}-{up(5)}",
)
# Bitwarden Secrets Manager access token: 0.<uuid>.<30>:<22 base64>==.
add("bitwarden-access-token", "Bitwarden", "BWS_ACCESS_TOKEN={}", f"0.{uid()}.{an(30)}:{b64(22)}==")
# age secret key: AGE-SECRET-KEY-1 + 58 upper-case bech32 characters (with checksum).
add(
    "age-secret-key",
    "age",
    "# created: 2024-05-01\n{}",
    bech32("age-secret-key-", R.randbytes(32)).upper(),
)
# JSON Web Token: three base64url segments, the first two JSON.
add(
    "jwt",
    "JWT (RFC 7519)",
    "Authorization: Bearer {}",
    jwt({"sub": num(8), "name": "ci", "iat": 1700000000, "exp": 1900000000}),
)
# Infisical service token: st. + uuid-ish + . + 32 hex + . + 32 hex.
add("infisical-token", "Infisical", "INFISICAL_TOKEN={}", f"st.{uid()}.{hx(32)}.{hx(32)}")
# Keycloak / generic OIDC: skipped (no documented format).
# Harness PAT: pat.<account 22>.<token 24>.<secret 20>.
add("harness-pat", "Harness", "HARNESS_API_KEY={}", f"pat.{url(22)}.{hx(24)}.{an(20)}")
# Sourcegraph access token: sgp_ + 16 hex + _ + 40 hex.
add("sourcegraph-token", "Sourcegraph", "SRC_ACCESS_TOKEN={}", f"sgp_{hx(16)}_{hx(40)}")
# Authress service client access key: sc_<id>.<4-6>.acc_<id>.<key>.
add(
    "authress-key",
    "Authress",
    "AUTHRESS_KEY={}",
    f"sc_{lo(20)}.{lo(4)}.acc_{lo(20)}.{url(60)}",
)
# HubSpot private app token: pat-na1- + UUID.
add("hubspot-token", "HubSpot", "HUBSPOT_ACCESS_TOKEN={}", "pat-na1-" + uid())
# HubSpot legacy API key: a UUID with keyword context.
add("hubspot-api-key", "HubSpot", "HUBSPOT_API_KEY={}", uid())
# Salesforce access token: 00D + 15 + ! + 96 characters.
add("salesforce-token", "Salesforce", "SF_ACCESS_TOKEN={}", f"00D{an(12)}!{an(4)}.{url(91)}")
# Zendesk API token: 40 base62, keyword context.
add("zendesk-token", "Zendesk", "ZENDESK_API_TOKEN={}", an(40))
# Intercom access token: 60 base64url, keyword context.
add("intercom-token", "Intercom", "INTERCOM_ACCESS_TOKEN={}", url(58) + "==")
# Freshdesk API key: 20 base62, keyword context.
add("freshdesk-key", "Freshdesk", "FRESHDESK_API_KEY={}", an(20))

# --- developer tools, CI, observability --------------------------------------------------------

# Sentry organization auth token: sntrys_ + base64 JSON + _ + 43 base64.
_sentry = b64e(
    json.dumps(
        {
            "iat": 1700000000.0,
            "url": "https://sentry.io",
            "region_url": "https://us.sentry.io",
            "org": "acme",
        }
    ).encode(),
    pad=False,
)
add("sentry-org-token", "Sentry", "SENTRY_AUTH_TOKEN={}", f"sntrys_{_sentry}_{b64(43)}")
# Sentry user auth token: sntryu_ + 64 hex.
add("sentry-user-token", "Sentry", "SENTRY_AUTH_TOKEN={}", "sntryu_" + hx(64))
# New Relic user API key: NRAK- + 27 upper-case; insert key NRII- + 32; browser NRJS- + 19 hex;
# license key: 36 hex + NRAL; query key NRIQ-.
add("newrelic-user-key", "New Relic", "NEW_RELIC_API_KEY={}", "NRAK-" + up(27))
add("newrelic-insert-key", "New Relic", "NEW_RELIC_INSERT_KEY={}", "NRII-" + url(32))
add("newrelic-browser-key", "New Relic", "newrelic_browser_key: {}", "NRJS-" + hx(19))
add("newrelic-license-key", "New Relic", "NEW_RELIC_LICENSE_KEY={}", hx(36) + "NRAL")
add("newrelic-query-key", "New Relic", "NEW_RELIC_QUERY_KEY={}", "NRIQ-" + url(32))
# Datadog API key: 32 hex; application key: 40 hex; both by keyword context.
add("datadog-api-key", "Datadog", "DD_API_KEY={}", hx(32))
add("datadog-app-key", "Datadog", "DATADOG_APP_KEY={}", hx(40))
# Dynatrace token: dt0c01. + 24 upper-case + . + 64 upper-case.
add("dynatrace-token", "Dynatrace", "DT_API_TOKEN={}", f"dt0c01.{up(24)}.{up(64)}")
# Grafana Cloud access policy token: glc_ + base64 of JSON; service account token glsa_ + 32 + _ + 8 hex.
_glc = b64e(
    json.dumps({"o": num(6), "n": "stack-token", "k": an(24), "m": {"r": "us"}}).encode(), pad=False
)
add("grafana-cloud-token", "Grafana", "GRAFANA_CLOUD_TOKEN={}", "glc_" + _glc)
add("grafana-service-account-token", "Grafana", "GRAFANA_TOKEN={}", f"glsa_{an(32)}_{hx(8)}")
# Grafana API key (legacy): base64 of {"k":...,"n":...,"id":...}, starting eyJrIjoi.
add(
    "grafana-api-key",
    "Grafana",
    "GF_API_KEY={}",
    b64e(json.dumps({"k": an(32), "n": "deploy", "id": 1}, separators=(",", ":")).encode()),
)
# Honeycomb API key: 22 or 32 base62 with keyword context.
add("honeycomb-key", "Honeycomb", "HONEYCOMB_API_KEY={}", an(22))
# LaunchDarkly SDK key: sdk- + UUID; API access token: api- + UUID.
add("launchdarkly-sdk-key", "LaunchDarkly", "LAUNCHDARKLY_SDK_KEY={}", "sdk-" + uid())
add("launchdarkly-api-token", "LaunchDarkly", "LD_ACCESS_TOKEN={}", "api-" + uid())
# PagerDuty API key: 20 base64url, keyword context.
add("pagerduty-key", "PagerDuty", "PAGERDUTY_TOKEN={}", url(20))
# Opsgenie API key: a UUID with keyword context.
add("opsgenie-key", "Opsgenie", "OPSGENIE_API_KEY={}", uid())
# Rollbar access token: 32 hex with keyword context.
add("rollbar-token", "Rollbar", "ROLLBAR_ACCESS_TOKEN={}", hx(32))
# Bugsnag API key: 32 hex with keyword context.
add("bugsnag-key", "Bugsnag", "BUGSNAG_API_KEY={}", hx(32))
# SumoLogic access id (su + 12) and access key (64 base62), keyword context.
add("sumologic-access-id", "Sumo Logic", "SUMOLOGIC_ACCESSID={}", "su" + an(12))
add("sumologic-access-key", "Sumo Logic", "SUMOLOGIC_ACCESSKEY={}", an(64))
# Postman API key: PMAK- + 24 hex + - + 34 hex.
add("postman-key", "Postman", "POSTMAN_API_KEY={}", f"PMAK-{hx(24)}-{hx(34)}")
# Pulumi access token: pul- + 40 hex.
add("pulumi-token", "Pulumi", "PULUMI_ACCESS_TOKEN={}", "pul-" + hx(40))
# Linear API key: lin_api_ + 40 base62; OAuth token lin_oauth_ + 64 hex.
add("linear-key", "Linear", "LINEAR_API_KEY={}", "lin_api_" + an(40))
add("linear-oauth-token", "Linear", "linear_token: {}", "lin_oauth_" + hx(64))
# Atlassian API token: ATATT3 + 180 + 8 hex checksum characters.
add("atlassian-api-token", "Atlassian", "JIRA_API_TOKEN={}", "ATATT3" + url(178) + "=" + HX(8))
# Atlassian legacy API token: 24 base62 with keyword context.
add("atlassian-legacy-token", "Atlassian", "confluence_api_token: {}", an(24))
# Bitbucket app password: ATBB + 32 base62 (and an 8 hex checksum).
add("bitbucket-app-password", "Bitbucket", "BITBUCKET_APP_PASSWORD={}", "ATBB" + an(24) + HX(8))
# Bitbucket client secret: 64 base64url with keyword context.
add("bitbucket-client-secret", "Bitbucket", "BITBUCKET_CLIENT_SECRET={}", url(64))
# Asana personal access token: 2/<user>/<token>:<32 hex>.
add("asana-token", "Asana", "ASANA_ACCESS_TOKEN={}", f"2/{num(16)}/{num(16)}:{hx(32)}")
# Asana client secret: 32 base62 with keyword context.
add("asana-client-secret", "Asana", "ASANA_CLIENT_SECRET={}", an(32))
# Snyk API token: a UUID with keyword context.
add("snyk-token", "Snyk", "SNYK_TOKEN={}", uid())
# SonarQube / SonarCloud token: squ_ (user), sqp_ (project), sqa_ (analysis) + 40 hex.
add("sonar-token", "SonarSource", "SONAR_TOKEN={}", "squ_" + hx(40))
# Codecov upload token: a UUID with keyword context.
add("codecov-token", "Codecov", "CODECOV_TOKEN={}", uid())
# CircleCI personal API token: CCIPAT_ + 22 base62 + _ + 40 hex.
add("circleci-token", "CircleCI", "CIRCLECI_TOKEN={}", f"CCIPAT_{an(22)}_{hx(40)}")
# Travis CI API token: 22 base64url with keyword context.
add("travis-token", "Travis CI", "TRAVIS_API_TOKEN={}", url(22))
# Buildkite API access token: bkua_ + 40 hex; agent token: 50 base62 with keyword.
add("buildkite-token", "Buildkite", "BUILDKITE_API_TOKEN={}", "bkua_" + hx(40))
# Drone CI token: 32 base62 with keyword context.
add("droneci-token", "Drone", "DRONE_TOKEN={}", an(32))
# Octopus Deploy API key: API- + 26 upper-case.
add("octopus-deploy-key", "Octopus Deploy", "OCTOPUS_API_KEY={}", "API-" + up(26))
# Prefect API key: pnu_ + 36 base62 (users), pnb_ (service accounts).
add("prefect-key", "Prefect", "PREFECT_API_KEY={}", "pnu_" + an(36))
# ReadMe API key: rdme_ + 70 lower-case letters and digits.
add("readme-key", "ReadMe", "README_API_KEY={}", "rdme_" + lo(70))
# Scalingo API token: tk-us- + 48 base64url.
add("scalingo-token", "Scalingo", "SCALINGO_API_TOKEN={}", "tk-us-" + url(48))
# Frame.io developer token: fio-u- + 64 base64url.
add("frameio-token", "Frame.io", "FRAMEIO_TOKEN={}", "fio-u-" + url(64))
# Typeform personal token: tfp_ + 44 base62 + _ + 14 base62.
add("typeform-token", "Typeform", "TYPEFORM_TOKEN={}", f"tfp_{an(44)}_{an(14)}")
# Infracost API key: ico- + 32 base62.
add("infracost-key", "Infracost", "INFRACOST_API_KEY={}", "ico-" + an(32))
# Contentful content management token: CFPAT- + 43 base64url; delivery token 43 by keyword.
add("contentful-pat", "Contentful", "CONTENTFUL_MANAGEMENT_TOKEN={}", "CFPAT-" + url(43))
add("contentful-delivery-token", "Contentful", "CONTENTFUL_ACCESS_TOKEN={}", url(43))
# Algolia admin API key: 32 hex with keyword context.
add("algolia-key", "Algolia", "ALGOLIA_ADMIN_KEY={}", hx(32))
# Beamer API key: b_ + 44 base64url.
add("beamer-key", "Beamer", "BEAMER_API_KEY={}", "b_" + url(43) + "=")
# Adafruit IO key: aio_ + 28 base62.
add("adafruit-key", "Adafruit", "ADAFRUIT_IO_KEY={}", "aio_" + an(28))
# Adobe client secret: p8e- + 32 base62.
add("adobe-client-secret", "Adobe", "ADOBE_CLIENT_SECRET={}", "p8e-" + an(32))
# Cisco Meraki API key: 40 hex with keyword context.
add("meraki-key", "Cisco Meraki", "MERAKI_DASHBOARD_API_KEY={}", hx(40))
# Mattermost access token: 26 lower-case with keyword context.
add("mattermost-token", "Mattermost", "MATTERMOST_TOKEN={}", lo(26))
# Gitter access token: 40 hex with keyword context.
add("gitter-token", "Gitter", "GITTER_TOKEN={}", hx(40))
# Looker client secret: 24 base62 with keyword context.
add("looker-secret", "Looker", "LOOKERSDK_CLIENT_SECRET={}", an(24))
# MaxMind license key: 6 base62 + _ + 29 base62 + _mmk.
add("maxmind-key", "MaxMind", "MAXMIND_LICENSE_KEY={}", f"{an(6)}_{an(29)}_mmk")
# Intra 42 client secret: s-s4t2ud- + 64 hex.
add("intra42-secret", "42", "FT_CLIENT_SECRET={}", "s-s4t2ud-" + hx(64))
# SettleMint: sm_pat_ + 16 base62.
add("settlemint-token", "SettleMint", "SETTLEMINT_ACCESS_TOKEN={}", "sm_pat_" + an(16))
# Sidekiq Enterprise credentials: 8 hex : 8 hex for gems.contribsys.com.
add("sidekiq-secret", "Sidekiq", "BUNDLE_ENTERPRISE__CONTRIBSYS__COM={}", f"{hx(8)}:{hx(8)}")
# Etsy API key: 24 lower-case letters and digits with keyword context.
add("etsy-key", "Etsy", "ETSY_API_KEY={}", lo(24))
# Finnhub API key: 20 lower-case with keyword context.
add("finnhub-key", "Finnhub", "FINNHUB_API_KEY={}", lo(20))
# Freshbooks access token: 64 lower-case with keyword context.
add("freshbooks-token", "FreshBooks", "FRESHBOOKS_TOKEN={}", hx(64))
# Flickr API key: 32 hex with keyword context.
add("flickr-key", "Flickr", "FLICKR_API_KEY={}", hx(32))
# Finicity API secret: 20 with keyword context.
add("finicity-secret", "Finicity", "FINICITY_APP_SECRET={}", an(20))
# Bittrex API secret: 32 with keyword context.
add("bittrex-secret", "Bittrex", "BITTREX_API_SECRET={}", hx(32))
# Etherscan API key: 34 upper-case with keyword context.
add("etherscan-key", "Etherscan", "ETHERSCAN_API_KEY={}", up(34))
# Infura project secret: 32 hex with keyword context.
add("infura-secret", "Infura", "INFURA_PROJECT_SECRET={}", hx(32))
# Alchemy API key: 32 base64url with keyword context.
add("alchemy-key", "Alchemy", "ALCHEMY_API_KEY={}", url(32))
# Binance API secret: 64 base62 with keyword context.
add("binance-secret", "Binance", "BINANCE_API_SECRET={}", an(64))
# RapidAPI key: 50 base64url with keyword context.
add("rapidapi-key", "RapidAPI", "X-RapidAPI-Key: {}", an(50))
# Sanity token: sk + 80+ base62.
add("sanity-token", "Sanity", "SANITY_API_TOKEN={}", "sk" + an(180))
# Storyblok access token: 24 base62 with keyword context.
add("storyblok-token", "Storyblok", "STORYBLOK_TOKEN={}", an(24))
# Webflow API token: 64 hex with keyword context.
add("webflow-token", "Webflow", "WEBFLOW_API_TOKEN={}", hx(64))
# Zapier webhook URL.
add(
    "zapier-webhook",
    "Zapier",
    "ZAPIER_HOOK={}",
    f"https://hooks.zapier.com/hooks/catch/{num(7)}/{lo(6)}/",
)
# Shopify: shpat_ (admin API access token), shpss_ (shared secret), shpca_ (custom app),
# shppa_ (private app) + 32 hex.
add("shopify-access-token", "Shopify", "SHOPIFY_ACCESS_TOKEN={}", "shpat_" + hx(32))
add("shopify-shared-secret", "Shopify", "SHOPIFY_API_SECRET={}", "shpss_" + hx(32))
add("shopify-custom-app-token", "Shopify", "shopify_token: {}", "shpca_" + hx(32))
add("shopify-private-app-token", "Shopify", "SHOPIFY_PASSWORD={}", "shppa_" + hx(32))

# --- messaging and e-mail ----------------------------------------------------------------------

# Twilio API key SID: SK + 32 hex; auth token: 32 hex with keyword context.
add("twilio-api-key", "Twilio", "TWILIO_API_KEY={}", "SK" + hx(32))
add("twilio-auth-token", "Twilio", "TWILIO_AUTH_TOKEN={}", hx(32))
# SendGrid API key: SG. + 22 base64url + . + 43 base64url.
add("sendgrid-key", "SendGrid", "SENDGRID_API_KEY={}", f"SG.{url(22)}.{url(43)}")
# Mailgun private API key: key- + 32 hex (legacy) or 32 hex-8 hex-8 hex with keyword context.
add("mailgun-key", "Mailgun", "MAILGUN_API_KEY={}", "key-" + hx(32))
add("mailgun-signing-key", "Mailgun", "MAILGUN_WEBHOOK_SIGNING_KEY={}", f"{hx(32)}-{hx(8)}-{hx(8)}")
# Mailchimp API key: 32 hex + -us + data-center number.
add("mailchimp-key", "Mailchimp", "MAILCHIMP_API_KEY={}", hx(32) + "-us21")
# Mandrill API key: md- + 22 base64url.
add("mandrill-key", "Mailchimp Transactional", "MANDRILL_API_KEY={}", "md-" + url(22))
# Postmark server token: a UUID with keyword context.
add("postmark-token", "Postmark", "POSTMARK_SERVER_TOKEN={}", uid())
# SparkPost API key: 40 hex with keyword context.
add("sparkpost-key", "SparkPost", "SPARKPOST_API_KEY={}", hx(40))
# Brevo (Sendinblue) API key: xkeysib- + 64 hex + - + 16 base62; SMTP key xsmtpsib-.
add("brevo-key", "Brevo", "BREVO_API_KEY={}", f"xkeysib-{hx(64)}-{an(16)}")
add("brevo-smtp-key", "Brevo", "SMTP_PASSWORD={}", f"xsmtpsib-{hx(64)}-{an(16)}")
# MailerSend API token: mlsn. + 64 hex.
add("mailersend-token", "MailerSend", "MAILERSEND_API_KEY={}", "mlsn." + hx(64))
# Resend API key: re_ + 8 base62 + _ + 24 base62.
add("resend-key", "Resend", "RESEND_API_KEY={}", f"re_{an(8)}_{an(24)}")
# Mailjet API secret: 32 hex with keyword context.
add("mailjet-secret", "Mailjet", "MJ_APIKEY_PRIVATE={}", hx(32))
# MessageBird API key: 25 base62 with keyword context.
add("messagebird-key", "MessageBird", "MESSAGEBIRD_API_KEY={}", an(25))
# Vonage (Nexmo) API secret: 16 base62 with keyword context.
add("vonage-secret", "Vonage", "VONAGE_API_SECRET={}", an(16))
# Plivo auth token: 40 base62 with keyword context.
add("plivo-token", "Plivo", "PLIVO_AUTH_TOKEN={}", an(40))
# Telegram bot token: bot id (8-10 digits) : AA + 33 base64url.
add("telegram-bot-token", "Telegram", "TELEGRAM_BOT_TOKEN={}", f"{num(10)}:AA{url(33)}")
# Discord bot token: base64 of the bot's snowflake id . 6 . 38 base64url.
add(
    "discord-bot-token",
    "Discord",
    "DISCORD_BOT_TOKEN={}",
    f"{b64e(num(19).encode(), pad=False)}.{url(6)}.{url(38)}",
)
# Discord webhook URL: discord.com/api/webhooks/<snowflake>/<68 base64url>.
add(
    "discord-webhook",
    "Discord",
    "DISCORD_WEBHOOK_URL={}",
    f"https://discord.com/api/webhooks/{num(19)}/{url(68)}",
)
# Discord client secret: 32 base64url with keyword context.
add("discord-client-secret", "Discord", "DISCORD_CLIENT_SECRET={}", url(32))
# Pusher app secret: 20 hex with keyword context.
add("pusher-secret", "Pusher", "PUSHER_APP_SECRET={}", hx(20))
# Ably API key: <app>.<key id>:<secret 43>.
add("ably-key", "Ably", "ABLY_API_KEY={}", f"{url(6)}.{url(6)}:{url(43)}")
# Sendbird API token: 40 hex with keyword context.
add("sendbird-token", "Sendbird", "SENDBIRD_API_TOKEN={}", hx(40))
# Zoom JWT/API secret: 36 base62 with keyword context.
add("zoom-secret", "Zoom", "ZOOM_CLIENT_SECRET={}", an(32))
# Twitch OAuth token: 30 lower-case with keyword context.
add("twitch-token", "Twitch", "TWITCH_OAUTH_TOKEN=oauth:{}", lo(30))

# --- social networks ----------------------------------------------------------------------------

# X/Twitter bearer token: 22 A's (URL-encoded AAAAAAAA…) + 80+ characters.
add(
    "twitter-bearer-token",
    "X (Twitter)",
    "TWITTER_BEARER_TOKEN={}",
    "A" * 22 + an(27) + "%2F" + an(15) + "%3D" + an(50),
)
# X/Twitter API key (25) and secret (50), access token (<user id>-<40>), access secret (45).
add("twitter-api-key", "X (Twitter)", "TWITTER_API_KEY={}", an(25))
add("twitter-api-secret", "X (Twitter)", "TWITTER_API_SECRET={}", an(50))
add("twitter-access-token", "X (Twitter)", "TWITTER_ACCESS_TOKEN={}", f"{num(19)}-{an(40)}")
add("twitter-access-secret", "X (Twitter)", "TWITTER_ACCESS_TOKEN_SECRET={}", an(45))
# Facebook / Meta access token: EAA + the app's letter + 100+ base62.
add("facebook-access-token", "Meta", "FB_PAGE_ACCESS_TOKEN={}", "EAAG" + an(180))
# Facebook app secret: 32 hex with keyword context.
add("facebook-app-secret", "Meta", "FACEBOOK_APP_SECRET={}", hx(32))
# Instagram Graph token: IGQV + long base64url.
add("instagram-token", "Meta", "INSTAGRAM_ACCESS_TOKEN={}", "IGQVJ" + url(150))
# LinkedIn client secret: 16 base62 with keyword context.
add("linkedin-secret", "LinkedIn", "LINKEDIN_CLIENT_SECRET={}", an(16))
# Pinterest access token: pina_ + base62.
add("pinterest-token", "Pinterest", "PINTEREST_TOKEN={}", "pina_" + up(32) + an(64))
# Reddit client secret: 30 base64url with keyword context.
add("reddit-secret", "Reddit", "REDDIT_CLIENT_SECRET={}", url(30))
# Spotify client secret: 32 hex with keyword context.
add("spotify-secret", "Spotify", "SPOTIFY_CLIENT_SECRET={}", hx(32))
# New York Times API key: 32 base64url with keyword context.
add("nytimes-key", "New York Times", "NYTIMES_API_KEY={}", url(32))
# Dropbox short-lived access token: sl. + 130+ base64url; long-lived: 11 + AAAAAAAAAA + 43.
add("dropbox-token", "Dropbox", "DROPBOX_ACCESS_TOKEN={}", "sl." + url(136))
add("dropbox-long-lived-token", "Dropbox", "DROPBOX_TOKEN={}", an(11) + "AAAAAAAAAA" + url(43))
# Dropbox app secret: 15 lower-case with keyword context.
add("dropbox-app-secret", "Dropbox", "DROPBOX_APP_SECRET={}", lo(15))
# Mapbox secret token: sk.eyJ1Ijoi + base64 . 22; public token pk.eyJ1Ijoi...
_mapbox = b64e(
    json.dumps({"u": "acme", "a": lo(20)}, separators=(",", ":")).encode(), urlsafe=True, pad=False
)
add("mapbox-secret-token", "Mapbox", "MAPBOX_SECRET_TOKEN={}", f"sk.{_mapbox}.{url(22)}")
add("mapbox-public-token", "Mapbox", "mapboxgl.accessToken = '{}';", f"pk.{_mapbox}.{url(22)}")

# --- AI and machine learning ---------------------------------------------------------------------

# Hugging Face user access token: hf_ + 34 letters; organization token api_org_ + 34 letters.
add("huggingface-token", "Hugging Face", "HF_TOKEN={}", "hf_" + letters(34))
add("huggingface-org-token", "Hugging Face", "HUGGINGFACE_ORG_TOKEN={}", "api_org_" + letters(34))
# Groq API key: gsk_ + 52 base62.
add("groq-key", "Groq", "GROQ_API_KEY={}", "gsk_" + an(52))
# Replicate API token: r8_ + 37 base62.
add("replicate-token", "Replicate", "REPLICATE_API_TOKEN={}", "r8_" + an(37))
# Perplexity API key: pplx- + 48 base62.
add("perplexity-key", "Perplexity", "PERPLEXITY_API_KEY={}", "pplx-" + an(48))
# xAI API key: xai- + 80 base62.
add("xai-key", "xAI", "XAI_API_KEY={}", "xai-" + an(80))
# OpenRouter API key: sk-or-v1- + 64 hex.
add("openrouter-key", "OpenRouter", "OPENROUTER_API_KEY={}", "sk-or-v1-" + hx(64))
# LangSmith API key: lsv2_pt_ (personal) / lsv2_sk_ (service) + 32 hex + _ + 10 hex.
add("langsmith-key", "LangChain", "LANGSMITH_API_KEY={}", f"lsv2_pt_{hx(32)}_{hx(10)}")
# Pinecone API key: pcsk_ + 5-6 base62 + _ + 63 base62.
add("pinecone-key", "Pinecone", "PINECONE_API_KEY={}", f"pcsk_{an(6)}_{an(63)}")
# Tavily API key: tvly- + 32 base62.
add("tavily-key", "Tavily", "TAVILY_API_KEY={}", "tvly-" + an(32))
# Cohere API key: 40 base62 with keyword context.
add("cohere-key", "Cohere", "COHERE_API_KEY={}", an(40))
# Mistral API key: 32 base62 with keyword context.
add("mistral-key", "Mistral AI", "MISTRAL_API_KEY={}", an(32))
# Together AI API key: 64 hex with keyword context.
add("together-key", "Together AI", "TOGETHER_API_KEY={}", hx(64))
# DeepSeek API key: sk- + 32 hex with keyword context.
add("deepseek-key", "DeepSeek", "DEEPSEEK_API_KEY={}", "sk-" + hx(32))
# Fireworks AI API key: fw_ + 24 base62.
add("fireworks-key", "Fireworks AI", "FIREWORKS_API_KEY={}", "fw_" + an(24))
# ElevenLabs API key: sk_ + 48 hex.
add("elevenlabs-key", "ElevenLabs", "ELEVENLABS_API_KEY={}", "sk_" + hx(48))
# Deepgram API key: 40 hex with keyword context.
add("deepgram-key", "Deepgram", "DEEPGRAM_API_KEY={}", hx(40))
# AssemblyAI API key: 32 hex with keyword context.
add("assemblyai-key", "AssemblyAI", "ASSEMBLYAI_API_KEY={}", hx(32))
# Stability AI API key: sk- + 48 base62 with keyword context.
add("stability-key", "Stability AI", "STABILITY_API_KEY={}", "sk-" + an(48))
# Weights & Biases API key: 40 hex with keyword context.
add("wandb-key", "Weights & Biases", "WANDB_API_KEY={}", hx(40))
# Cerebras API key: csk- + 48 lower-case.
add("cerebras-key", "Cerebras", "CEREBRAS_API_KEY={}", "csk-" + lo(48))
# Google Gemini uses Google API keys (AIza); Voyage AI: pa- + 43 base64url.
add("voyage-key", "Voyage AI", "VOYAGE_API_KEY={}", "pa-" + url(43))
# Runpod API key: rpa_ + 36 upper-case letters and digits + 4.
add("runpod-key", "Runpod", "RUNPOD_API_KEY={}", "rpa_" + up(40))
# AWS Bedrock API key: ABSK + base64.
add("aws-bedrock-key", "AWS", "AWS_BEARER_TOKEN_BEDROCK={}", "ABSK" + b64(128))
# AWS session token (keyword context): base64 starting IQoJb3JpZ2lu (a serialized origin).
add("aws-session-token", "AWS", "aws_session_token = {}", "IQoJb3JpZ2luX2VjE" + b64(300) + "=")

# --- other well-known formats --------------------------------------------------------------------

# Notion internal integration token: secret_ + 43 base62; new format ntn_ + 11 digits + 35 base62.
add("notion-token", "Notion", "NOTION_TOKEN={}", "secret_" + an(43))
add("notion-token-v2", "Notion", "NOTION_API_KEY={}", "ntn_" + num(11) + an(35))
# Airtable personal access token: pat + 14 base62 + . + 64 hex.
add("airtable-pat", "Airtable", "AIRTABLE_TOKEN={}", f"pat{an(14)}.{hx(64)}")
# Airtable legacy API key: key + 14 base62 with keyword context.
add("airtable-api-key", "Airtable", "AIRTABLE_API_KEY={}", "key" + an(14))
# Grafana's and others' done; Kubernetes: a bearer token is a JWT (covered by jwt).
# Confluent Cloud API key (16 upper-case) and secret (64 base64) with keyword context.
add("confluent-key", "Confluent", "CONFLUENT_CLOUD_API_KEY={}", up(16))
add("confluent-secret", "Confluent", "CONFLUENT_CLOUD_API_SECRET={}", b64(64))
# Shopify's, Stripe's done; Typeform done. Telegram done. Twitch done.
# Segment write key: 32 base62 with keyword context.
add("segment-key", "Segment", "SEGMENT_WRITE_KEY={}", an(32))
# Mixpanel API secret: 32 hex with keyword context.
add("mixpanel-secret", "Mixpanel", "MIXPANEL_API_SECRET={}", hx(32))
# Amplitude secret key: 32 hex with keyword context.
add("amplitude-secret", "Amplitude", "AMPLITUDE_SECRET_KEY={}", hx(32))
# Trello API token: ATTA + 64 hex + 8 hex.
add("trello-token", "Trello", "TRELLO_TOKEN={}", "ATTA" + hx(64) + HX(8))
# Figma personal access token: figd_ + 40 base64url.
add("figma-token", "Figma", "FIGMA_TOKEN={}", "figd_" + url(40))
# Miro, Monday.com: Monday API token is a JWT (covered by jwt).
# Shortcut (Clubhouse) API token: a UUID with keyword context.
add("shortcut-token", "Shortcut", "SHORTCUT_API_TOKEN={}", uid())
# ClickUp personal token: pk_ + digits + _ + 32 upper-case.
add("clickup-token", "ClickUp", "CLICKUP_TOKEN={}", f"pk_{num(8)}_{up(32)}")
# Todoist API token: 40 hex with keyword context.
add("todoist-token", "Todoist", "TODOIST_API_TOKEN={}", hx(40))
# Jotform API key: 32 hex with keyword context.
add("jotform-key", "Jotform", "JOTFORM_API_KEY={}", hx(32))
# Calendly personal access token: a JWT (covered by jwt). Cal.com: cal_live_ + 32 hex.
add("calcom-key", "Cal.com", "CALCOM_API_KEY={}", "cal_live_" + hx(32))
# Lokalise API token: 40 hex with keyword context.
add("lokalise-token", "Lokalise", "LOKALISE_API_TOKEN={}", hx(40))
# Crowdin personal access token: 80 hex with keyword context.
add("crowdin-token", "Crowdin", "CROWDIN_PERSONAL_TOKEN={}", hx(80))
# Uploadcare secret key: 20 hex with keyword context.
add("uploadcare-secret", "Uploadcare", "UPLOADCARE_SECRET_KEY={}", hx(20))
# Cloudinary URL: cloudinary://<api key>:<api secret>@<cloud name>.
add(
    "cloudinary-url",
    "Cloudinary",
    "CLOUDINARY_URL=cloudinary://{}@acme",
    f"{num(15)}:{url(27)}",
)
# Strapi, Directus: skipped (no documented prefix). Ngrok authtoken: 2 + 26 + _ + 21 base62.
add("ngrok-token", "ngrok", "authtoken: {}", f"2{an(26)}_{an(21)}")
# Tailscale API key / auth key: tskey-api- / tskey-auth- + id + - + 32 base62.
add("tailscale-key", "Tailscale", "TS_AUTHKEY={}", f"tskey-auth-{an(17)}-{an(33)}")
# Twingate, Teleport: skipped. Pangea: pts_ + 32 lower-case.
add("pangea-token", "Pangea", "PANGEA_TOKEN={}", "pts_" + lo(32))
# Temporal Cloud, Upstash: Upstash REST token: base64 of 64+ characters with keyword context.
add("upstash-token", "Upstash", "UPSTASH_REDIS_REST_TOKEN={}", "AX" + url(62) + "=")
# Mux token secret: base64 of 75 characters with keyword context.
add("mux-secret", "Mux", "MUX_TOKEN_SECRET={}", b64(75))
# Shippo done; EasyPost done. Lob done. Nightfall: NF- + 32 base62.
add("nightfall-key", "Nightfall", "NIGHTFALL_API_KEY={}", "NF-" + an(32))
# Sendbird done. Stream (GetStream) secret: 64 lower-case with keyword context.
add("getstream-secret", "Stream", "STREAM_API_SECRET={}", lo(64))
# Algolia done. Meilisearch master key: 32+ characters with keyword context.
add("meilisearch-key", "Meilisearch", "MEILI_MASTER_KEY={}", url(32))
# Typesense API key: 32 base62 with keyword context.
add("typesense-key", "Typesense", "TYPESENSE_API_KEY={}", an(32))
# Elastic Cloud API key: base64 of id:key with keyword context.
add("elastic-key", "Elastic", "ELASTIC_API_KEY={}", b64e(f"{url(20)}:{url(22)}".encode()))
# Django SECRET_KEY: 50 characters with keyword context (the framework's own setting).
add(
    "django-secret-key",
    "Django",
    "SECRET_KEY = 'django-insecure-{}'",
    pick(50, LOWER + DIGITS + "!@#$%^&*(-_=+)"),
)
# Rails secret_key_base: 128 hex.
add("rails-secret-key-base", "Ruby on Rails", "secret_key_base: {}", hx(128))
# Ansible Vault: $ANSIBLE_VAULT;1.1;AES256 then hex lines.
add("ansible-vault", "Ansible", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  {}", hx(80))
# htpasswd bcrypt / Apache md5 entries: user:$apr1$salt$hash.
add("htpasswd", "Apache", "admin:{}", f"$apr1${an(8)}${pick(22, B62 + './')}")
# Basic credentials in a URL: https://user:password@host.
add(
    "url-credentials", "RFC 3986", "REPO_URL=https://deploy:{}@git.example.org/acme/app.git", an(24)
)
# Kubernetes Secret manifest value: base64 of a random secret, under data:.
add("kubernetes-secret", "Kubernetes", "  password: {}", b64e(an(24).encode()))
# Sumo done; Shodan API key: 32 base62 with keyword context.
add("shodan-key", "Shodan", "SHODAN_API_KEY={}", an(32))
# VirusTotal API key: 64 hex with keyword context.
add("virustotal-key", "VirusTotal", "VT_API_KEY={}", hx(64))
# IPinfo / ipstack etc.: ipinfo token 14 hex with keyword context.
add("ipinfo-token", "IPinfo", "IPINFO_TOKEN={}", hx(14))
# OpenWeatherMap API key: 32 hex with keyword context.
add("openweather-key", "OpenWeather", "OPENWEATHER_API_KEY={}", hx(32))
# SauceLabs access key: a UUID with keyword context.
add("saucelabs-key", "Sauce Labs", "SAUCE_ACCESS_KEY={}", uid())
# BrowserStack access key: 20 base62 with keyword context.
add("browserstack-key", "BrowserStack", "BROWSERSTACK_ACCESS_KEY={}", an(20))
# Percy token: 64 hex with keyword context.
add("percy-token", "Percy", "PERCY_TOKEN={}", hx(64))
# Cypress record key: a UUID with keyword context.
add("cypress-key", "Cypress", "CYPRESS_RECORD_KEY={}", uid())
# Expo access token: 40 base64url with keyword context.
add("expo-token", "Expo", "EXPO_TOKEN={}", url(40))
# Apple App Store Connect: a .p8 key is a private key block (covered). Firebase CI token: 1// ...
# GitHub's gho_ (OAuth) is covered by github-token. Gitea token: 40 hex with keyword context.
add("gitea-token", "Gitea", "GITEA_TOKEN={}", hx(40))
# Codacy project token: 32 hex with keyword context.
add("codacy-token", "Codacy", "CODACY_PROJECT_TOKEN={}", hx(32))
# Coveralls repo token: 32+ base62 with keyword context.
add("coveralls-token", "Coveralls", "COVERALLS_REPO_TOKEN={}", an(33))
# DeepSource DSN: https://<32 hex>@app.deepsource.com.
add("deepsource-dsn", "DeepSource", "DEEPSOURCE_DSN=https://{}@app.deepsource.com", hx(32))
# JFrog done. GitGuardian API key: 64 base62 with keyword context.
add("gitguardian-key", "GitGuardian", "GITGUARDIAN_API_KEY={}", an(64))
# Terraform Cloud done. Spacelift API key secret: 64 hex with keyword context.
add("spacelift-secret", "Spacelift", "SPACELIFT_API_KEY_SECRET={}", hx(64))
# Azure Function key: 56 base64url + == with keyword context.
add("azure-function-key", "Microsoft Azure", "x-functions-key: {}", url(54) + "==")


def redacted(sample: Sample) -> str:
    secret = sample.secret
    return sample.text.replace(secret, f"{secret[:4]}…({len(secret)})")


def main(argv: list[str]) -> int:
    show = "--show" in argv
    for sample in SAMPLES:
        text = sample.text if show else redacted(sample)
        print(f"{sample.kind:42} {sample.provider:24} {text.splitlines()[-1][:90]}")
    kinds = {s.kind for s in SAMPLES}
    print(f"{len(SAMPLES)} samples of {len(kinds)} kinds, seed {SEED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
