"""Chinese names in the admin for the third-party apps (issue 13 item 12: "English headers in the admin").

django-axes and django-otp name their apps by label ("Axes", "Otp_Static") and django-otp's device
models by English literals outside gettext ("TOTP device"). These AppConfig subclasses, listed in
INSTALLED_APPS instead of the packages' own, give the apps a translatable name and, in ready(), the
device models translatable display names. Only the display names change (`_meta.verbose_name`);
the models' migration state (`original_attrs`) is untouched, so no migration in the packages follows."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


# django-axes' own msgids (its models' names in the admin): listed here so that scripts/i18n.py, which
# extracts from dte/ only, puts them into the project catalogue with their Chinese translation.
AXES_MSGIDS = (
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Attempt Time"), gettext_noop("Logout Time"), gettext_noop("IP Address"), gettext_noop("User Agent"),
    gettext_noop("Username"), gettext_noop("Access lock out"), gettext_noop("Failed Logins"), gettext_noop("Path"),
    gettext_noop("Locked Out"), gettext_noop("Expires At"), gettext_noop("Attempt Remaining"),
    gettext_noop("Form Data"), gettext_noop("Meta Data"), gettext_noop("Not set"),
)
# Django admin's own msgids that its zh_Hans catalogue does not translate yet (the index table's
# screen-reader headers).
DJANGO_ADMIN_MSGIDS = (gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"))


class AxesConfig(AxesAppConfig):
    name = "axes"
    verbose_name = _("Login lockout")


class _OtpPluginConfig(AppConfig):
    """A django-otp plugin app: a translatable app name, and in ready() translatable display names for the
    models in `model_names` (model name → (singular, plural))."""

    default_auto_field = "django.db.models.AutoField"
    model_names: dict = {}

    def ready(self) -> None:
        for model, (singular, plural) in self.model_names.items():
            meta = self.get_model(model)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural


class OtpTotpConfig(_OtpPluginConfig):
    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = _("Two-step verification: authenticator app")
    model_names = {"TOTPDevice": (_("authenticator app device"), _("authenticator app devices"))}


class OtpStaticConfig(_OtpPluginConfig):
    name = "django_otp.plugins.otp_static"
    label = "otp_static"
    verbose_name = _("Two-step verification: backup codes")
    model_names = {"StaticDevice": (_("backup code device"), _("backup code devices")),
                   "StaticToken": (_("backup code"), _("backup codes"))}
