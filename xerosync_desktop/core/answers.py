"""Checking Xero's answer to a batch against what was sent, before any of it is trusted.

Public API: Answer, answers_fit(), number_key().

Xero answers a batch with one element per contact, and every integration pairs them by
position, but Xero does not document that the order sent is kept. A link stored for the
wrong client would send one client's details to another's contact at every later sync, so
each element is checked against the draft at its position: the same ContactNumber (the
client id, which every draft carries), or, for a draft without one, the same name under
Xero's rules; for an update, also the ContactID it was sent to. One element that does not
fit, or a count that differs, and none of the answer is trusted (the runner then looks the
batch's clients up by ContactNumber, as after a lost answer).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import ContactDraft
from .names import name_key


@dataclass(frozen=True, slots=True)
class Answer:
    """What one element of Xero's answer says it is about (empty when it does not say)."""

    contact_id: str
    contact_number: str
    name: str


def number_key(number: str) -> str:
    """A ContactNumber as Xero compares it: trimmed, case set aside."""
    return number.strip().casefold()


def answers_fit(drafts: Sequence[ContactDraft], answers: Sequence[Answer]) -> str:
    """'' when each answer is about the draft at its position, else why not, in words."""
    if len(answers) != len(drafts):
        return f"Xero answered {len(answers)} contacts for {len(drafts)} sent"
    for position, (draft, answer) in enumerate(zip(drafts, answers, strict=True), start=1):
        if draft.contact_number:
            fits = number_key(answer.contact_number) == number_key(draft.contact_number)
            said = f"client ID '{answer.contact_number}'" if answer.contact_number \
                else "no client ID"
            sent = f"client ID '{draft.contact_number}'"
        else:
            fits = bool(answer.name) and name_key(answer.name) == name_key(draft.name)
            said, sent = f"'{answer.name}'", f"'{draft.name}'"
        if fits and draft.contact_id and answer.contact_id:
            fits = answer.contact_id.casefold() == draft.contact_id.casefold()
            said, sent = f"ContactID {answer.contact_id}", f"ContactID {draft.contact_id}"
        if not fits:
            return f"answer {position} of {len(drafts)} names {said} where {sent} was sent"
    return ""
