"""The exports an app offers for writing in the background: each app registers its builders
here (in its AppConfig.ready), so a worker finds them without importing any page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.http import QueryDict

if TYPE_CHECKING:
    from governance.platform.xlsx import Export


class Builder(Protocol):
    def __call__(
        self, *, user: Any, query: QueryDict, pk: int | None, progress: Callable[[int], None]
    ) -> Export: ...


@dataclass(frozen=True)
class Registered:
    build: Builder
    title: Any  # a lazy translation: what the job's page calls it


BUILDERS: dict[str, Registered] = {}


def register(kind: str, build: Builder, *, title: Any) -> None:
    BUILDERS[kind] = Registered(build, title)


def registered(kind: str) -> Registered:
    return BUILDERS[kind]
