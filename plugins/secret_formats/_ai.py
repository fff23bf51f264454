"""AI and machine-learning platforms (Anthropic and OpenAI keys are rules of the secrets plugin)."""

from __future__ import annotations

from ._model import B62, HEX, URL, Format, keyed, shaped, token

FORMATS: tuple[Format, ...] = (
    token("huggingface-token", "Hugging Face access token", "hf_", "[A-Za-z]{34}"),
    token("huggingface-org-token", "Hugging Face organization token", "api_org_", "[A-Za-z]{34}"),
    token("groq-key", "Groq API key", "gsk_", f"[{B62}]{{52}}"),
    token("replicate-token", "Replicate API token", "r8_", f"[{B62}]{{37}}"),
    token("perplexity-key", "Perplexity API key", "pplx-", f"[{B62}]{{48}}"),
    token("xai-key", "xAI API key", "xai-", f"[{B62}]{{80}}"),
    token("openrouter-key", "OpenRouter API key", "sk-or-v1-", f"[{HEX}]{{64}}"),
    shaped(
        "langsmith-key",
        "LangSmith API key",
        ("lsv2_pt_", "lsv2_sk_"),
        f"lsv2_(?:pt|sk)_(?P<body>[{HEX}]{{32}})_[{HEX}]{{10}}",
    ),
    shaped(
        "pinecone-key",
        "Pinecone API key",
        ("pcsk_",),
        f"pcsk_[{B62}]{{4,8}}_(?P<body>[{B62}]{{60,70}})",
    ),
    shaped(
        "tavily-key",
        "Tavily API key",
        ("tvly-",),
        f"tvly-(?:dev-|prod-)?(?P<body>[{B62}]{{32}})",
    ),
    keyed("cohere-key", "Cohere API key", ("cohere", "co_api_key"), f"[{B62}]{{40}}"),
    keyed("mistral-key", "Mistral AI API key", ("mistral",), f"[{B62}]{{32}}"),
    keyed("together-key", "Together AI API key", ("together",), f"[{HEX}]{{64}}"),
    keyed("deepseek-key", "DeepSeek API key", ("deepseek",), f"[{HEX}]{{32}}", prefix="sk-"),
    token("fireworks-key", "Fireworks AI API key", "fw_", f"[{B62}]{{24}}"),
    token("elevenlabs-key", "ElevenLabs API key", "sk_", f"[{HEX}]{{48}}"),
    keyed("deepgram-key", "Deepgram API key", ("deepgram",), f"[{HEX}]{{40}}"),
    keyed("assemblyai-key", "AssemblyAI API key", ("assemblyai", "assembly_ai"), f"[{HEX}]{{32}}"),
    keyed("stability-key", "Stability AI API key", ("stability",), f"[{B62}]{{48}}", prefix="sk-"),
    keyed("wandb-key", "Weights & Biases API key", ("wandb",), f"[{HEX}]{{40}}"),
    token("cerebras-key", "Cerebras API key", "csk-", "[a-z0-9]{48}"),
    token("voyage-key", "Voyage AI API key", "pa-", f"[{URL}]{{43}}"),
    token("runpod-key", "Runpod API key", "rpa_", "[A-Z0-9]{40}"),
)
