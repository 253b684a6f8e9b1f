from django.conf import settings
from django.core.checks import Error, register

from . import signing


@register(deploy=True)
def signing_key_configured(app_configs, **kwargs):
    """Production signs certificates with real keys, never with one derived from SECRET_KEY."""
    if signing.is_derived() and not settings.DEBUG:
        return [Error("DTE_SIGNING_KEY is not set: certificates would be signed with a key derived from SECRET_KEY.",
                      hint="Generate one with `dte credentials newkey s1` and set DTE_SIGNING_KEY.", id="credentials.E001")]
    try:
        signing.keyring()
    except Exception as error:  # noqa: BLE001 - ImproperlyConfigured with the exact reason
        return [Error(str(error), id="credentials.E002")]
    return []
