"""What composing a reminder reads: the outbox row, its recipient, the message's tokens.

Both reminder letters (a memorial day's, `compose.py`; a family's own day's,
`remembrance_mail.py`) take these; dispatch passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LinkTokens:
    """The secrets of one message: its manage link's, and its List-Unsubscribe's,
    which can only unsubscribe."""

    manage: str
    unsubscribe: str


class ReminderRow(Protocol):
    """What composing reads of an outbox row."""

    @property
    def id(self) -> int: ...
    @property
    def memorial_day_id(self) -> int | None: ...
    @property
    def remembered_id(self) -> int | None: ...
    @property
    def occasion(self) -> str | None: ...
    @property
    def year(self) -> int: ...
    @property
    def message_id(self) -> str | None: ...


class Recipient(Protocol):
    """What composing reads of a subscriber."""

    @property
    def email(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def timezone(self) -> str: ...
