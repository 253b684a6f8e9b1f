"""The two-step-verification device admins of django-otp, with Chinese column and filter names
(issue 13 item 12: "English headers in the admin"). django-otp's fields carry English names outside
gettext ("last used at"); changing the fields would change the package's migration state, so the
columns and filters here carry their own translated titles instead. Loaded after django-otp's admin
modules (dte.web follows them in INSTALLED_APPS)."""

from axes.admin import AccessAttemptAdmin
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


def _titled(filter_class, title):
    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def _column(field: str, description, **options):
    """A list column showing the device's `field` under a translated title, sortable by that field."""
    @admin.display(description=description, ordering=field, **options)
    def column(self, device):
        return getattr(device, field)

    column.__name__ = f"device_{field}"
    return column


class _ChineseDeviceColumns:
    list_display = ["device_user", "device_name", "device_created_at", "device_last_used_at", "device_confirmed"]
    list_filter = [
        ("created_at", _titled(admin.DateFieldListFilter, _("created at"))),
        ("last_used_at", _titled(admin.DateFieldListFilter, _("last used at"))),
        ("confirmed", _titled(admin.BooleanFieldListFilter, _("confirmed"))),
    ]
    search_help_text = _("Search by username")

    def get_list_display(self, request):
        return self.list_display  # not django-otp's extra "QR Code" column (English title; shows the secret's QR)

    device_user = _column("user", _("user"))
    device_name = _column("name", _("device name"))
    device_created_at = _column("created_at", _("created at"))
    device_last_used_at = _column("last_used_at", _("last used at"))
    device_confirmed = _column("confirmed", _("confirmed"), boolean=True)


class ChineseTOTPDeviceAdmin(_ChineseDeviceColumns, TOTPDeviceAdmin):
    pass


class ChineseStaticDeviceAdmin(_ChineseDeviceColumns, StaticDeviceAdmin):
    pass


for _model, _admin_class in ((TOTPDevice, ChineseTOTPDeviceAdmin), (StaticDevice, ChineseStaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)

# django-axes' status column has no title of its own (the header would read "Status", outside gettext).
AccessAttemptAdmin.status.short_description = _("status")
AccessAttemptAdmin.expiration.short_description = _("Expires At")
