"""Errors a handler raises on purpose: the person is told why in plain words, and nothing of the update is kept."""

from __future__ import annotations


class Refusal(Exception):
    """The person's message could not be taken for a reason they can act on (a file that could not be fetched,
    one over the size limit). The dispatcher rolls the update back and answers with `text`, already translated;
    it is logged as a warning, not as a failure of ours."""

    def __init__(self, text: str, reason: str = "") -> None:
        super().__init__(reason or text)
        self.text = text
        self.reason = reason


class NotChosen(Exception):
    """A step that takes only its own buttons got something else (`Payload.expect`): the flow engine re-asks the
    question with the reason, as if the step had returned `retry(pick_reason())`."""
