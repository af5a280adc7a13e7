"""The case list's filters, shared by the pages, the XLSX export and the API, so that a
filtered list and its export always agree."""

from __future__ import annotations

from django import forms
from django.db.models import Case as Conditional
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from disputes.models import Case, CaseKind, CaseLevel, CaseStatus, Severity
from disputes.selectors import figures
from disputes.selectors.cases import categories_for
from disputes.selectors.todo import TODO_CHOICES, cases_todo
from governance.platform.filters import MAX_ID, IdFilter, as_id
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to

# The stored ancestor column for each level an area filter may name.
AREA_COLUMNS = {
    AreaLevel.COUNTY: "county_id",
    AreaLevel.TOWNSHIP: "township_id",
    AreaLevel.VILLAGE: "village_id",
    AreaLevel.GRID: "grid_id",
}
SORTS = {
    "-created_at": _("Newest first"),
    "created_at": _("Oldest first"),
    "deadline": _("Deadline soonest"),
    "-severity": _("Most severe first"),
}


ANY = _("Any")


def _where(queryset: QuerySet[Case], condition: Q, value: bool | None) -> QuerySet[Case]:
    if value is None:
        return queryset
    return queryset.filter(condition) if value else queryset.exclude(condition)


def yes_no(label, **extra) -> filters.BooleanFilter:
    choices = [("", ANY), ("true", _("Yes")), ("false", _("No"))]
    return filters.BooleanFilter(label=label, widget=forms.Select(choices=choices), **extra)


def category_choices(user) -> list[tuple[str, str]]:
    """The codes of the user's counties' categories, each once, by kind and order."""
    if user is None:
        return []
    rows = categories_for(user=user, active=False).order_by("county_id")
    first: dict[str, tuple] = {}
    for code, name, kind, order in rows.values_list("code", "name", "kind", "sort_order"):
        first.setdefault(code, (kind, order, code, name))
    return [(code, name) for _kind, _order, code, name in sorted(first.values())]


# A selection of the list (export or assign the ticked rows): at most a page's worth or so.
SELECTION_MAX = 500


class IdListField(forms.Field):
    """Case numbers ticked on the list (?ids=1&ids=2), each a row id, or a field error."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = [value] if isinstance(value, str) else list(value or [])
        ids = [as_id(item) for item in values if item not in ("", None)]
        if None in ids:
            raise forms.ValidationError(_("Tick cases on the list to select them."))
        if len(ids) > SELECTION_MAX:
            raise forms.ValidationError(
                _("Select at most %(max)s cases at a time.") % {"max": SELECTION_MAX}
            )
        return ids


# In the API's schema: ?ids=1&ids=2, a list of case numbers.
@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdsFilter(filters.Filter):
    field_class = IdListField

    def filter(self, queryset: QuerySet[Case], value: list[int]) -> QuerySet[Case]:
        return queryset.filter(pk__in=value) if value else queryset


class CaseFilter(filters.FilterSet):
    # The rows ticked on the list: the export of a selection.
    ids = IdsFilter(label=_("selected cases"))
    status = filters.MultipleChoiceFilter(
        label=_("status"), choices=CaseStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = filters.ChoiceFilter(label=_("kind"), choices=CaseKind.choices, empty_label=ANY)
    # By code: the same category in each county of a city's is one choice (the user's
    # counties' categories, retired ones too: `form`).
    category = filters.ChoiceFilter(
        label=_("category"), field_name="category__code", choices=[], empty_label=ANY
    )
    severity = filters.ChoiceFilter(label=_("severity"), choices=Severity.choices, empty_label=ANY)
    level = filters.ChoiceFilter(label=_("level"), choices=CaseLevel.choices, empty_label=ANY)
    overdue = yes_no(_("overdue"))
    supervised = yes_no(_("supervised"))
    deadline_warned = yes_no(_("deadline warning sent"))  # 临期预警
    # What the monthly ranking counts as 超期 and 超期上交, so that its figures can be listed.
    went_overdue = yes_no(_("went overdue at some level"), method="filter_went_overdue")
    escalated_overdue = yes_no(_("escalated for being overdue"), method="filter_escalated_overdue")
    criminal_risk = yes_no(_("civil-to-criminal risk"))
    area = IdFilter(label=_("area"), method="filter_area")
    # A centre's to-do list (待研判, 待交办…), as the home page counts it.
    todo = filters.ChoiceFilter(
        label=_("to do"), choices=TODO_CHOICES, method="filter_todo", empty_label=ANY
    )
    created_after = filters.DateFilter(
        label=_("reported from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = filters.DateFilter(
        label=_("reported until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    search = filters.CharFilter(label=_("search"), method="filter_search", max_length=50)
    ordering = filters.ChoiceFilter(
        label=_("sort"), choices=list(SORTS.items()), method="filter_ordering", empty_label=None
    )

    class Meta:
        model = Case
        fields: list[str] = []

    @property
    def form(self):
        made = hasattr(self, "_form")
        form = super().form
        if not made:
            # On the form's own field (the filter's may have been built already, by the
            # schema generator): read only when the choices are (a page's form, a
            # category asked for).
            user = self.request.user if self.request is not None else None
            form.fields["category"].choices = lambda: category_choices(user)
        return form

    def filter_area(self, queryset: QuerySet[Case], name: str, value) -> QuerySet[Case]:
        """A subtree of cases by the stored ancestor id; the area itself is looked up through
        the user's jurisdiction like every other read."""
        areas = areas_visible_to(self.request.user) if self.request else Area.objects.none()
        area = areas.filter(pk=value).only("level", "parent_id").first()
        if area is None:  # unknown, or outside the jurisdiction: nothing
            return queryset.none()
        if area.level == AreaLevel.MICROGRID:
            area = Area.objects.only("level").get(pk=area.parent_id)
        column = AREA_COLUMNS.get(area.level)
        return queryset.filter(**{column: area.pk}) if column else queryset

    def filter_todo(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if self.request is None:
            return queryset.none()
        return cases_todo(queryset, user=self.request.user, name=value)

    def filter_went_overdue(self, queryset: QuerySet[Case], name: str, value) -> QuerySet[Case]:
        return _where(queryset, figures.went_overdue(), value)

    def filter_escalated_overdue(
        self, queryset: QuerySet[Case], name: str, value
    ) -> QuerySet[Case]:
        return _where(queryset, figures.escalated_overdue(), value)

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value) | Q(description__icontains=value)
        if value.isascii() and value.isdigit() and int(value) <= MAX_ID:  # "²" is a digit too
            condition |= Q(pk=int(value))
        return queryset.filter(condition)

    def filter_ordering(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "-severity":
            # Severity values are not alphabetical: key attention, attention, ordinary.
            rank = Conditional(
                When(severity=Severity.KEY_ATTENTION, then=Value(0)),
                When(severity=Severity.ATTENTION, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
            return queryset.order_by(rank, "deadline", "-id")
        return queryset.order_by(value, "-id")
