"""Template tags of the assessment for other apps' pages."""

from django import template

from assessment.services.evaluations import evaluations_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_evaluations(context, staff) -> list:
    """A person's monthly evaluations that the viewer's jurisdiction holds (the staff page):
    an evaluation from a village they served before stays out of sight."""
    user = context["request"].user
    return list(evaluations_visible_to(user).filter(staff=staff).order_by("-month", "kind"))
