"""Properties of the validators, tried on thousands of generated inputs (Hypothesis): the
identity number's check (GB 11643), mobile numbers, area codes (统计用区划代码 and their
grid extensions) and the check of an uploaded file by its bytes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from disputes.models import AttachmentKind
from disputes.services.attachments import (
    DOCUMENT_EXTENSIONS,
    DOCUMENT_SIGNATURES,
    PHOTO_SIGNATURES,
    attachment_content_type,
)
from governance.platform.validators import (
    id_number_check_char,
    id_number_is_valid,
    mask_id_number,
    mask_phone,
    mobile_is_valid,
)
from grids.models import Area, AreaLevel
from grids.rules import CODE_LENGTH, OWN_DIGITS, area_errors

quick = settings(deadline=None, max_examples=300)
ASCII_DIGITS = "0123456789"
# Digits of other scripts that str.isdigit() and "\d" accept: full-width (the one a Chinese
# input method types), Arabic-Indic, Devanagari, superscripts.
FOREIGN_DIGITS = st.sampled_from("０１２３４５６７８９٠١٢٣٤٥٦٧٨٩०१२३४५६७८९²³¹")


def ascii_digits(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=ASCII_DIGITS, min_size=size, max_size=size)


# --- Identity numbers (GB 11643-1999) -------------------------------------------------


@st.composite
def id_numbers(draw) -> str:
    """A well-formed number: region, a real birth date up to today, sequence, check."""
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=timezone.localdate()))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


@quick
@given(id_numbers())
def test_every_well_formed_id_number_passes(number):
    assert id_number_is_valid(number)


@quick
@given(id_numbers(), st.sampled_from(["", " ", "\t", "\u3000"]))
def test_a_lower_case_x_and_surrounding_spaces_are_forgiven(number, space):
    assert id_number_is_valid(f"{space}{number.lower()}{space}")


@quick
@given(id_numbers(), st.integers(0, 17), st.integers(1, 9))
def test_changing_any_single_digit_is_caught(number, position, shift):
    # Every weight is coprime with 11, so no single change keeps the check character.
    old = number[position]
    new = str(shift) if old == "X" else str((int(old) + shift) % 10)
    changed = number[:position] + new + number[position + 1 :]
    assert not id_number_is_valid(changed), changed


@quick
@given(id_numbers(), st.integers(0, 15))
def test_swapping_two_neighbouring_digits_is_caught(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not id_number_is_valid(swapped), swapped


@quick
@given(id_numbers(), st.data())
def test_digits_of_other_scripts_are_not_digits_of_an_id_number(number, data):
    # "４３０５２１…" typed with a Chinese input method would otherwise pass the check and
    # slip past the unique index of its ASCII twin.
    position = data.draw(st.integers(0, 16))
    foreign = data.draw(FOREIGN_DIGITS)
    assert not id_number_is_valid(number[:position] + foreign + number[position + 1 :])
    full_width = number.translate(str.maketrans(ASCII_DIGITS, "０１２３４５６７８９"))
    assert not id_number_is_valid(full_width)


@quick
@given(id_numbers(), st.text(alphabet=ASCII_DIGITS + "X", min_size=1, max_size=3))
def test_a_number_cut_short_or_made_longer_fails(number, extra):
    assert not id_number_is_valid(number[:-1])
    assert not id_number_is_valid(number + extra)
    assert not id_number_is_valid(number[: -len(extra) - 1])


@quick
@given(
    st.integers(110000, 659999),
    st.integers(1900, 2020),
    st.sampled_from(
        [(0, 1), (13, 1), (2, 30), (4, 31), (6, 31), (9, 31), (11, 31), (1, 0), (1, 32)]
    ),
)
def test_a_birth_date_that_is_no_day_fails_even_with_the_right_check(region, year, month_day):
    month, day = month_day
    first17 = f"{region}{year:04d}{month:02d}{day:02d}001"
    assert not id_number_is_valid(first17 + id_number_check_char(first17))


@quick
@given(st.integers(110000, 659999), st.integers(1, 3650))
def test_a_birth_date_in_the_future_fails(region, days):
    born = timezone.localdate() + timedelta(days=days)
    first17 = f"{region}{born:%Y%m%d}001"
    assert not id_number_is_valid(first17 + id_number_check_char(first17))


@quick
@given(id_numbers())
def test_a_masked_id_number_keeps_region_and_last_four_and_hides_the_birth_date(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert set(masked[6:14]) == {"*"}


# --- Mobile numbers ---------------------------------------------------------------------


@st.composite
def mobiles(draw) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(ascii_digits(9))


@quick
@given(mobiles())
def test_every_mainland_mobile_number_passes(number):
    assert mobile_is_valid(number)


@quick
@given(mobiles())
def test_a_mobile_may_be_written_with_the_country_code_spaces_or_hyphens(number):
    for written in (
        f"+86{number}",
        f"+86 {number}",
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
        f" {number} ",
    ):
        assert mobile_is_valid(written), written


@quick
@given(mobiles(), st.sampled_from("012"))
def test_a_mobile_whose_second_digit_is_0_1_or_2_fails(number, second):
    assert not mobile_is_valid(number[0] + second + number[2:])


@quick
@given(mobiles(), st.text(alphabet=ASCII_DIGITS, min_size=1, max_size=4))
def test_a_mobile_of_another_length_fails(number, extra):
    assert not mobile_is_valid(number + extra)
    assert not mobile_is_valid(number[: 11 - len(extra)])


@quick
@given(mobiles(), st.integers(2, 10), FOREIGN_DIGITS)
def test_a_mobile_with_digits_of_another_script_fails(number, position, foreign):
    assert not mobile_is_valid(number[:position] + foreign + number[position + 1 :])


@quick
@given(mobiles())
def test_a_masked_mobile_shows_only_the_first_three_and_last_four_digits(number):
    assert mask_phone(number) == number[:3] + "****" + number[-4:]


# --- Area codes -----------------------------------------------------------------------

CHILD_LEVELS = [
    AreaLevel.COUNTY,
    AreaLevel.TOWNSHIP,
    AreaLevel.VILLAGE,
    AreaLevel.GRID,
    AreaLevel.MICROGRID,
]


def own_digits(level: str) -> st.SearchStrategy[str]:
    start, end = OWN_DIGITS[level]
    return ascii_digits(end - start).filter(lambda digits: set(digits) != {"0"})


@st.composite
def areas(draw) -> tuple[str, str, Area | None]:
    """(level, code, parent): a well-formed code for an area of a level, under its parent
    (a county may also be a root)."""
    level = draw(st.sampled_from(CHILD_LEVELS))
    start = OWN_DIGITS[level][0]
    prefix = draw(ascii_digits(start))
    code = prefix + draw(own_digits(level))
    code = code.ljust(CODE_LENGTH[level], "0")
    parent = None
    parent_level = AreaLevel.order()[AreaLevel.order().index(level) - 1]
    if level != AreaLevel.COUNTY or draw(st.booleans()):
        parent_code = prefix.ljust(CODE_LENGTH[parent_level], "0")
        parent = Area(code=parent_code, name="上级", level=parent_level)
    return level, code, parent


def code_errors(level: str, code: str, parent: Area | None) -> list[str]:
    kind = "rural" if level == AreaLevel.VILLAGE else ""
    return area_errors(code=code, level=level, parent=parent, kind=kind).get("code", [])


@quick
@given(areas())
def test_every_well_formed_code_under_its_parent_passes(area):
    assert code_errors(*area) == []


@quick
@given(areas(), st.integers(-3, 3).filter(bool))
def test_a_code_of_another_length_fails_and_says_the_length(area, change):
    level, code, parent = area
    wrong = code + "1" * change if change > 0 else code[:change]
    errors = code_errors(level, wrong, parent)
    assert errors and str(CODE_LENGTH[level]) in errors[0]


@quick
@given(areas(), st.data())
def test_a_code_with_anything_but_ascii_digits_fails(area, data):
    level, code, parent = area
    position = data.draw(st.integers(0, len(code) - 1))
    other = data.draw(FOREIGN_DIGITS | st.sampled_from(list("aX -.一")))
    assert code_errors(level, code[:position] + other + code[position + 1 :], parent)


@quick
@given(areas())
def test_a_code_whose_own_digits_are_all_zero_fails(area):
    level, code, parent = area
    start, end = OWN_DIGITS[level]
    assert code_errors(level, code[:start] + "0" * (end - start) + code[end:], parent)


@quick
@given(areas(), st.data())
def test_a_code_that_does_not_start_with_its_parents_prefix_fails(area, data):
    level, code, parent = area
    assume(parent is not None)
    start = OWN_DIGITS[level][0]
    position = data.draw(st.integers(0, start - 1))
    digit = data.draw(st.sampled_from(ASCII_DIGITS).filter(lambda d: d != code[position]))
    assert code_errors(level, code[:position] + digit + code[position + 1 :], parent)


@quick
@given(areas(), st.data())
def test_a_statistical_code_ends_in_zeros_after_its_own_digits(area, data):
    level, code, parent = area
    end = OWN_DIGITS[level][1]
    assume(CODE_LENGTH[level] == 12 and end < 12)
    position = data.draw(st.integers(end, 11))
    assert code_errors(level, code[:position] + "7" + code[position + 1 :], parent)


# --- Uploaded files, judged by their bytes --------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="/\\"),
    min_size=1,
    max_size=30,
).filter(lambda name: name.strip(".") != "")  # "." and ".." are no file names (Django refuses)


def with_signature(signature: bytes, offset: int, tail: bytes) -> bytes:
    return b"\x00" * offset + signature + tail if offset else signature + tail


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def starts_with_a_known_signature(content: bytes) -> bool:
    return any(
        content[offset : offset + len(signature)] == signature
        for signature, offset, _type in DOCUMENT_SIGNATURES
    )


@quick
@given(st.sampled_from(PHOTO_SIGNATURES), st.binary(max_size=200), names)
def test_a_photo_is_recognised_by_its_bytes_whatever_its_name(photo, tail, name):
    signature, offset, content_type = photo
    content = with_signature(signature, offset, tail)
    assert attachment_content_type(upload(name, content), AttachmentKind.PHOTO) == content_type


@quick
@given(st.binary(min_size=1, max_size=200), names, st.sampled_from(AttachmentKind.values))
def test_bytes_of_no_accepted_kind_are_refused_naming_the_file(content, name, kind):
    assume(not starts_with_a_known_signature(content))
    with pytest.raises(ValidationError) as refused:
        attachment_content_type(upload(name, content), kind)
    assert name in refused.value.messages[0]


@quick
@given(names, st.sampled_from(AttachmentKind.values))
def test_an_empty_file_is_refused(name, kind):
    with pytest.raises(ValidationError):
        attachment_content_type(upload(name, b""), kind)


@quick
@given(
    st.sampled_from(DOCUMENT_SIGNATURES),
    st.binary(max_size=100),
    st.sampled_from([".exe", ".html", ".js", ".svg", ".zip", ".bat", ""]),
)
def test_a_document_with_another_extension_is_refused_whatever_its_bytes(document, tail, extension):
    signature, offset, _content_type = document
    with pytest.raises(ValidationError):
        attachment_content_type(
            upload("协议" + extension, with_signature(signature, offset, tail)),
            AttachmentKind.DOCUMENT,
        )


# What each accepted extension's bytes must be.
EXTENSION_KINDS = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/zip"},
    ".xlsx": {"application/zip"},
    ".doc": {"application/x-ole-storage"},
    ".xls": {"application/x-ole-storage"},
    **{
        extension: {content_type for _, _, content_type in PHOTO_SIGNATURES}
        for extension in (".jpg", ".jpeg", ".png", ".webp")
    },
}


@quick
@given(
    st.sampled_from(DOCUMENT_SIGNATURES),
    st.binary(max_size=100),
    st.sampled_from(sorted(DOCUMENT_EXTENSIONS)),
    st.booleans(),
)
def test_a_document_is_taken_only_when_its_bytes_are_what_its_extension_says(
    document, tail, extension, shout
):
    # "invoice.pdf" holding a zip archive is not a PDF, whatever the archive holds.
    signature, offset, content_type = document
    name = "协议" + (extension.upper() if shout else extension)
    document = upload(name, with_signature(signature, offset, tail))
    if content_type in EXTENSION_KINDS[extension]:
        assert attachment_content_type(document, AttachmentKind.DOCUMENT)
    else:
        with pytest.raises(ValidationError):
            attachment_content_type(document, AttachmentKind.DOCUMENT)
