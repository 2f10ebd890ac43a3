"""Where the bundled folders are: inside the package when installed from a wheel,
at the top of the repository when run from a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FILE = PACKAGE_DIR / "data" / "memorial_days.toml"


def resource_dir(name: str) -> Path:
    """templates/ or migrations/, wherever this installation keeps them."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name
