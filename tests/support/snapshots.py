"""Golden files as syrupy snapshots, one file each, next to the test module in
``__snapshots__/<module>/``. A change shows up as a failing test with a diff; after
reviewing it, `.venv/bin/pytest -n 0 FILE --snapshot-update` rewrites the files."""

from __future__ import annotations

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class IcsSnapshot(SingleFileSnapshotExtension):
    """A feed, byte for byte (CRLF line ends included)."""

    file_extension = "ics"


class TextSnapshot(SingleFileSnapshotExtension):
    """A text (an e-mail's headers and plain body) in UTF-8."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class HtmlSnapshot(TextSnapshot):
    """An e-mail's HTML body in UTF-8."""

    file_extension = "html"
