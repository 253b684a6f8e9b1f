"""A model field that is encrypted at rest and plain in Python."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; the attribute holds the plaintext.

    Exact lookups cannot work on ciphertext (random nonces): pair the field with a
    blind-index column (see dte.privacy.crypto.blind_index) and query that.
    """

    def __init__(self, *args, purpose: str = "pii", **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), self.purpose)
