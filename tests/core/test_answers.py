"""answers_fit(): an answer is trusted only when each element is about its draft."""

from __future__ import annotations

import pytest

from xerosync_desktop.core.answers import Answer, answers_fit
from xerosync_desktop.core.model import ContactDraft

ID_A = "5b0f1a2c-0000-4000-8000-00000000000a"
ID_B = "5b0f1a2c-0000-4000-8000-00000000000b"


def draft(number: str, name: str = "Acme", contact_id: str = "") -> ContactDraft:
    return ContactDraft(name=name, contact_number=number, contact_id=contact_id)


@pytest.mark.parametrize(("drafts", "answers", "why"), [
    ([draft("C1"), draft("C2")], [Answer(ID_A, "C1", "Acme"), Answer(ID_B, "C2", "Acme")], ""),
    # Xero's own spelling of the number: trimmed, another case
    ([draft("c1 ")], [Answer(ID_A, "C1", "Acme")], ""),
    # a refused contact is echoed without a ContactID: its number still identifies it
    ([draft("C1")], [Answer("", "C1", "Acme")], ""),
    ([draft("C1"), draft("C2")], [Answer(ID_B, "C2", "Acme"), Answer(ID_A, "C1", "Acme")],
     "answer 1 of 2 names client ID 'C2' where client ID 'C1' was sent"),
    ([draft("C1")], [Answer(ID_A, "", "Acme")],
     "answer 1 of 1 names no client ID where client ID 'C1' was sent"),
    ([draft("C1"), draft("C2")], [Answer(ID_A, "C1", "Acme")],
     "Xero answered 1 contacts for 2 sent"),
    # an update: the same number on another contact is not this client's contact
    ([draft("C1", contact_id=ID_A)], [Answer(ID_B, "C1", "Acme")],
     f"answer 1 of 1 names ContactID {ID_B} where ContactID {ID_A} was sent"),
    ([draft("C1", contact_id=ID_A)], [Answer(ID_A.upper(), "C1", "Acme")], ""),
    # a draft without a number is checked by its name under Xero's rules
    ([draft("", "Café  Bar")], [Answer(ID_A, "", "CAFE bar")], ""),
    ([draft("", "Café Bar")], [Answer(ID_A, "", "Other Bar")],
     "answer 1 of 1 names 'Other Bar' where 'Café Bar' was sent"),
    ([draft("", "Café Bar")], [Answer(ID_A, "", "")],
     "answer 1 of 1 names '' where 'Café Bar' was sent"),
])
def test_answers_fit(drafts: list[ContactDraft], answers: list[Answer], why: str) -> None:
    assert answers_fit(drafts, answers) == why
