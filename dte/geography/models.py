"""Administrative divisions (GB/T 2260) and the jurisdiction tree
national → province → prefecture → county."""

from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONAL_CODE = "000000"


class Division(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture")
        COUNTY = "county", _("County")

    code = models.CharField(_("GB/T 2260 code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def scope_prefix(self) -> str:
        """The code prefix every division inside this one shares: the whole country
        is '', a province its 2 digits, a prefecture its 4, a county all 6."""
        return {
            self.Level.NATIONAL: "",
            self.Level.PROVINCE: self.code[:2],
            self.Level.PREFECTURE: self.code[:4],
        }.get(self.level, self.code)

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000" if self.level != self.Level.NATIONAL else NATIONAL_CODE

    def contains(self, other_code: str) -> bool:
        return other_code.startswith(self.scope_prefix)
