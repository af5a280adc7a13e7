"""The Chinese catalogue is complete and its compiled .mo matches the .po (a fresh machine
has no gettext to compile it)."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries() -> dict[tuple[str, str], str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    text = re.sub(r'"\n"', "", text)  # join continued lines
    entries = {}
    for block in text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        context = re.search(r'^msgctxt "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"$', block, re.M)
        if msgid and msgstr:
            assert "#, fuzzy" not in block, block
            entries[(context.group(1) if context else "", msgid.group(1))] = msgstr.group(1)
    return entries


def test_every_text_is_translated():
    missing = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert missing == []


def test_the_compiled_catalogue_is_up_to_date():
    with (LOCALE / "django.mo").open("rb") as stream:
        catalog = gettext.GNUTranslations(stream)
    for (context, msgid), msgstr in po_entries().items():
        if "\\" in msgid or "%(counter)s" in msgid:
            continue  # escapes and plural forms: covered by the page tests
        found = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        assert found == msgstr, msgid


def test_counts_are_grouped_by_thousands_in_chinese_too():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    with translation.override("zh-hans"):
        assert intcomma(13934) == "13,934"
        assert intcomma(2026) == "2,026"
