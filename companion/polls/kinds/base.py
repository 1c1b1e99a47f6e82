"""What every poll kind shares, and what each one says of itself.

A kind is one object in :data:`companion.polls.kinds.KINDS`: the settings it takes, the answer it
accepts and the counters that answer moves, the shape of its results, how a person reads an
answer, and what the pages need to know of it (:meth:`PollKind.page_data`). Nothing outside this
package switches on a kind's name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from ...core.errors import Invalid
from ...core.i18n import N_
from ...core.schemas import Schema, parse
from ..schemas import SettingsFile

if TYPE_CHECKING:
    from ..models import Poll

#: The counter of ballots, every kind's total.
TOTAL_KEY = "ballots"


class PollKind(ABC):
    """A kind of poll; subclasses override only what differs."""

    name: ClassVar[str]
    #: What people call the kind (a msgid, translated where shown).
    label: ClassVar[str]
    #: The answer's schema, checked before :meth:`check`.
    answer_schema: ClassVar[type[Schema]]
    #: Whether the poll has options and answers name them.
    has_options: ClassVar[bool] = False
    #: The settings this kind takes beyond ``anonymous`` and ``results``.
    settings: ClassVar[tuple[str, ...]] = ()
    #: How results are shaped, and drawn: counts, points, histogram, words or texts.
    results_shape: ClassVar[str]
    #: The form an attendee answers with (static/js/polls-attendee.js): choice, checkboxes,
    #: order, words, scale or text.
    ballot: ClassVar[str]
    #: Answers are right or wrong (a quiz: scores, a leaderboard, the correct option shown).
    scored: ClassVar[bool] = False
    #: Answers are texts the room sees only once a moderator approves them.
    moderated: ClassVar[bool] = False

    # ------------------------------------------------------------ definition

    def check_options(self, options: list[str]) -> None:
        """Refuse options that do not fit the kind (too few, twice the same, or any at all)."""
        if self.has_options:
            if len(options) < 2:
                raise Invalid(N_("This kind of poll needs at least two options."))
            folded = [o.casefold() for o in options]
            if len(set(folded)) != len(folded):
                raise Invalid(N_("Two options have the same text."))
        elif options:
            raise Invalid(N_("Only choice, ranking and quiz polls have options."))

    def settle(self, settings: SettingsFile, options: list[str]) -> dict[str, Any]:
        """Return the kind's own settings, normalised; raise Invalid when one does not fit."""
        return {}

    def file_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Return stored settings as a programme file writes them."""
        return settings

    # ------------------------------------------------------------ answers

    def read(self, poll: Poll, data: dict[str, Any]) -> tuple[dict, Counter, bool | None]:
        """Check an answer; return (stored answer, counters it moves, correctness or None).

        :raises Invalid: the answer does not fit the poll.
        """
        stored, keys = self.check(poll, parse(self.answer_schema, data))
        return stored, keys, self.correct(poll, stored)

    @abstractmethod
    def check(self, poll: Poll, answer: Any) -> tuple[dict, Counter]:
        """Return the answer to store and the counters it moves (``answer`` is parsed)."""

    def correct(self, poll: Poll, stored: dict) -> bool | None:
        """Whether a stored answer is right; None for kinds without a right answer."""
        return None

    @abstractmethod
    def readable(self, answer: dict, options: dict[int, str]) -> str:
        """An answer as a person reads it (exports): option texts, words, a value, a text."""

    # ------------------------------------------------------------ results

    @abstractmethod
    def results(self, poll: Poll, counts: dict[str, int], approved: list[dict] | None) -> Any:
        """The contract's ``results`` of the poll, from its counters."""

    def summary_results(self, data: dict, options: dict[int, str]) -> tuple[Any, list[dict]]:
        """A summary's ``(results, answers)`` from the poll's staff dict (option texts added)."""
        return data.get("results"), []

    # ------------------------------------------------------------ pages

    def page_data(self) -> dict[str, Any]:
        """What the pages know of the kind (rendered as JSON, read by static/js/poll-kinds.js)."""
        return {
            "options": self.has_options,
            "settings": list(self.settings),
            "ballot": self.ballot,
            "results": self.results_shape,
            "scored": self.scored,
            "moderated": self.moderated,
        }


def option_ids(poll: Poll) -> list[int]:
    return [o.id for o in poll.options]


def check_option(poll: Poll, option_id: int) -> None:
    if option_id not in option_ids(poll):
        raise Invalid(N_("This option is not one of the poll's."))


class OptionCounts(PollKind):
    """Kinds whose results count the ballots naming each option (single, multiple, quiz)."""

    has_options = True
    results_shape = "counts"

    def results(self, poll, counts, approved):
        return [{"option_id": o.id, "count": counts.get(f"option:{o.id}", 0)} for o in poll.options]

    def summary_results(self, data, options):
        correct_id = data.get("correct_option_id")
        return [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "count": r["count"],
                **({"correct": r["option_id"] == correct_id} if self.scored else {}),
            }
            for r in data["results"]
        ], []
