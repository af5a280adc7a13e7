# Every county gets its own copy of the shared categories and deadline rules, as county
# administrators had left them (names, retired categories, their own categories, rules),
# and its cases point at its own copy. The first county keeps the shared rows themselves,
# so its cases (all of them, in a one-county installation) are not rewritten; each other
# county's cases are re-pointed by one UPDATE. Plain ORM: PostgreSQL and SQLite alike.

from django.db import migrations
from django.db.models import Case as Conditional
from django.db.models import BigIntegerField, F, Value, When


def _counties(apps) -> list[int]:
    Area = apps.get_model("grids", "Area")
    return list(Area.objects.filter(level="county").order_by("pk").values_list("pk", flat=True))


def _repoint_cases(apps, county: int, new_for_old: dict[int, int]) -> None:
    """One UPDATE of the county's cases: each old category id to its new one."""
    changed = {old: new for old, new in new_for_old.items() if old != new}
    if not changed:
        return
    Case = apps.get_model("disputes", "Case")
    Case.objects.filter(county_id=county, category_id__in=list(changed)).update(
        category_id=Conditional(
            *(When(category_id=old, then=Value(new)) for old, new in changed.items()),
            default=F("category_id"),
            output_field=BigIntegerField(),
        )
    )


def give_each_county_its_own_settings(apps, schema_editor):
    Category = apps.get_model("disputes", "Category")
    DeadlineRule = apps.get_model("disputes", "DeadlineRule")
    counties = _counties(apps)
    if not counties:
        # No county, hence no case: nothing uses them. The first county to come starts
        # with the default set (disputes.services.config), like every new county.
        DeadlineRule.objects.filter(county__isnull=True).delete()
        Category.objects.filter(county__isnull=True).delete()
        return
    shared = list(Category.objects.filter(county__isnull=True).order_by("pk"))
    rules = list(DeadlineRule.objects.filter(county__isnull=True).order_by("pk"))
    code_of = {category.pk: category.code for category in shared}
    for county in counties[1:]:
        Category.objects.bulk_create(
            Category(
                county_id=county,
                code=category.code,
                name=category.name,
                kind=category.kind,
                sort_order=category.sort_order,
                is_active=category.is_active,
            )
            for category in shared
        )
        # Read back by code: SQLite before 3.35 returns no ids from a bulk insert.
        own = dict(Category.objects.filter(county_id=county).values_list("code", "pk"))
        DeadlineRule.objects.bulk_create(
            DeadlineRule(
                county_id=county,
                category_id=own[code_of[rule.category_id]] if rule.category_id else None,
                severity=rule.severity,
                level=rule.level,
                hours=rule.hours,
            )
            for rule in rules
        )
        _repoint_cases(apps, county, {pk: own[code] for pk, code in code_of.items()})
    Category.objects.filter(county__isnull=True).update(county_id=counties[0])
    DeadlineRule.objects.filter(county__isnull=True).update(county_id=counties[0])


def share_the_first_countys_settings(apps, schema_editor):
    """Back to one shared table: the first county's, with the codes only other counties
    had; every case points at the shared category of its code, the other copies go."""
    Category = apps.get_model("disputes", "Category")
    DeadlineRule = apps.get_model("disputes", "DeadlineRule")
    counties = _counties(apps)
    if not counties:
        return
    first, others = counties[0], counties[1:]
    kept = dict(Category.objects.filter(county_id=first).values_list("code", "pk"))
    for county in others:
        theirs = dict(Category.objects.filter(county_id=county).values_list("pk", "code"))
        for pk, code in theirs.items():
            if code not in kept:
                Category.objects.filter(pk=pk).update(county_id=first)
                kept[code] = pk
        _repoint_cases(apps, county, {pk: kept[code] for pk, code in theirs.items()})
    DeadlineRule.objects.exclude(county_id=first).delete()
    Category.objects.exclude(county_id=first).delete()
    DeadlineRule.objects.update(county_id=None)
    Category.objects.update(county_id=None)


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0011_county_settings_nullable"),
    ]

    operations = [
        migrations.RunPython(give_each_county_its_own_settings, share_the_first_countys_settings),
    ]
