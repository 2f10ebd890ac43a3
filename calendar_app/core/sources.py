"""Pure: a source named in the reader's language.

A document keeps its own title (``title``, in the language it is written in);
readers see ``display_title`` in their language when the data gives one. A
publisher the document does not name is absent (None), never a placeholder, so
no edge has to invent words for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from calendar_app.core.words import Words

# A locator that is a file path ("seeds/000_cb387b678f4ebcac.txt") tells editors where the
# copy in this repository is; readers cannot follow it, so it is never shown to them.
_FILE_PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*\.\w{1,5}")


class NamedSource(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def display_title(self) -> Mapping[str, str] | None: ...
    @property
    def publisher_name(self) -> Mapping[str, str] | None: ...


def source_title(source: NamedSource, lang: str) -> str:
    """The title in ``lang`` when the data has one, else the document's own."""
    if source.display_title and source.display_title.get(lang):
        return source.display_title[lang]
    return source.title


def source_publisher(source: NamedSource, lang: str) -> str | None:
    """The publisher in ``lang``; None when the document names no publisher."""
    if source.publisher_name and source.publisher_name.get(lang):
        return source.publisher_name[lang]
    return None


def public_locator(locator: str | None) -> str | None:
    """Where a reader can find the document without a URL (an archive, a gazette);
    None for none, and for a path to a file of this repository."""
    if not locator or _FILE_PATH.fullmatch(locator.strip()):
        return None
    return locator.strip()


def citation(source: NamedSource, words: Words) -> str:
    """'«Qanlı yaddaş»', '«…», Trend İnformasiya Agentliyi': the publisher only when known.

    The quotes are the catalog's («» in az and ru, “” in en)."""
    title = source_title(source, words.lang)
    publisher = source_publisher(source, words.lang)
    if publisher:
        return words.pgettext(
            "citation", "“{title}”, {publisher}", title=title, publisher=publisher
        )
    return words.pgettext("citation", "“{title}”", title=title)
