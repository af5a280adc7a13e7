from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class Minimal(APIView):
    """The baseline of the HTTP workloads: the same stack (middleware, token authentication,
    DRF) answering a constant, so the ratio shows what the real view adds."""

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True}, status=201)


# As governance.urls: a database outage answers 503, not 500.
handler500 = "governance.platform.outages.server_error"

urlpatterns = [
    path("bench/minimal/", Minimal.as_view(), name="bench_minimal"),
    path("", include("governance.urls")),
]
