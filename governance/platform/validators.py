"""Checks for Chinese identity numbers and mobile numbers, shared by cases, staff and
residents."""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: 17 digits, then a check character from the weighted sum mod 11. Digits
# are ASCII 0-9 only: "\d" would also take full-width "１" and other scripts' digits, and
# such a number would slip past the unique index and the lookup of its ASCII twin.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
# A mobile, an 18-character ID number or a 15-digit one of the first generation, anywhere
# in a text whose separators are taken out.
PERSONAL_NUMBER_INSIDE = re.compile(r"1[3-9][0-9]{9}|[0-9]{17}[0-9X]|[0-9]{15}")
SEPARATORS = re.compile(r"[\s.+_()-]")


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_is_valid(value: str) -> bool:
    value = value.strip().upper()
    if not ID_PATTERN.fullmatch(value):
        return False
    try:  # digits 7-14 are the birth date: a real day, not in the future
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born > timezone.localdate():
        return False
    return id_number_check_char(value[:17]) == value[17]


def mobile_is_valid(value: str) -> bool:
    digits = value.strip().replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return bool(MOBILE_PATTERN.fullmatch(digits))


def mask_id_number(value: str) -> str:
    """430521********1234: enough to tell two people apart, not enough to misuse."""
    value = str(value or "")
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else value


def mask_phone(value: str) -> str:
    value = str(value or "")
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


def username_is_personal(value: str) -> bool:
    """A username that is, or holds, a phone or ID number ("13812345678", "+86 138-1234-5678",
    "zhang13812345678"). A username is shown wherever its holder's work is (case timelines,
    the audit log, workbooks): it must say nothing about the person."""
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    return bool(PERSONAL_NUMBER_INSIDE.search(text))


USERNAME_PERSONAL_MESSAGE = _(
    "A username must not be, or contain, a mobile number or an ID number: use the staff "
    "number (e.g. staff1234) or another name made of letters."
)


def validate_username_not_personal(value: str) -> None:
    if username_is_personal(value):
        raise ValidationError(USERNAME_PERSONAL_MESSAGE, code="personal_username")


# A reveal's stated purpose (查看完整信息的事由), as the residents' reveal asks for it.
PURPOSE_MIN = 4
PURPOSE_MAX = 200


def purpose_errors(purpose: str) -> dict[str, list[str]]:
    """Field errors on `reason` for a reveal's purpose: required, kept to the access log."""
    purpose = (purpose or "").strip()
    if len(purpose) < PURPOSE_MIN:
        return {
            "reason": [
                _("State the purpose (at least %(min)s characters); it is kept in the access log.")
                % {"min": PURPOSE_MIN}
            ]
        }
    if len(purpose) > PURPOSE_MAX:
        return {"reason": [_("Keep the reason to %(max)s characters.") % {"max": PURPOSE_MAX}]}
    return {}
