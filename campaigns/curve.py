"""The completion curve of a campaign, drawn on the server as an SVG step line (no script,
no chart library): the axis runs from the launch to the deadline, the line up to now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign
from campaigns.selectors import campaign_curve
from grids.models import Area

CURVE_WIDTH, CURVE_HEIGHT, CURVE_PAD = 480, 170, 36


@dataclass
class CurveDrawing:
    path: str
    start: datetime
    end: datetime
    total: int
    done: int
    now_x: float | None = None  # where "now" is, while the campaign runs
    width: int = CURVE_WIDTH
    height: int = CURVE_HEIGHT
    pad: int = CURVE_PAD

    @property
    def right(self) -> int:
        return self.width - self.pad

    @property
    def bottom(self) -> int:
        return self.height - self.pad

    @property
    def top(self) -> int:
        return self.pad // 2


def curve_drawing(
    *, campaign: Campaign, total: int, user, area: Area | None = None
) -> CurveDrawing:
    """The cumulative completions as a step line over the campaign's time: the axis runs
    from the launch to the deadline (or to the end, or now if later), the line up to now."""
    curve = campaign_curve(campaign=campaign, user=user, area=area)
    now = timezone.now()
    start = campaign.launched_at or campaign.starts_at
    drawn_to = campaign.finished_at or now
    end = drawn_to if campaign.finished_at else max(campaign.deadline, now)
    span = max((end - start).total_seconds(), 1)
    top, bottom = CURVE_PAD // 2, CURVE_HEIGHT - CURVE_PAD
    left, right = CURVE_PAD, CURVE_WIDTH - CURVE_PAD

    def x(moment: datetime) -> float:
        share = min(max((moment - start).total_seconds() / span, 0), 1)
        return round(left + share * (right - left), 1)

    def y(count: int) -> float:
        return round(bottom - count / max(total, 1) * (bottom - top), 1)

    steps = [f"M{left},{bottom}"]
    done = 0
    for moment, done in curve.points:
        # a bucket's count is reached by its end
        steps.append(f"H{x(min(moment + curve.step, drawn_to))}V{y(done)}")
    steps.append(f"H{x(drawn_to)}")
    return CurveDrawing(
        path="".join(steps),
        start=start,
        end=end,
        total=total,
        done=done,
        now_x=x(now) if campaign.finished_at is None else None,
    )
