"""docs/security.md names the test that proves each promise; every test it names exists, so
the page cannot go on citing a proof that was renamed or deleted."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def cited_tests() -> list[tuple[str, str | None]]:
    """(file, test) pairs in the order cited; `::name` alone means the last file named."""
    cited, current = [], None
    for path, name in REFERENCE.findall((ROOT / "docs" / "security.md").read_text()):
        current = path or current
        if path or name:
            cited.append((current, name or None))
    return cited


def test_every_test_the_security_page_cites_exists():
    cited = cited_tests()
    assert len(cited) > 40
    missing = []
    for path, name in cited:
        source = (ROOT / path).read_text() if (ROOT / path).exists() else ""
        if not source or (name and not re.search(rf"^\s*def {name}\(", source, re.M)):
            missing.append(f"{path}::{name}" if name else path)
    assert missing == []
