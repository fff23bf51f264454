"""E-mail, SMS, chat, video and social networks."""

from __future__ import annotations

from ._checks import discord_id, json_with
from ._model import B62, HEX, MEDIUM, URL, UUID, Format, keyed, shaped, token

EMAIL_AND_SMS: tuple[Format, ...] = (
    token(
        "twilio-api-key",
        "Twilio API key SID",
        "SK",
        "[0-9a-fA-F]{32}",
        gate_pattern="sk[0-9a-f]{32}",
    ),
    keyed(
        "twilio-auth-token",
        "Twilio auth token",
        ("twilio",),
        f"[{HEX}]{{32}}",
        quals=("token", "secret"),
    ),
    shaped(
        "sendgrid-key",
        "SendGrid API key",
        ("sg.",),
        rf"SG\.[{URL}]{{22}}\.(?P<body>[{URL}]{{43}})",
    ),
    token("mailgun-key", "Mailgun API key", "key-", f"[{HEX}]{{32}}"),
    keyed(
        "mailgun-signing-key",
        "Mailgun API or webhook signing key",
        ("mailgun",),
        f"[{HEX}]{{32}}-[{HEX}]{{8}}-[{HEX}]{{8}}",
    ),
    shaped("mailchimp-key", "Mailchimp API key", ("-us",), rf"(?P<body>[{HEX}]{{32}})-us\d{{1,2}}"),
    keyed("mandrill-key", "Mandrill API key", ("mandrill",), f"[{URL}]{{22}}", prefix="md-"),
    keyed("postmark-token", "Postmark server or account token", ("postmark",), UUID),
    keyed("sparkpost-key", "SparkPost API key", ("sparkpost",), f"[{HEX}]{{40}}"),
    shaped(
        "brevo-key",
        "Brevo (Sendinblue) API key",
        ("xkeysib-",),
        f"xkeysib-(?P<body>[{HEX}]{{64}})-[{B62}]{{16}}",
    ),
    shaped(
        "brevo-smtp-key",
        "Brevo (Sendinblue) SMTP key",
        ("xsmtpsib-",),
        f"xsmtpsib-(?P<body>[{HEX}]{{64}})-[{B62}]{{16}}",
    ),
    token("mailersend-token", "MailerSend API token", "mlsn.", f"[{HEX}]{{64}}"),
    shaped(
        "resend-key",
        "Resend API key",
        ("re_",),
        f"re_(?P<body>[{B62}]{{8}}_[{B62}]{{24}})",
        gate_pattern="re_[a-z0-9]{8}_",
    ),
    keyed(
        "mailjet-secret",
        "Mailjet API secret key",
        ("mailjet", "mj_apikey"),
        f"[{HEX}]{{32}}",
        quals=("secret", "private"),
    ),
    keyed("messagebird-key", "MessageBird API key", ("messagebird",), f"[{B62}]{{25}}"),
    keyed(
        "vonage-secret",
        "Vonage (Nexmo) API secret",
        ("vonage", "nexmo"),
        f"[{B62}]{{16}}",
        quals=("secret",),
    ),
    keyed("plivo-token", "Plivo auth token", ("plivo",), f"[{B62}]{{40}}"),
)

CHAT: tuple[Format, ...] = (
    shaped(
        "telegram-bot-token",
        "Telegram bot token",
        (":aa",),
        rf"\d{{8,10}}:AA(?P<body>[{URL}]{{33}})",
    ),
    keyed(
        "discord-bot-token",
        "Discord bot token",
        ("discord",),
        rf"[{URL}]{{23,28}}\.[{URL}]{{6}}\.[{URL}]{{27,38}}",
        checksum=discord_id,
    ),
    shaped(
        "discord-webhook",
        "Discord webhook URL",
        ("discord.com/api/webhooks", "discordapp.com/api/webhooks"),
        rf"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{{17,20}}/(?P<body>[{URL}]{{60,80}})",
        start="",
    ),
    keyed(
        "discord-client-secret",
        "Discord OAuth client secret",
        ("discord",),
        f"[{URL}]{{32}}",
        quals=("secret",),
    ),
    keyed("pusher-secret", "Pusher app secret", ("pusher",), f"[{HEX}]{{20}}", quals=("secret",)),
    keyed(
        "ably-key",
        "Ably API key",
        ("ably_api", "ably_key", "ably-key", "ably_secret", "ably_token"),
        rf"[{URL}]{{5,10}}\.[{URL}]{{5,10}}:[{URL}]{{40,50}}",
    ),
    keyed("sendbird-token", "Sendbird API token", ("sendbird",), f"[{HEX}]{{40}}"),
    keyed(
        "zoom-secret",
        "Zoom client or API secret",
        ("zoom",),
        f"[{B62}]{{32,36}}",
        quals=("secret",),
    ),
    keyed("twitch-token", "Twitch OAuth token", ("twitch",), "[a-z0-9]{30}", lead="oauth:"),
)

SOCIAL: tuple[Format, ...] = (
    shaped(
        "twitter-bearer-token",
        "X (Twitter) bearer token",
        ("a" * 22,),
        f"A{{22}}(?P<body>[%{B62}]{{80,}})",
        stop="%" + URL,
    ),
    keyed(
        "twitter-api-key",
        "X (Twitter) API key",
        ("twitter",),
        f"[{B62}]{{25}}",
        quals=("api_key", "apikey", "consumer_key", "api-key"),
    ),
    keyed(
        "twitter-api-secret",
        "X (Twitter) API secret",
        ("twitter",),
        f"[{B62}]{{50}}",
        quals=("secret",),
    ),
    keyed(
        "twitter-access-token",
        "X (Twitter) access token",
        ("twitter",),
        rf"\d{{6,20}}-[{B62}]{{40}}",
        quals=("token",),
    ),
    keyed(
        "twitter-access-secret",
        "X (Twitter) access token secret",
        ("twitter",),
        f"[{B62}]{{45}}",
        quals=("secret",),
    ),
    shaped(
        "facebook-access-token",
        "Meta (Facebook) access token",
        ("eaa",),
        f"EAA[A-Za-z]{{1,2}}(?P<body>[{B62}]{{100,}})",
    ),
    keyed(
        "facebook-app-secret",
        "Meta (Facebook) app secret",
        ("facebook", "fb_app", "fb_secret"),
        f"[{HEX}]{{32}}",
        quals=("secret",),
    ),
    token("instagram-token", "Instagram access token", "IGQV", f"[{URL}]{{100,}}"),
    keyed(
        "linkedin-secret",
        "LinkedIn client secret",
        ("linkedin",),
        f"[{B62}]{{16}}",
        quals=("secret",),
    ),
    token("pinterest-token", "Pinterest access token", "pina_", f"[{B62}]{{60,}}"),
    keyed(
        "reddit-secret", "Reddit client secret", ("reddit",), f"[{URL}]{{27,30}}", quals=("secret",)
    ),
    keyed(
        "spotify-secret", "Spotify client secret", ("spotify",), f"[{HEX}]{{32}}", quals=("secret",)
    ),
    shaped(
        "dropbox-token",
        "Dropbox short-lived access token",
        ("sl.",),
        rf"sl\.(?:u\.)?(?P<body>[{URL}]{{130,}})",
    ),
    shaped(
        "dropbox-long-lived-token",
        "Dropbox long-lived access token",
        ("a" * 10,),
        f"[{B62}]{{11}}A{{10}}(?P<body>[{URL}]{{43}})",
    ),
    keyed(
        "dropbox-app-secret", "Dropbox app secret", ("dropbox",), "[a-z0-9]{15}", quals=("secret",)
    ),
    shaped(
        "mapbox-secret-token",
        "Mapbox secret token",
        ("sk.eyj1ijoi",),
        rf"sk\.(?P<body>eyJ1Ijoi[{URL}]{{10,}}\.[{URL}]{{22}})",
        checksum=lambda secret: json_with("u")(secret[3:].partition(".")[0]),
    ),
    shaped(
        "mapbox-public-token",
        "Mapbox public token (public by design; check its scopes)",
        ("pk.eyj1ijoi",),
        rf"pk\.(?P<body>eyJ1Ijoi[{URL}]{{10,}}\.[{URL}]{{22}})",
        confidence=MEDIUM,
    ),
)

FORMATS: tuple[Format, ...] = (*EMAIL_AND_SMS, *CHAT, *SOCIAL)
