"""Payments, commerce and crypto exchanges."""

from __future__ import annotations

from ._model import B62, B64, B64_EDGE, HEX, URL, UUID, Format, keyed, shaped, token

CARDS: tuple[Format, ...] = (
    token("stripe-secret-key", "Stripe secret key", "sk_live_", f"[{B62}]{{24,247}}"),
    token("stripe-restricted-key", "Stripe restricted key", "rk_live_", f"[{B62}]{{24,247}}"),
    token(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        "whsec_",
        f"[{B64}]{{32,88}}={{0,2}}",
        stop=B64_EDGE,
    ),
    token("square-access-token", "Square access token", "EAAA", f"[{URL}]{{60}}"),
    token("square-oauth-secret", "Square OAuth application secret", "sq0csp-", f"[{URL}]{{43}}"),
    token(
        "square-legacy-token", "Square personal access token (legacy)", "sq0atp-", f"[{URL}]{{22}}"
    ),
    shaped(
        "braintree-access-token",
        "PayPal Braintree access token",
        ("access_token$",),
        rf"access_token\$(?:production|sandbox)\$[0-9a-z]{{16}}\$(?P<body>[{HEX}]{{32}})",
    ),
    shaped(
        "flutterwave-secret-key",
        "Flutterwave secret key",
        ("flwseck-", "flwseck_test-"),
        rf"FLWSECK(?:_TEST)?-(?P<body>[{HEX}]{{32}})-X",
    ),
    token(
        "flutterwave-encryption-key", "Flutterwave encryption key", "FLWSECK_TEST", f"[{HEX}]{{12}}"
    ),
    shaped(
        "shippo-token",
        "Shippo API token",
        ("shippo_live_", "shippo_test_"),
        f"shippo_(?:live|test)_(?P<body>[{HEX}]{{40}})",
    ),
    keyed(
        "gocardless-token",
        "GoCardless access token",
        ("gocardless",),
        f"[{URL}]{{40}}",
        prefix="live_",
    ),
    keyed(
        "razorpay-secret",
        "Razorpay key secret",
        ("razorpay",),
        f"[{B62}]{{24}}",
        quals=("secret",),
    ),
    keyed(
        "paystack-secret-key",
        "Paystack secret key",
        ("paystack",),
        f"[{HEX}]{{40}}",
        prefix="sk_live_",
    ),
    shaped(
        "adyen-key",
        "Adyen API key",
        ("hmfx",),
        f"AQE[{B62}]{{1,3}}hmfx(?P<body>[A-Za-z0-9+/=-]{{60,}})",
        stop="A-Za-z0-9+/=-",
    ),
    shaped(
        "plaid-access-token",
        "Plaid access token",
        ("access-production-", "access-development-", "access-sandbox-"),
        f"access-(?:production|development|sandbox)-(?P<body>{UUID})",
    ),
    keyed("plaid-secret", "Plaid secret", ("plaid",), f"[{HEX}]{{30}}", quals=("secret",)),
    shaped(
        "paddle-key",
        "Paddle API key",
        ("pdl_live_", "pdl_sdbx_"),
        f"pdl_(?:live|sdbx)_apikey_(?P<body>[a-z0-9]{{26}}_[{B62}]{{22}}_[{B62}]{{3}})",
    ),
    shaped(
        "duffel-token",
        "Duffel API token",
        ("duffel_live_", "duffel_test_"),
        f"duffel_(?:live|test)_(?P<body>[{URL}]{{43}})",
    ),
    shaped("easypost-key", "EasyPost API key", ("ezak", "eztk"), f"EZ[AT]K(?P<body>[{B62}]{{54}})"),
    keyed(
        "lob-key",
        "Lob API key",
        ("lob_api", "lob-api", "lob_key", "lob_secret"),
        f"[{HEX}]{{35}}",
        prefix="live_",
    ),
    keyed("chargebee-key", "Chargebee API key", ("chargebee",), f"[{B62}]{{32}}", prefix="live_"),
    token("woocommerce-secret", "WooCommerce consumer secret", "cs_", f"[{HEX}]{{40}}"),
    keyed("mollie-key", "Mollie API key", ("mollie",), f"[{B62}]{{30}}", prefix="live_"),
)

CRYPTO: tuple[Format, ...] = (
    keyed(
        "coinbase-secret",
        "Coinbase API secret",
        ("coinbase",),
        f"[{B62}]{{32,64}}",
        quals=("secret",),
    ),
    keyed(
        "kraken-key",
        "Kraken API private key",
        ("kraken",),
        f"[{B64}]{{80,90}}={{0,2}}",
        stop=B64_EDGE,
    ),
    keyed("kucoin-secret", "KuCoin API secret", ("kucoin",), UUID, quals=("secret",)),
    keyed(
        "bittrex-secret", "Bittrex API secret", ("bittrex",), f"[{HEX}]{{32}}", quals=("secret",)
    ),
    keyed("etherscan-key", "Etherscan API key", ("etherscan",), "[A-Z0-9]{34}"),
    keyed(
        "infura-secret", "Infura project secret", ("infura",), f"[{HEX}]{{32}}", quals=("secret",)
    ),
    keyed("alchemy-key", "Alchemy API key", ("alchemy",), f"[{URL}]{{32}}"),
    keyed("binance-secret", "Binance API secret", ("binance",), f"[{B62}]{{64}}"),
)

FORMATS: tuple[Format, ...] = (*CARDS, *CRYPTO)
