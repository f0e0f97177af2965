"""Matcher rules on plain data: statuses, pairing order, notes."""

from __future__ import annotations

from xerosync_desktop.core.matcher import build_review, mappings_to_confirm
from xerosync_desktop.core.model import (
    Client,
    ClientStatus,
    Contact,
    ContactStatus,
    ReviewRow,
    Status,
)

ACTIVE, INACTIVE, PROSPECT = ClientStatus.ACTIVE, ClientStatus.INACTIVE, ClientStatus.PROSPECT


def client(cid: str, name: str, status: ClientStatus = ACTIVE) -> Client:
    return Client(client_id=cid, name=name, status=status, source_row=int(cid) + 1)


def contact(cid: str, name: str, archived: bool = False, number: str = "") -> Contact:
    status = ContactStatus.ARCHIVED if archived else ContactStatus.ACTIVE
    return Contact(contact_id=cid, name=name, status=status, contact_number=number)


def table(rows: list[ReviewRow]) -> list[tuple[str, str, str]]:
    return [(r.client_name, r.contact_name, r.status.value) for r in rows]


def test_every_status() -> None:
    clients = [
        client("1", "Acme Holdings LLC"),
        client("2", "John  Smith"),
        client("3", "Old Town Bakery"),
        client("4", "Granite Peak", PROSPECT),
        client("5", "Mary  Jones"),
        client("6", "Evergreen", INACTIVE),
        client("7", "Linked Co"),
    ]
    contacts = [
        contact("c-acme", "Acme Holdings LLC"),
        contact("c-js_", "John _Smith"),
        contact("c-js", "John Smith"),
        contact("c-mj", "Mary Jones"),
        contact("c-otb", "Old Town Bakery", archived=True),
        contact("c-ever", "EVERGREEN"),
        contact("c-linked", "Linked Company Ltd"),
    ]
    rows = build_review(clients, contacts, {"7": "c-linked"})
    assert table(rows) == [
        ("Acme Holdings LLC", "Acme Holdings LLC", "Matched"),
        ("John  Smith", "John _Smith", "Matched"),
        ("Old Town Bakery", "Old Town Bakery", "Blocked: Xero contact archived"),
        ("Granite Peak", "", "Prospect (not synced)"),
        ("Mary  Jones", "", "New"),
        ("Evergreen", "EVERGREEN", "Matched"),
        ("Linked Co", "Linked Company Ltd", "Mapped"),
        ("", "John Smith", "Will remain in Xero unmatched"),
        ("", "Mary Jones", "Will remain in Xero unmatched"),
    ]
    assert rows[4].xero_name == "Mary _Jones"
    assert rows[4].contact is None
    assert "Inactive in TimeSolv" in rows[5].note
    assert "rename" in rows[5].note
    assert "archived in Xero" in rows[2].note


def test_accents_and_case_match_under_xero_rules() -> None:
    rows = build_review([client("1", "Café Lumière")], [contact("c", "CAFE LUMIERE")], {})
    assert rows[0].status is Status.MATCHED


def test_stored_mapping_wins_over_a_name_match_by_another_client() -> None:
    clients = [client("1", "Acme"), client("2", "Acme Renamed", PROSPECT)]
    rows = build_review(clients, [contact("c", "Acme")], {"2": "c"})
    assert table(rows) == [("Acme", "", "New"), ("Acme Renamed", "Acme", "Prospect (not synced)")]


def test_contact_number_pairs_before_name() -> None:
    clients = [client("10", "Acme")]
    contacts = [contact("by-name", "Acme"), contact("by-number", "Acme Old", number="10")]
    rows = build_review(clients, contacts, {})
    assert rows[0].contact_id == "by-number"
    assert rows[0].status is Status.MATCHED
    assert table(rows)[1] == ("", "Acme", "Will remain in Xero unmatched")


def test_mapping_to_an_archived_contact_is_blocked() -> None:
    rows = build_review([client("1", "Acme")], [contact("c", "Acme", archived=True)], {"1": "c"})
    assert rows[0].status is Status.BLOCKED


def test_active_namesake_preferred_over_archived() -> None:
    contacts = [contact("old", "Acme", archived=True), contact("new", "Acme")]
    rows = build_review([client("1", "Acme")], contacts, {})
    assert (rows[0].status, rows[0].contact_id) == (Status.MATCHED, "new")
    assert rows[1].status is Status.UNMATCHED and "Archived" in rows[1].note


def test_stale_mapping_falls_back_and_says_so() -> None:
    rows = build_review([client("1", "Acme")], [], {"1": "gone"})
    assert rows[0].status is Status.NEW
    assert "no longer exists" in rows[0].note


def test_a_contact_pairs_with_one_client_only() -> None:
    rows = build_review([client("1", "Acme"), client("2", "ACME")], [contact("c", "Acme")], {})
    assert [r.status for r in rows] == [Status.MATCHED, Status.NEW]


def test_prospects_yield_name_matches_to_syncable_clients() -> None:
    clients = [client("1", "Acme", PROSPECT), client("2", "Acme")]
    rows = build_review(clients, [contact("c", "Acme")], {})
    assert [(r.status, r.contact_id) for r in rows] == [
        (Status.PROSPECT, ""), (Status.MATCHED, "c")]


def test_confirm_takes_matched_rows_only() -> None:
    clients = [client("1", "Acme"), client("2", "Old"), client("3", "Linked"), client("4", "New")]
    contacts = [contact("a", "Acme"), contact("o", "Old", archived=True), contact("l", "Linked")]
    rows = build_review(clients, contacts, {"3": "l"})
    assert mappings_to_confirm(rows) == {"1": "a"}
    after = build_review(clients, contacts, {"3": "l", **mappings_to_confirm(rows)})
    assert [r.status for r in after] == [Status.MAPPED, Status.BLOCKED, Status.MAPPED, Status.NEW]


def test_notes_name_invisible_characters_only_when_there_are_some() -> None:
    rows = build_review([client("1", "Cafe\u0301 One"), client("2", "Bad\x00Name"),
                         client("3", "Two  Spaces")], [], {})
    notes = {row.client_id: row.note for row in rows}
    assert "Invisible" not in notes["1"] and "Invisible characters" in notes["2"]
    assert "Two consecutive spaces" in notes["3"] and "Two consecutive" not in notes["2"]
    assert [row.xero_name for row in rows] == ["Caf\u00e9 One", "BadName", "Two _Spaces"]


def merged(cid: str, name: str, into: str, number: str = "") -> Contact:
    return Contact(contact_id=cid, name=name, status=ContactStatus.ARCHIVED,
                   contact_number=number, merged_to=into)


def test_a_link_to_a_merged_contact_follows_the_chain_to_its_end() -> None:
    contacts = [merged("c-a", "Alpha", into="c-b", number="1"), merged("c-b", "Beta", "c-c"),
                contact("c-c", "Gamma")]
    rows = build_review([client("1", "Alpha")], contacts, {"1": "c-a"})
    assert table(rows) == [("Alpha", "Gamma", "Mapped")]
    assert rows[0].merged_from == contacts[0]
    assert rows[0].note.startswith("'Alpha' was merged in Xero into 'Gamma': linked to it")
    assert rows[0].number_taken  # c-a keeps the client id: an update must not send it
    assert mappings_to_confirm(rows) == {"1": "c-c"}


def test_a_merged_contact_found_by_number_or_name_pairs_with_where_it_went() -> None:
    contacts = [merged("c-a", "Alpha", into="c-k", number="1"), merged("c-b", "Bravo", "c-l"),
                contact("c-k", "Kept A"), contact("c-l", "Kept B")]
    rows = build_review([client("1", "Alpha"), client("2", "Bravo")], contacts, {})
    assert table(rows) == [("Alpha", "Kept A", "Matched"), ("Bravo", "Kept B", "Matched")]


def test_a_straight_link_wins_over_a_link_through_a_merge() -> None:
    contacts = [merged("c-a", "Alpha", into="c-b"), contact("c-b", "Beta")]
    clients = [client("1", "Alpha"), client("2", "Beta")]  # the merged link comes first
    rows = build_review(clients, contacts, {"1": "c-a", "2": "c-b"})
    assert table(rows) == [("Alpha", "Alpha", "Blocked: Xero contact archived"),
                           ("Beta", "Beta", "Mapped")]
    assert "merged in Xero into 'Beta', which is linked to client 2" in rows[0].note
    assert mappings_to_confirm(rows) == {}


def test_a_cycle_of_merges_ends_without_looping() -> None:
    contacts = [merged("c-a", "Alpha", into="c-b"), merged("c-b", "Beta", into="c-a")]
    rows = build_review([client("1", "Alpha")], contacts, {"1": "c-a"})
    assert rows[0].status is Status.BLOCKED
    assert "Restore it" not in rows[0].note
    assert len(rows) == 1  # both contacts of the loop are the client's, none left over


def test_a_merge_into_a_contact_not_read_is_blocked_without_restore_advice() -> None:
    rows = build_review([client("1", "Alpha")], [merged("c-a", "Alpha", into="c-x")],
                        {"1": "c-a"})
    assert rows[0].status is Status.BLOCKED
    assert rows[0].note.startswith("'Alpha' was merged in Xero, and the contact it went into "
                                   "is not among the organisation's contacts")


def test_a_client_a_free_contact_probably_is_waits_as_a_possible_match() -> None:
    contacts = [contact("c-acme", "Acme Holdings Ltd"), contact("c-taken", "Baker Ltd")]
    clients = [client("1", "Acme Holdings"), client("2", "Baker"), client("3", "Baker & Co"),
               client("4", "Granite", PROSPECT)]
    rows = build_review(clients, contacts, {"2": "c-taken"})
    assert [(r.client_name, r.status.value) for r in rows if r.client] == [
        ("Acme Holdings", "Possible match"), ("Baker", "Mapped"),
        ("Baker & Co", "New"),  # Baker Ltd is client 2's: never suggested as if free
        ("Granite", "Prospect (not synced)")]
    acme = rows[0]
    assert acme.suggestion is not None and acme.suggestion.contact.contact_id == "c-acme"
    assert acme.contact is None and acme.note.startswith("Possibly Xero's 'Acme Holdings Ltd'")
    assert ("", "Acme Holdings Ltd", "Will remain in Xero unmatched") in table(rows)
    assert mappings_to_confirm(rows) == {}  # a suggestion is never confirmed unasked


def test_a_client_added_as_new_gets_no_suggestion() -> None:
    rows = build_review([client("1", "Acme Holdings")], [contact("c-acme", "Acme Ltd")], {},
                        added_as_new={"1"})
    assert rows[0].status is Status.NEW and rows[0].suggestion is None
