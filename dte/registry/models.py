"""The real-name trainee registry (实名制): one person, one record, across the province."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope
from dte.privacy.fields import EncryptedTextField
from dte.privacy.idnumber import mask_id_number, mask_phone


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"), purpose="id_number")
    id_index = models.CharField(max_length=64, unique=True, editable=False)  # keyed blind index for lookup/dedup
    phone = EncryptedTextField(_("mobile phone"), purpose="phone", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("place of residence"))
    registered_by = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="registered_people"
    )
    user = models.OneToOneField("organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="division__code", organisation="registered_by_id", owner="user_id")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
