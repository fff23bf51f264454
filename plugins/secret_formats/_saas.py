"""Business software: CRM, support, productivity, content, commerce and data APIs."""

from __future__ import annotations

from ._model import B62, B64, B64_EDGE, HEX, URL, UUID, Format, keyed, raw, shaped, token

CRM_AND_SUPPORT: tuple[Format, ...] = (
    shaped(
        "hubspot-token",
        "HubSpot private app token",
        ("pat-na", "pat-eu", "pat-ap"),
        rf"pat-(?:na|eu|ap)\d-(?P<body>{UUID})",
    ),
    keyed("hubspot-api-key", "HubSpot API key (legacy)", ("hubspot", "hapikey"), UUID),
    shaped(
        "salesforce-token",
        "Salesforce access token",
        ("00d",),
        rf"00D[{B62}]{{12,15}}!(?P<body>[.{URL}]{{80,}})",
        stop="." + URL,
    ),
    keyed("zendesk-token", "Zendesk API token", ("zendesk",), f"[{B62}]{{40}}"),
    keyed(
        "intercom-token",
        "Intercom access token",
        ("intercom",),
        f"[{URL}]{{50,70}}={{0,2}}",
        stop="=" + URL,
    ),
    keyed("freshdesk-key", "Freshdesk API key", ("freshdesk",), f"[{B62}]{{20}}"),
    keyed("freshbooks-token", "FreshBooks access token", ("freshbooks",), "[a-z0-9]{64}"),
)

PRODUCTIVITY: tuple[Format, ...] = (
    token("notion-token", "Notion integration token", "secret_", f"[{B62}]{{43}}"),
    token("notion-token-v2", "Notion integration token", "ntn_", rf"\d{{11}}[{B62}]{{35}}"),
    shaped(
        "airtable-pat",
        "Airtable personal access token",
        ("pat",),
        rf"pat[{B62}]{{14}}\.(?P<body>[{HEX}]{{64}})",
        gate_pattern=r"pat[a-z0-9]{14}\.",
    ),
    keyed(
        "airtable-api-key",
        "Airtable API key (legacy)",
        ("airtable",),
        f"[{B62}]{{14}}",
        prefix="key",
    ),
    token("figma-token", "Figma personal access token", "figd_", f"[{URL}]{{40}}"),
    keyed("shortcut-token", "Shortcut API token", ("shortcut", "clubhouse"), UUID),
    shaped(
        "clickup-token",
        "ClickUp personal API token",
        ("pk_",),
        r"pk_\d{6,10}_(?P<body>[A-Z0-9]{32})",
    ),
    keyed("todoist-token", "Todoist API token", ("todoist",), f"[{HEX}]{{40}}"),
    keyed("jotform-key", "Jotform API key", ("jotform",), f"[{HEX}]{{32}}"),
    shaped(
        "calcom-key",
        "Cal.com API key",
        ("cal_live_", "cal_test_"),
        f"cal_(?:live|test)_(?P<body>[{HEX}]{{32}})",
    ),
    keyed(
        "asana-token",
        "Asana personal access token",
        ("asana",),
        rf"[012]/\d{{1,20}}(?:/\d{{1,20}})?:[{HEX}]{{32}}",
    ),
    keyed(
        "asana-client-secret",
        "Asana OAuth client secret",
        ("asana",),
        f"[{B62}]{{32}}",
        quals=("secret",),
    ),
    keyed("lokalise-token", "Lokalise API token", ("lokalise",), f"[{HEX}]{{40}}"),
    keyed("crowdin-token", "Crowdin personal access token", ("crowdin",), f"[{HEX}]{{80}}"),
    shaped(
        "harness-pat",
        "Harness personal or service account token",
        ("pat.", "sat."),
        rf"(?:pat|sat)\.[{URL}]{{22}}\.(?P<body>[{HEX}]{{24}}\.[{B62}]{{20}})",
    ),
)

CONTENT_AND_COMMERCE: tuple[Format, ...] = (
    token("contentful-pat", "Contentful management token", "CFPAT-", f"[{URL}]{{43}}"),
    keyed(
        "contentful-delivery-token", "Contentful delivery token", ("contentful",), f"[{URL}]{{43}}"
    ),
    keyed(
        "algolia-key",
        "Algolia admin or write API key",
        ("algolia",),
        f"[{HEX}]{{32}}",
        quals=("key", "secret"),
        deny=("search",),
    ),
    keyed(
        "beamer-key", "Beamer API key", ("beamer",), f"[={URL}]{{44}}", prefix="b_", stop="=" + URL
    ),
    keyed("sanity-token", "Sanity API token", ("sanity",), f"[{B62}]{{80,}}", prefix="sk"),
    keyed("storyblok-token", "Storyblok access token", ("storyblok",), f"[{B62}]{{22,24}}"),
    keyed("webflow-token", "Webflow API token", ("webflow",), f"[{HEX}]{{64}}"),
    shaped(
        "shopify-access-token",
        "Shopify Admin API access token",
        ("shpat_",),
        "shpat_(?P<body>[0-9a-fA-F]{32})",
    ),
    shaped(
        "shopify-shared-secret",
        "Shopify app shared secret",
        ("shpss_",),
        "shpss_(?P<body>[0-9a-fA-F]{32})",
    ),
    shaped(
        "shopify-custom-app-token",
        "Shopify custom app token",
        ("shpca_",),
        "shpca_(?P<body>[0-9a-fA-F]{32})",
    ),
    shaped(
        "shopify-private-app-token",
        "Shopify private app token",
        ("shppa_",),
        "shppa_(?P<body>[0-9a-fA-F]{32})",
    ),
    keyed("etsy-key", "Etsy API key", ("etsy",), "[a-z0-9]{24}"),
    keyed(
        "uploadcare-secret",
        "Uploadcare secret key",
        ("uploadcare",),
        f"[{HEX}]{{20}}",
        quals=("secret",),
    ),
    raw(
        "cloudinary-url",
        "Cloudinary URL with API secret",
        ("cloudinary://",),
        rf"cloudinary://(?P<secret>\d{{12,16}}:[{URL}]{{20,40}})@",
    ),
    shaped(
        "zapier-webhook",
        "Zapier webhook URL",
        ("hooks.zapier.com",),
        r"https://hooks\.zapier\.com/hooks/catch/\d+/(?P<body>[a-z0-9]{5,10})/?",
        start="",
        stop="",
        entropy=1.5,
    ),
    keyed(
        "mux-secret",
        "Mux token secret",
        ("mux_token", "mux_secret", "mux-token"),
        f"[{B64}]{{60,90}}={{0,2}}",
        stop=B64_EDGE,
        quals=("secret",),
    ),
    keyed(
        "getstream-secret",
        "Stream API secret",
        ("stream_api", "stream_secret", "getstream"),
        "[a-z0-9]{64}",
        quals=("secret",),
    ),
    keyed(
        "meilisearch-key", "Meilisearch master key", ("meili",), f"[{URL}]{{16,64}}", quals=("key",)
    ),
    keyed("typesense-key", "Typesense API key", ("typesense",), f"[{B62}]{{32}}"),
)

DATA_APIS: tuple[Format, ...] = (
    keyed("segment-key", "Segment write key", ("segment",), f"[{B62}]{{32}}"),
    keyed(
        "mixpanel-secret", "Mixpanel API secret", ("mixpanel",), f"[{HEX}]{{32}}", quals=("secret",)
    ),
    keyed(
        "amplitude-secret",
        "Amplitude secret key",
        ("amplitude",),
        f"[{HEX}]{{32}}",
        quals=("secret",),
    ),
    keyed("finnhub-key", "Finnhub API key", ("finnhub",), "[a-z0-9]{20}"),
    keyed("flickr-key", "Flickr API key", ("flickr",), f"[{HEX}]{{32}}"),
    keyed(
        "finicity-secret", "Finicity app secret", ("finicity",), f"[{B62}]{{20}}", quals=("secret",)
    ),
    keyed("rapidapi-key", "RapidAPI key", ("rapidapi",), f"[{URL}]{{50}}"),
    keyed("shodan-key", "Shodan API key", ("shodan",), f"[{B62}]{{32}}"),
    keyed("virustotal-key", "VirusTotal API key", ("virustotal", "vt_api"), f"[{HEX}]{{64}}"),
    keyed("ipinfo-token", "IPinfo access token", ("ipinfo",), f"[{HEX}]{{14}}"),
    keyed("openweather-key", "OpenWeather API key", ("openweather", "owm_api"), f"[{HEX}]{{32}}"),
    keyed("nytimes-key", "New York Times API key", ("nytimes", "nyt_api"), f"[{URL}]{{32}}"),
)

FORMATS: tuple[Format, ...] = (*CRM_AND_SUPPORT, *PRODUCTIVITY, *CONTENT_AND_COMMERCE, *DATA_APIS)
