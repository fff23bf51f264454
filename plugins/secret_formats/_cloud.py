"""Cloud providers, hosting platforms, databases and infrastructure tools."""

from __future__ import annotations

import re

from ._checks import user_and_password
from ._model import (
    B62,
    B64,
    B64_EDGE,
    HEX,
    URL,
    UUID,
    Format,
    keyed,
    password_like,
    raw,
    shaped,
    token,
)


def _password(hit: re.Match[str]) -> bool:
    return password_like(hit.group("secret"))


AWS: tuple[Format, ...] = (
    token(
        "aws-bedrock-key",
        "Amazon Bedrock API key",
        "ABSK",
        f"[{B64}]{{100,}}={{0,2}}",
        start=B64,
        stop=B64_EDGE,
    ),
    # STS session tokens: base64 of a serialized structure that always opens the same way.
    shaped(
        "aws-session-token",
        "AWS session token",
        ("iqojb3jpz2lu", "fwogzxivyxdz"),
        f"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)(?P<body>[{B64}]{{100,}}={{0,2}})",
        start=B64,
        stop=B64_EDGE,
    ),
)

GOOGLE: tuple[Format, ...] = (
    token("google-api-key", "Google API key", "AIza", f"[{URL}]{{35}}"),
    token("google-oauth-secret", "Google OAuth client secret", "GOCSPX-", f"[{URL}]{{28}}"),
    token(
        "google-refresh-token",
        "Google OAuth refresh token",
        "1//0",
        f"[{URL}]{{40,}}",
        start="/" + URL,
    ),
    token("google-access-token", "Google OAuth access token", "ya29.", f"[{URL}]{{60,}}"),
    shaped(
        "firebase-fcm-key",
        "Firebase Cloud Messaging server key",
        (":apa91b",),
        f"AAAA[{URL}]{{7}}:APA91b(?P<body>[{URL}]{{130,140}})",
    ),
)

AZURE: tuple[Format, ...] = (
    raw(
        "azure-cosmos-key",
        "Azure Cosmos DB account key",
        ("documents.azure.com",),
        rf"documents\.azure\.com[^;\s]{{0,40}};\s*(?i:AccountKey)=(?P<secret>[{B64}]{{86}}==)",
    ),
    raw(
        "azure-storage-key",
        "Azure storage account key",
        ("accountkey=",),
        rf"(?i:AccountKey)=(?P<secret>[{B64}]{{86}}==)",
    ),
    raw(
        "azure-sas-token",
        "Azure shared access signature",
        ("sig=",),
        r"[?&]sv=\d{4}-\d\d-\d\d&[^\s\"'<>]{0,400}?sig="
        r"(?P<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){40,}(?:%3[Dd]|=){0,2})",
    ),
    raw(
        "azure-service-bus-key",
        "Azure Service Bus / Event Hubs shared access key",
        ("sharedaccesskey=",),
        rf"(?i:SharedAccessKey)=(?P<secret>[{B64}]{{43}}=)",
    ),
    shaped(
        "azure-ad-client-secret",
        "Microsoft Entra ID (Azure AD) client secret",
        ("q~",),
        r"(?P<body>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})",
        start="A-Za-z0-9_~.-",
        stop="A-Za-z0-9_~.-",
    ),
    shaped(
        "azure-devops-pat",
        "Azure DevOps personal access token",
        ("azdo",),
        f"(?P<body>[{B62}]{{76}})AZDO[{B62}]{{4}}",
    ),
    keyed(
        "azure-openai-key",
        "Azure OpenAI / Cognitive Services key",
        (
            "azure_openai",
            "azure-openai",
            "azureopenai",
            "cognitive_services",
            "cognitiveservices",
            "ocp-apim-subscription-key",
        ),
        f"[{HEX}]{{32}}",
    ),
    shaped(
        "teams-webhook",
        "Microsoft Teams incoming webhook URL",
        ("webhook.office.com",),
        rf"https://[\w.-]+\.webhook\.office\.com/webhookb2/{UUID}@{UUID}"
        rf"/IncomingWebhook/(?P<body>[{HEX}]{{32}})/{UUID}(?:/[\w-]+)?",
        start="",
        stop="",
    ),
    keyed(
        "azure-function-key",
        "Azure Functions key",
        ("x-functions-key", "functions_key", "functions-key", "function_key", "function-key"),
        f"[{URL}]{{54}}==",
        stop="=" + URL,
    ),
)

PLATFORMS: tuple[Format, ...] = (
    token("digitalocean-pat", "DigitalOcean personal access token", "dop_v1_", f"[{HEX}]{{64}}"),
    token("digitalocean-oauth-token", "DigitalOcean OAuth token", "doo_v1_", f"[{HEX}]{{64}}"),
    token("digitalocean-refresh-token", "DigitalOcean refresh token", "dor_v1_", f"[{HEX}]{{64}}"),
    token("databricks-token", "Databricks access token", "dapi", rf"[{HEX}]{{32}}(?:-\d)?"),
    shaped(
        "terraform-cloud-token",
        "HCP Terraform (Terraform Cloud) API token",
        (".atlasv1.",),
        rf"[{B62}]{{14}}\.atlasv1\.(?P<body>[={URL}]{{60,80}})",
    ),
    token("vault-service-token", "HashiCorp Vault service token", "hvs.", f"[{URL}]{{90,}}"),
    token("vault-batch-token", "HashiCorp Vault batch token", "hvb.", f"[{URL}]{{130,}}"),
    keyed(
        "hcp-client-secret",
        "HCP service principal client secret",
        ("hcp_client", "hcp-client", "hashicorp"),
        f"[{B62}]{{64}}",
        quals=("secret",),
    ),
    token("heroku-api-key-v2", "Heroku API key", "HRKU-", f"[{URL}]{{60}}"),
    keyed("heroku-api-key", "Heroku API key (legacy)", ("heroku",), UUID),
    shaped(
        "flyio-token",
        "Fly.io access token",
        ("fm2_", "fm1r_", "fm1a_"),
        rf"fm(?:2|1r|1a)_(?P<body>[{B64}]{{100,}}={{0,3}})",
        start=B64,
        stop=B64_EDGE,
    ),
    token("flyio-org-token", "Fly.io organization token", "fo1_", f"[{URL}]{{43}}"),
    keyed("vercel-token", "Vercel access token", ("vercel",), f"[{B62}]{{24}}"),
    shaped(
        "netlify-token",
        "Netlify access token",
        ("nfp_", "nfo_"),
        f"nf[po]_(?P<body>[{B62}]{{36}})",
    ),
    keyed("netlify-legacy-token", "Netlify access token (legacy)", ("netlify",), f"[{URL}]{{43}}"),
    token("render-key", "Render API key", "rnd_", f"[{B62}]{{32}}"),
    shaped(
        "supabase-pat",
        "Supabase personal access token",
        ("sbp_",),
        f"sbp_(?:oauth_)?(?P<body>[{HEX}]{{40}})",
    ),
    token("supabase-secret-key", "Supabase secret API key", "sb_secret_", f"[{URL}]{{31,}}"),
    token("planetscale-token", "PlanetScale service token", "pscale_tkn_", f"[.{URL}]{{32,64}}"),
    token(
        "planetscale-password", "PlanetScale database password", "pscale_pw_", f"[.{URL}]{{32,64}}"
    ),
    token(
        "planetscale-oauth-token", "PlanetScale OAuth token", "pscale_oauth_", f"[.{URL}]{{32,64}}"
    ),
    token("neon-key", "Neon API key", "napi_", "[a-z0-9]{64}"),
    keyed(
        "upstash-token",
        "Upstash REST token",
        ("upstash",),
        f"A[{URL}]{{60,100}}={{0,2}}",
        stop="=" + URL,
    ),
)

NETWORK: tuple[Format, ...] = (
    keyed(
        "cloudflare-api-token",
        "Cloudflare API token",
        ("cloudflare", "cf_api_token", "cf_token"),
        f"[{URL}]{{40}}",
    ),
    keyed(
        "cloudflare-global-key",
        "Cloudflare global API key",
        ("cloudflare", "cf_api_key", "cf_auth_key"),
        f"[{HEX}]{{37}}",
    ),
    shaped(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        ("v1.0-",),
        rf"v1\.0-[{HEX}]{{24}}-(?P<body>[{HEX}]{{146}})",
    ),
    token("openshift-token", "OpenShift user token", "sha256~", f"[{URL}]{{43}}"),
    shaped(
        "akamai-client-token",
        "Akamai EdgeGrid client token",
        ("akab-",),
        "akab-(?P<body>[a-z0-9]{16}-[a-z0-9]{16})",
    ),
    keyed("fastly-token", "Fastly API token", ("fastly",), f"[{URL}]{{32}}"),
    shaped(
        "defined-networking-key",
        "Defined Networking API key",
        ("dnkey-",),
        "dnkey-(?P<body>[A-Z0-9]{26}-[A-Z0-9]{52})",
    ),
)

REGIONAL: tuple[Format, ...] = (
    token("alibaba-access-key", "Alibaba Cloud AccessKey ID", "LTAI", f"[{B62}]{{12,20}}"),
    keyed(
        "alibaba-secret-key",
        "Alibaba Cloud AccessKey secret",
        ("alibaba", "aliyun", "alicloud"),
        f"[{B62}]{{30}}",
        quals=("secret",),
    ),
    token("tencent-secret-id", "Tencent Cloud SecretId", "AKID", f"[{B62}]{{32}}"),
    keyed(
        "tencent-secret-key",
        "Tencent Cloud SecretKey",
        ("tencent", "qcloud"),
        f"[{B62}]{{32}}",
        quals=("secret", "key"),
    ),
    token("yandex-api-key", "Yandex Cloud API key", "AQVN", f"[{URL}]{{35,38}}"),
    shaped(
        "yandex-iam-token",
        "Yandex Cloud IAM token",
        ("t1.",),
        rf"t1\.(?P<body>[{URL}]{{60,}}={{0,2}}\.[{URL}]{{80,90}})={{0,2}}",
        stop="=." + URL,
    ),
    token(
        "yandex-access-key",
        "Yandex Cloud static access key secret",
        "YC",
        f"[{URL}]{{38}}",
        gate_pattern="yc[a-z0-9_-]{38}",
    ),
    token("yandex-oauth-token", "Yandex OAuth token", "y0_", f"[{URL}]{{55}}"),
    keyed("scaleway-secret-key", "Scaleway secret key", ("scaleway", "scw_"), UUID),
    keyed("linode-token", "Linode (Akamai) access token", ("linode",), f"[{HEX}]{{64}}"),
    keyed("vultr-key", "Vultr API key", ("vultr",), "[A-Z0-9]{36}"),
    keyed("hetzner-token", "Hetzner Cloud API token", ("hcloud", "hetzner"), f"[{B62}]{{64}}"),
    shaped(
        "castai-key",
        "CAST AI API key",
        ("castai_v1_",),
        f"castai_v1_(?P<body>[{B62}]{{64}})_[{B62}]{{8}}",
    ),
    token("clickhouse-secret", "ClickHouse Cloud key secret", "4b1d", f"[{B62}]{{38}}"),
)

DATABASES: tuple[Format, ...] = (
    raw(
        "mongodb-uri",
        "MongoDB connection string with a password",
        ("mongodb://", "mongodb+srv://"),
        r"mongodb(?:\+srv)?://[^:@/\s\"'`]{1,64}:(?P<secret>[^:@/\s\"'`]{8,128})@",
        accept=_password,
    ),
    raw(
        "database-url",
        "database URL with a password",
        (
            "postgres://",
            "postgresql://",
            "postgresql+",
            "mysql://",
            "mysql+",
            "mariadb://",
            "mssql://",
            "mssql+",
            "sqlserver://",
            "redis://",
            "rediss://",
            "amqp://",
            "amqps://",
            "cockroachdb://",
        ),
        r"(?i:postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|rediss?|amqps?|cockroachdb)"
        r"(?:\+\w+)?://[^:@/\s\"'`]{0,64}:(?P<secret>[^:@/\s\"'`]{8,128})@",
        accept=_password,
    ),
    keyed(
        "elastic-key",
        "Elastic API key (base64 of id:key)",
        ("elastic", "es_api_key"),
        f"[{B64}]{{32,}}={{0,2}}",
        stop=B64_EDGE,
        extra=user_and_password,
    ),
    keyed(
        "confluent-key", "Confluent Cloud API key", ("confluent",), "[A-Z0-9]{16}", quals=("key",)
    ),
    keyed(
        "confluent-secret",
        "Confluent Cloud API secret",
        ("confluent",),
        f"[{B64}]{{64}}",
        quals=("secret",),
        stop=B64_EDGE,
    ),
)

FORMATS: tuple[Format, ...] = (*AWS, *GOOGLE, *AZURE, *PLATFORMS, *NETWORK, *REGIONAL, *DATABASES)
