"""The README's "Layout" section against the tree: every app is in it, its picture of the
layers is the import-linter contract of pyproject.toml, and every path it names exists."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
# A file or folder: `grids/jurisdiction.py`, `disputes/services/`, `.ci/run`, `api.py`.
PATH = re.compile(r"^\.?[\w.-]+(/[\w.-]+)*/?$")
FILE_SUFFIXES = (".py", ".toml", ".md", ".sh", ".cfg", ".txt", ".lock")
# A dotted module of ours: `grids.jurisdiction`, `governance.platform`.
MODULE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
TABLE_ROW_APP = re.compile(r"^\|\s*`([\w/]+/)`\s*\|")


def layout_section(readme: str) -> str:
    start = readme.index("\n## Layout\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def project_apps() -> list[str]:
    """Every installed app that is a folder of the repository, and the platform."""
    apps = [name for name in settings.INSTALLED_APPS if "." not in name and (ROOT / name).is_dir()]
    return [*apps, "governance/platform"]


def apps_missing(section: str, apps: list[str]) -> list[str]:
    named = set(INLINE_CODE.findall(FENCE.sub("", section)))
    return [app for app in apps if f"{app}/" not in named]


def canonical_layer(layer: str) -> str:
    return re.sub(r"\s*([|:])\s*", r" \1 ", layer.strip())


def readme_layers(section: str) -> list[str]:
    """The picture's layers, top to bottom: each line that does not start with a space,
    up to the first run of two spaces (what follows is a comment)."""
    blocks = FENCE.findall(section)
    assert len(blocks) == 1, "the Layout section should hold one picture of the layers"
    return [
        canonical_layer(re.split(r"\s{2,}", line)[0])
        for line in blocks[0].splitlines()
        if line.strip() and not line[0].isspace()
    ]


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [contract["layers"] for contract in contracts if contract["type"] == "layers"]
    return [canonical_layer(layer) for layer in layers]


def paths_missing(section: str) -> list[str]:
    """Paths named in the section (outside the picture) that are not in the tree. A bare
    file name in a table row is looked for in that row's app (`| `grids/` | … `tree.py``);
    a path that does not start at the top of the repository (`management/commands`, a
    module every app may have) in any app."""
    missing = []
    for line in FENCE.sub("", section).splitlines():
        row_app = TABLE_ROW_APP.match(line)
        for code in INLINE_CODE.findall(line):
            for word in code.split():
                word = word.rstrip(",;")
                if "<" in word or "*" in word:
                    continue  # a pattern: `<app>/services`
                if MODULE.match(word) and word.split(".")[0] in project_modules():
                    if importlib.util.find_spec(word) is None:
                        missing.append(word)
                    continue
                if not PATH.match(word) or ("/" not in word and not word.endswith(FILE_SUFFIXES)):
                    continue
                if row_app and "/" not in word:
                    if not (ROOT / row_app.group(1) / word).exists():
                        missing.append(f"{row_app.group(1)}{word}")
                elif (ROOT / word.split("/")[0]).exists() or "/" not in word:
                    if not (ROOT / word).exists():
                        missing.append(word)
                elif not any((ROOT / app / word).exists() for app in project_apps()):
                    missing.append(word)
    return missing


def project_modules() -> set[str]:
    return {app.split("/")[0] for app in project_apps()}


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_app_is_in_the_layout_section():
    assert apps_missing(layout_section(readme()), project_apps()) == []


def test_the_layers_in_the_readme_are_the_import_contract():
    assert readme_layers(layout_section(readme())) == contract_layers()


def test_every_path_the_layout_section_names_exists():
    assert paths_missing(layout_section(readme())) == []


def test_the_checks_fail_on_a_missing_app_a_wrong_layer_and_a_dead_path():
    section = layout_section(readme())
    assert project_apps()[-1] == "governance/platform" and "residents" in project_apps()

    without_residents = section.replace("`residents/`", "`residents`")
    assert apps_missing(without_residents, project_apps()) == ["residents"]

    lines = section.splitlines()
    cases, people = (
        next(n for n, line in enumerate(lines) if line.startswith(app + " "))
        for app in ("disputes", "personnel")
    )
    lines[cases], lines[people] = lines[people], lines[cases]  # personnel above disputes
    assert readme_layers("\n".join(lines)) != contract_layers()
    assert readme_layers(section.replace("campaigns | ", "")) != contract_layers()

    dead = section.replace("`grids/jurisdiction.py`", "`governance/jurisdiction.py`", 1)
    assert paths_missing(dead) == ["governance/jurisdiction.py"]
    in_a_row = section.replace("(`tree.py`", "(`mptt_tree.py`", 1)
    assert paths_missing(in_a_row) == ["grids/mptt_tree.py"]
