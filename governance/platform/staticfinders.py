"""Browser libraries installed from npm by `make setup`, served as static files: only the
files the pages load, not the whole package (ECharts' dist/ alone holds 50 MB)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# Static path → file under node_modules/.
VENDOR_FILES = {
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.root = Path(settings.BASE_DIR) / "node_modules"

    def _present(self) -> dict[str, Path]:
        found = {path: self.root / source for path, source in VENDOR_FILES.items()}
        return {path: source for path, source in found.items() if source.is_file()}

    def find(self, path: str, find_all: bool = False, **kwargs):
        source = self._present().get(path)
        if source is None:
            return []
        return [str(source)] if find_all or kwargs.get("all") else str(source)

    def list(self, ignore_patterns):
        for path, source in self._present().items():
            # The storage's location is the file's folder; the prefix names it as served.
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(path).parent)
            yield source.name, storage
