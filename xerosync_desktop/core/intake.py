"""Intake: which clients read from a file can go on to the review, and which need attention.

Public API: ClientList, screen_clients(), CONTACT_NUMBER_MAX_LENGTH.

Pure: no I/O. The loader reads what each row holds; this decides, for the whole list, what
no single row shows: a client id used twice (ids differing only in case or surrounding
spaces are the same id, as Xero's ContactNumber lookup treats them), and two clients whose
names Xero would take for one contact. Every such row is set aside with its reason rather
than guessed at (neither of two duplicates is kept), so one bad row never blocks the rest of
the file and no row is ever dropped without a line that says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .model import Client, ClientProblem, ClientStatus, FileFacts
from .names import NAME_MAX_LENGTH, has_invisible, name_key, xero_name

CONTACT_NUMBER_MAX_LENGTH = 50  # Xero's ContactNumber, where the client id goes

_Key = Callable[[Client], str]
_Reason = Callable[[Client, list[Client]], str]


@dataclass(frozen=True, slots=True)
class ClientList:
    """The clients of a file that can be reviewed, the rows that need attention, and where
    they came from (`source`: encoding, delimiter, sheet, header row, for messages; `file`:
    the file's path, size, time and hash as read, for the run's record)."""

    clients: tuple[Client, ...]
    problems: tuple[ClientProblem, ...] = ()
    source: str = ""
    file: FileFacts | None = None

    @property
    def prospects(self) -> int:
        return sum(c.status is ClientStatus.PROSPECT for c in self.clients)

    @property
    def summary(self) -> str:
        """`156 clients: 150 to sync, 3 prospects, 3 need attention`: one wording everywhere."""
        total = len(self.clients) + len(self.problems)
        prospects = self.prospects
        parts = [f"{len(self.clients) - prospects} to sync"]
        if prospects:
            parts.append(f"{prospects} prospect{'' if prospects == 1 else 's'}")
        if self.problems:
            parts.append(f"{len(self.problems)} need{'s' if len(self.problems) == 1 else ''} "
                         "attention")
        return f"{total} client{'' if total == 1 else 's'}: {', '.join(parts)}"


def screen_clients(clients: Sequence[Client], problems: Iterable[ClientProblem] = (),
                   source: str = "") -> ClientList:
    """Set aside the clients that cannot be synced as they stand; keep the rest in order.

    `problems` are the rows the reader already set aside; the result lists all of them in
    file order.
    """
    problems = list(problems)
    found: dict[int, ClientProblem] = {}  # by index into clients
    for index, client in enumerate(clients):
        if reason := _own_problem(client):
            found[index] = _problem(client, reason)
    _flag_shared(clients, found, _id_key, _same_id)
    set_aside: dict[str, list[int]] = defaultdict(list)  # an id on rows already set aside
    for problem in [*problems, *found.values()]:
        if key := problem.client_id.strip().casefold():
            set_aside[key].append(problem.source_row)
    for index, client in enumerate(clients):
        rows = [row for row in set_aside.get(_id_key(client), ()) if row != client.source_row]
        if index not in found and rows:
            found[index] = _problem(client, (
                f"The Client ID {client.client_id!r} is also used on {_row_words(rows)}, "
                "which needs attention too; each client needs its own ID. Correct it in "
                "TimeSolv."))
    _flag_shared(clients, found, _name_group, _same_name)
    kept = tuple(client for index, client in enumerate(clients) if index not in found)
    every = sorted((*problems, *found.values()), key=lambda p: p.source_row)
    return ClientList(clients=kept, problems=tuple(every), source=source)


def _own_problem(client: Client) -> str:
    """What is wrong with the client on its own, or ''."""
    if has_invisible(client.client_id):
        return ("The Client ID holds invisible control characters. Retype it in TimeSolv, "
                "then export again.")
    if len(client.client_id) > CONTACT_NUMBER_MAX_LENGTH:
        return (f"The Client ID is {len(client.client_id)} characters long; Xero keeps at most "
                f"{CONTACT_NUMBER_MAX_LENGTH}. Shorten it in TimeSolv.")
    name = xero_name(client.name)
    if not name:
        return ("The name has no visible characters (only spaces, control or zero-width "
                "characters). Give the client a name in TimeSolv.")
    if client.status is not ClientStatus.PROSPECT and len(name) > NAME_MAX_LENGTH:
        return (f"The name is {len(name)} characters long once Xero's name rules are applied; "
                f"Xero allows at most {NAME_MAX_LENGTH}. Shorten it in TimeSolv.")
    return ""


def _id_key(client: Client) -> str:
    return client.client_id.strip().casefold()


def _name_group(client: Client) -> str:
    """Prospects are never sent, so they never collide with anyone in Xero."""
    if client.status is ClientStatus.PROSPECT:
        return ""
    return name_key(xero_name(client.name))


def _same_id(client: Client, others: list[Client]) -> str:
    return (f"The Client ID {client.client_id!r} is also used on "
            f"{_rows(others)}; each client needs its own ID. Correct it in TimeSolv.")


def _same_name(client: Client, others: list[Client]) -> str:
    return (f"Xero would take this client and the one on {_rows(others)} for the same "
            "contact (names differing only in case, accents or spaces). Tell their names "
            "apart in TimeSolv.")


def _flag_shared(clients: Sequence[Client], found: dict[int, ClientProblem],
                 key: _Key, reason: _Reason) -> None:
    """Set aside every client (not already set aside) that shares its key with another."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, client in enumerate(clients):
        if index not in found and (value := key(client)):
            groups[value].append(index)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        for index in indexes:
            others = [clients[other] for other in indexes if other != index]
            found[index] = _problem(clients[index], reason(clients[index], others))


def _rows(clients: list[Client]) -> str:
    return _row_words([c.source_row for c in clients if c.source_row is not None])


def _row_words(rows: list[int]) -> str:
    numbers = [str(row) for row in rows]
    if not numbers:
        return "another row"
    shown = ", ".join(numbers[:5]) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
    return f"row{'s' if len(numbers) > 1 else ''} {shown}"


def _problem(client: Client, reason: str) -> ClientProblem:
    return ClientProblem(source_row=client.source_row or 0, client_id=client.client_id,
                         name=client.name, reason=reason)
