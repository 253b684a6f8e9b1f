"""Public links printed on certificates (QR codes) and used as credential ids."""

from django.conf import settings

VERIFY_PREFIX = "/credentials/v/"


def base_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def verify_url(token: str) -> str:
    """The public verification page of a certificate (either kind) by its unguessable token."""
    return f"{base_url()}{VERIFY_PREFIX}{token}/"


def keys_url() -> str:
    return f"{base_url()}/credentials/keys.json"
