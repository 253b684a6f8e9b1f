"""Reading personal data in the clear (logged) and rotating the encryption key."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from dte.audit.services import audit_record
from dte.organisations.roles import UNMASK_ROLES
from dte.organisations.scoping import can_access

from . import crypto
from .fields import EncryptedTextField
from .idnumber import mask_id_number, mask_phone

MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def may_unmask(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in UNMASK_ROLES))


def personal_data_masked(value: str, purpose: str) -> str:
    return MASKERS.get(purpose, lambda v: "*" * len(v))(value or "")


def personal_data_reveal(user, obj, field_name: str) -> str:
    """The clear value for an entitled user with access to `obj`; every call is audited."""
    if not may_unmask(user) or not can_access(user, obj):
        raise PermissionDenied("Your role may not see this personal data in full.")
    audit_record("personal_data.reveal", obj=obj, actor=user, after={"field": field_name})
    return getattr(obj, field_name)


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def personal_data_rotate(batch_size: int = 1000) -> int:
    """Re-encrypt every value not sealed with the active key; returns values rewritten."""
    active = crypto.active_kid()
    rewritten = 0
    for model, field in encrypted_fields():
        manager = model._base_manager
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(model._meta.pk.column)}, {quote(field.column)} FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(field.column)} IS NOT NULL AND {quote(field.column)} <> ''"
            )
            stale = [(pk, token) for pk, token in cursor.fetchall() if crypto.key_id_of(token) != active]
        for start in range(0, len(stale), batch_size):
            with transaction.atomic():
                for pk, token in stale[start : start + batch_size]:
                    manager.filter(pk=pk).update(**{field.attname: crypto.decrypt(token, field.purpose)})
                    rewritten += 1
    return rewritten


def stored_files():
    """(model, field name, stored name) of every file kept by a FileField."""
    from django.db.models import FileField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                for name in model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                    if name:
                        yield model, field, name


def files_seal() -> tuple[int, int]:
    """Encrypt, in place, the stored files written before encryption at rest; returns (sealed, total)."""
    sealed = total = 0
    for _model, field, name in stored_files():
        storage = field.storage
        if hasattr(storage, "seal_in_place") and storage.exists(name):
            total += 1
            sealed += storage.seal_in_place(name)
    return sealed, total
