"""Plausible residents for the demo cases: Chinese names, valid mainland mobile numbers and
GB 11643-valid ID numbers (the same checks the case services apply to parties)."""

from __future__ import annotations

import random
from datetime import date

from demo.places import GIVEN, SURNAMES
from governance.platform.validators import id_number_check_char

MOBILE_PREFIXES = [
    str(prefix)
    for prefix in (*range(130, 140), *range(150, 160), 166, 173, 175, 176, 177, *range(180, 190))
    if prefix not in (134, 154)
] + ["191", "198", "199"]


class People:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def name(self) -> str:
        given = self.rng.choice(GIVEN)
        if self.rng.random() < 0.7:
            given += self.rng.choice(GIVEN)
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, region: str) -> str:
        born = date(1948, 1, 1).toordinal() + self.rng.randrange(56 * 365)
        first17 = f"{region}{date.fromordinal(born):%Y%m%d}{self.rng.randrange(1000):03d}"
        return first17 + id_number_check_char(first17)

    def parties(self, roles: tuple[str, ...], region: str) -> list[dict[str, str]]:
        parties = []
        for role in roles:
            party = {"name": self.name(), "role": role}
            if self.rng.random() < 0.75:
                party["phone"] = self.mobile()
            if role in ("重点人员", "申请人") and self.rng.random() < 0.5:
                party["id_number"] = self.id_number(region)
            parties.append(party)
        return parties

    def money(self, low: int, high: int) -> str:
        amount = self.rng.randint(low, high)
        return f"{amount / 10000:.1f}万" if amount >= 10000 else str(amount // 100 * 100)
