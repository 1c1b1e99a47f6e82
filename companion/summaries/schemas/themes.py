"""Key themes: of one session, and followed across the event's sessions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Doc


class Keyphrase(Doc):
    """A key theme: a phrase of one to three words that contributions keep coming back to."""

    phrase: str = Field(description="As people wrote it most often.")
    key: str = Field(description="Its words' stems, accents folded (same key: same theme).")
    count: int = Field(description="Contributions that carry it.")
    examples: list[str] = Field(description="One or two contributions quoted (most upvoted first).")
    lang: Literal["fr", "en"]


class ThemeInSession(Doc):
    session_id: int
    count: int


class FollowedTheme(Keyphrase):
    """A theme of the whole event, followed session by session."""

    sessions: list[int] = Field(description="Sessions whose contributions carry it, in order.")
    per_session: list[ThemeInSession] = Field(description="Contributions per session.")


class ThemeSources(Doc):
    questions: int
    open_answers: int
    words: int = Field(description="Words given to word clouds (each once per person).")


class Themes(Doc):
    """Key themes of the questions, approved open answers and word-cloud words the room saw."""

    texts: dict[str, int] = Field(description="Texts per detected language.")
    keyphrases: list[Keyphrase] = Field(description="Top ten per language, best first.")
    sources: ThemeSources


class EventThemes(Doc):
    texts: dict[str, int]
    keyphrases: list[FollowedTheme]


class RecurringTheme(FollowedTheme):
    """A theme of the whole event found in the texts of two sessions or more."""
