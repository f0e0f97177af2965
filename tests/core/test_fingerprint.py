"""fingerprint() is unchanged by its speed-up: the fingerprints earlier versions stored hold."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st

from xerosync_desktop.core.fingerprint import fingerprint
from xerosync_desktop.core.model import Address, ContactDraft, ContactStatus, Phone

text = st.text(max_size=12)


def as_stored_before(draft: ContactDraft) -> str:
    """The formula of earlier versions, through dataclasses.asdict."""
    fields = asdict(draft)
    fields["status"] = draft.status.value
    dumped = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(dumped.encode()).hexdigest()[:32]


drafts = st.builds(
    ContactDraft, name=text, contact_number=text, contact_id=text, first_name=text,
    last_name=text, email=text,
    phones=st.lists(st.builds(Phone, st.sampled_from(["DEFAULT", "MOBILE", "FAX"]), text),
                    max_size=3).map(tuple),
    address=st.builds(Address, st.lists(text, max_size=4).map(tuple), text, text, text, text),
    status=st.sampled_from(list(ContactStatus)))


@given(drafts)
def test_the_fingerprint_is_the_one_stored_before(draft: ContactDraft) -> None:
    assert fingerprint(draft) == as_stored_before(draft)
