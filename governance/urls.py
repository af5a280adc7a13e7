from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance import views

# Swagger UI: its script is served apart (the split view's ?script), so the page needs no
# inline script; its stylesheet block and the styles its bundle sets need inline style, its
# icons are data: images.
api_docs = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api_schema")
)

api_v1 = [
    path("", include("personnel.api_urls")),
    path("", include("grids.api_urls")),
    path("", include("disputes.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("residents.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("cameras.api_urls")),
    path("", include("assessment.api_urls")),
]

# The administration's addresses of the models that moved to their own apps (issue 21):
# a bookmark of the old address lands on the new one.
MOVED_ADMIN = {
    "governance": ("assessment", "scoringscheme|enteredvalue"),
    "grids": ("residents", "resident|residentaccess|residentstatuschange|visit|visitcycle"),
    "personnel": ("assessment", "payrate"),
}
moved_admin = [
    re_path(
        rf"^admin/{old}/(?P<model>{models})/(?P<rest>.*)$",
        RedirectView.as_view(url=f"/admin/{new}/%(model)s/%(rest)s", query_string=True),
    )
    for old, (new, models) in MOVED_ADMIN.items()
]

urlpatterns = [
    path("", include("todo.urls")),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("overview/", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views.me, name="me"),
    path("work/", views.field_work, name="field_work"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("personnel.urls")),
    path("", include("grids.urls")),
    path("", include("notifications.urls")),
    path("", include("disputes.urls")),
    path("", include("residents.urls")),
    path("", include("campaigns.urls")),
    path("", include("supervision.urls")),
    path("", include("points.urls")),
    path("", include("cameras.urls")),
    path("", include("assessment.urls")),
    path("audit/", include("audit.urls")),
    path("exports/", include("exports.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs, name="api_docs"),
    *moved_admin,
    path("admin/", admin.site.urls),
    # What browsers ask for without reading a page's <link rel="icon"> (the admin, the API).
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.ico", permanent=True),
    ),
]

# A database outage answers 503 (try again), every other uncaught error Django's 500.
handler500 = "governance.platform.outages.server_error"
# The API answers an unknown address or an unreadable body in JSON, as all its refusals.
handler400 = "governance.platform.http_errors.bad_request"
handler404 = "governance.platform.http_errors.not_found"
handler403 = "governance.platform.http_errors.forbidden"

admin.site.site_header = _("County grassroots social governance platform")
admin.site.site_title = _("Grassroots Governance")
admin.site.index_title = _("System configuration")
