"""Fixtures of the browser journeys."""

from __future__ import annotations

import pytest

from assessment.views.dashboard import echarts_url
from tests.support import REQUIRE_SERVICES


@pytest.fixture
def charts_installed():
    """The dashboard's journeys need ECharts (node_modules): skipped without it, failed in CI."""
    if echarts_url() is None:
        reason = "needs ECharts (make setup installs it with npm); none in node_modules"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
