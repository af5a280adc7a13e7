"""Logins named by a phone or ID number get a name that says nothing about the person:
`staff<roster number>` for a login of the roster (the number in the address of the person's
roster page), `user<login number>` for any other login; where that name is taken, whatever
the case of its letters, `-2`, `-3`… is added. Each roster page shows the person's username
(Login), so the county can tell everyone theirs.

The rule is this migration's own copy of governance.platform.validators.username_is_personal, so that
a later change of the rule never changes what this migration does. Running it again changes
nothing; it cannot be undone (the old names were the personal data)."""

import re
import unicodedata

from django.db import migrations

PERSONAL_NUMBER_INSIDE = re.compile(r"1[3-9][0-9]{9}|[0-9]{17}[0-9X]|[0-9]{15}")
SEPARATORS = re.compile(r"[\s.+_()-]")
BATCH = 500


def is_personal(username: str) -> bool:
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", username)).upper()
    return bool(PERSONAL_NUMBER_INSIDE.search(text))


def rename_personal_usernames(apps, schema_editor):
    User = apps.get_model("personnel", "User")
    Staff = apps.get_model("personnel", "Staff")
    taken = set()
    personal = []
    for pk, username in User.objects.values_list("pk", "username").iterator(chunk_size=2000):
        taken.add(username.lower())
        if is_personal(username):
            personal.append(pk)
    if not personal:
        return
    roster_number = {}
    for start in range(0, len(personal), BATCH):
        roster_number.update(
            Staff.objects.filter(user_id__in=personal[start : start + BATCH]).values_list(
                "user_id", "pk"
            )
        )
    renamed = []
    for pk in personal:
        base = f"staff{roster_number[pk]}" if pk in roster_number else f"user{pk}"
        name, suffix = base, 2
        while name.lower() in taken:
            name, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(name.lower())
        renamed.append(User(pk=pk, username=name))
    User.objects.bulk_update(renamed, ["username"], batch_size=BATCH)
    print(
        f"\n  personnel: {len(renamed)} usernames that were phone or ID numbers renamed "
        "(staff<roster number> or user<login number>); each person's is on their roster page."
    )


class Migration(migrations.Migration):
    dependencies = [("personnel", "0004_user_password_changed_at_username_not_personal")]
    operations = [migrations.RunPython(rename_personal_usernames, migrations.RunPython.noop)]
