"""crypto.blind_index computes HMAC-SHA256 from two pre-keyed hashlib states (issue 12 item 1): the
digests must be exactly hmac.new's, for keys shorter and longer than the hash's 64-byte block, or every
stored blind index (de-duplication, phone login) would stop matching."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from django.test import override_settings

from dte.privacy import crypto


@pytest.mark.parametrize("length", [32, 64, 65, 100])
def test_blind_index_is_hmac_sha256_of_purpose_and_value(length):
    key = bytes(range(7, 7 + length))
    values = ["11010519900307001X", "13800138000", "", "李四 x"]
    with override_settings(DTE_INDEX_KEY=base64.b64encode(key).decode()):
        expected = [hmac.new(key, f"phone:{value}".encode(), hashlib.sha256).hexdigest() for value in values]
        assert [crypto.blind_index(value, "phone") for value in values] == expected
        assert crypto.blind_index_many(values, "phone") == expected
        assert [crypto.blind_indexer("phone")(value) for value in values] == expected
        assert crypto.blind_index(values[0], "id_number") != crypto.blind_index(values[0], "phone")
