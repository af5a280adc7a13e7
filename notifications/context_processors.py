from django.utils.functional import SimpleLazyObject

from notifications.selectors import notifications_unread_count


def unread_notifications(request):
    """The header's unread count: one COUNT, run only when a page shows the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread_count": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
