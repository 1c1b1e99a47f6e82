"""Rating: one whole value on a scale, some values labelled; results are a histogram and mean."""

from __future__ import annotations

from collections import Counter

from ...core.errors import Invalid
from ...core.i18n import N_
from ..schemas import RatingAnswer, ScaleIn
from .base import PollKind


class Rating(PollKind):
    name = "rating"
    label = N_("Rating")
    answer_schema = RatingAnswer
    settings = ("scale",)
    results_shape = "histogram"
    ballot = "scale"

    def settle(self, settings, options):
        scale = settings.scale or ScaleIn()
        return {
            "scale": {
                "min": scale.min,
                "max": scale.max,
                "labels": {str(k): v for k, v in sorted(scale.labels.items()) if v.strip()},
            }
        }

    def file_settings(self, settings):
        # A programme file labels values with integers (JSON keeps them as strings).
        scale = dict(settings["scale"])
        scale["labels"] = {int(k): v for k, v in scale.get("labels", {}).items()}
        if not scale["labels"]:
            del scale["labels"]
        return {**settings, "scale": scale}

    def check(self, poll, answer):
        scale = poll.setting("scale")
        if not scale["min"] <= answer.value <= scale["max"]:
            raise Invalid(
                N_("The value must be between %(min)s and %(max)s."),
                params={"min": scale["min"], "max": scale["max"]},
            )
        return {"value": answer.value}, Counter({f"value:{answer.value}": 1})

    def readable(self, answer, options):
        return str(answer.get("value", ""))

    def results(self, poll, counts, approved):
        scale = poll.setting("scale")
        histogram = {
            str(v): counts.get(f"value:{v}", 0) for v in range(scale["min"], scale["max"] + 1)
        }
        rated = sum(histogram.values())
        points = sum(int(v) * c for v, c in histogram.items())
        mean = round(points / rated, 2) if rated else None
        return {"histogram": histogram, "mean": mean}
