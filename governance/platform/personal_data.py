"""Personal data of residents of concern at rest: encrypted with the PERSONAL_DATA_KEY
(Fernet: AES in CBC mode with an HMAC), so that a raw SELECT or a database dump shows
ciphertext only; and a keyed hash beside what must be found by exact value (an ID number),
since the ciphertext of the same value differs every time."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _keys(configured: str, secret: str) -> tuple[Fernet, bytes]:
    if configured:
        key = configured.encode()
    else:  # development only (settings refuse this without DEBUG): derived, stable per .env
        key = base64.urlsafe_b64encode(hashlib.sha256(b"personal-data:" + secret.encode()).digest())
    try:
        fernet = Fernet(key)
    except ValueError as error:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEY must be a Fernet key: 32 url-safe base64-encoded bytes."
        ) from error
    lookup = hashlib.sha256(b"lookup:" + base64.urlsafe_b64decode(key)).digest()
    return fernet, lookup


def _current() -> tuple[Fernet, bytes]:
    return _keys(settings.PERSONAL_DATA_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _current()[0].encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current()[0].decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        # Loud: a wrong key must never pass for empty data.
        raise ImproperlyConfigured(
            "Personal data cannot be decrypted with this PERSONAL_DATA_KEY."
        ) from error


def lookup_hash(kind: str, value: str) -> str:
    """The keyed hash an exact lookup compares: the same value gives the same hash, and
    without the key nobody can test guesses against the column."""
    message = f"{kind}:{value.strip().upper()}".encode()
    return hmac.new(_current()[1], message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted and read back in clear. Only exact lookups through a separate
    hash column are possible; filtering on this column itself finds nothing."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
