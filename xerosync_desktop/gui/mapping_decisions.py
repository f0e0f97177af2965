"""The Mapping tab's decisions on the rows selected: accept, link, add as new, unlink.

Public API: DecisionActions.

Four QActions, shown as buttons under the table and in its context menu, enabled by what
the selection holds. Each decision runs as a job (sync/decide.py stores it for the
organisation at once) and hands back the review as it now stands, with a sentence saying
what became of the rows. A decision that cannot be made comes back as that job's error.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from ..bootstrap import AppContext
from ..core.model import ClientStatus, ReviewRow, Status
from ..store import Store
from ..sync import decide
from ..sync.review import Review
from .contact_picker import ContactPicker
from .review_model import Shown, shown
from .wording import clients

# start(job, on_result, on_error): the tab's JobRunner.start
StartJob = Callable[..., None]
Decided = Callable[[Shown, str], None]


class DecisionActions(QObject):
    """Accept suggestion, Link to Xero contact..., Add as new contact, Unlink."""

    def __init__(self, ctx: AppContext, parent: QWidget, selected: Callable[[], list[ReviewRow]],
                 shown_now: Callable[[], Shown | None], start: StartJob, decided: Decided,
                 failed: Callable[[str], None]) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._parent = parent
        self._selected = selected
        self._shown = shown_now
        self._start = start
        self._decided = decided
        self._failed = failed
        self.accept = QAction("&Accept suggestion", parent)
        self.accept.setToolTip("Link each selected Possible match to the Xero contact "
                               "suggested for it: it becomes Mapped.")
        self.link = QAction("&Link to Xero contact…", parent)
        self.link.setToolTip("Pick the Xero contact the selected client is, from all of the "
                             "organisation's contacts.")
        self.add_new = QAction("Add as &new contact", parent)
        self.add_new.setToolTip("The selected clients are not any existing contact: the sync "
                                "adds them to Xero. Their suggestions are dismissed.")
        self.unlink = QAction("&Unlink", parent)
        self.unlink.setToolTip("Forget the link chosen for the selected clients: matching "
                               "decides again, and dismissed suggestions come back.")
        self.accept.triggered.connect(self._on_accept)
        self.link.triggered.connect(self._on_link)
        self.add_new.triggered.connect(self._on_add_new)
        self.unlink.triggered.connect(self._on_unlink)

    @property
    def all(self) -> tuple[QAction, ...]:
        return (self.accept, self.link, self.add_new, self.unlink)

    def refresh(self, busy: bool) -> None:
        """Enable each decision the selection allows."""
        rows = [] if busy else self._clients()
        review = self._review()
        self.accept.setEnabled(any(self._suggested(r) for r in rows))
        self.link.setEnabled(len(rows) == 1)
        self.add_new.setEnabled(any(r.status in (Status.POSSIBLE_MATCH, Status.NEW)
                                    and not self._added(review, r) for r in rows))
        self.unlink.setEnabled(review is not None and any(self._linked(review, r) for r in rows))

    def _review(self) -> Review | None:
        shown_now = self._shown()
        return shown_now.review if shown_now is not None else None

    # -- which rows ------------------------------------------------------------------------

    def _clients(self) -> list[ReviewRow]:
        return [row for row in self._selected() if row.client is not None
                and row.client.status is not ClientStatus.PROSPECT]

    @staticmethod
    def _suggested(row: ReviewRow) -> bool:
        return row.status is Status.POSSIBLE_MATCH and row.suggestion is not None \
            and not row.suggestion.contact.is_archived

    @staticmethod
    def _added(review: Review | None, row: ReviewRow) -> bool:
        return review is not None and row.client_id in review.added_as_new

    def _linked(self, review: Review, row: ReviewRow) -> bool:
        """A stored link (Mapped, or Blocked by the contact it points to) or a decision."""
        return row.client_id in review.links or self._added(review, row)

    # -- decisions -------------------------------------------------------------------------

    def _run(self, decision: Callable[[Review, Store], Review],
             say: Callable[[Review], str]) -> None:
        review = self._review()
        if review is None:
            return
        ctx = self._ctx

        def job(_report: Callable[[object], None],
                _stop: Callable[[], bool]) -> tuple[Shown, str]:
            with ctx.open_store() as store:
                result = decision(review, store)
            return shown(result), say(result)  # here: `say` may look at every row

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            self._decided(*result)

        self._start(job, done, self._failed)

    def _on_accept(self) -> None:
        rows = [r for r in self._clients() if self._suggested(r)]
        ids = [r.client_id for r in rows]
        if not ids:  # nothing selected now (a filter cleared the selection)
            return
        if len(rows) == 1:
            assert rows[0].suggestion is not None
            text = (f"Client {rows[0].client_id} is now Mapped to "
                    f"'{rows[0].suggestion.contact.name}'.")
        else:
            text = (f"{clients(len(rows), 'is', 'are')} now Mapped to the contacts suggested "
                    "for them.")
        self._run(lambda review, store: decide.accept_suggestions(review, store, ids),
                  lambda _review: text)

    def _on_link(self) -> None:
        rows, shown_now = self._clients(), self._shown()
        if len(rows) != 1 or shown_now is None:
            return
        row = rows[0]
        picker = ContactPicker(f"{row.client_id} {row.client_name}", shown_now.linkable,
                               self._parent, shown_now.linkable_texts)
        if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
            return
        contact = picker.chosen
        self._run(lambda review, store: decide.link_client(
                      review, store, row.client_id, contact.contact_id),
                  lambda _review: f"Client {row.client_id} is now Mapped to '{contact.name}'.")

    def _on_add_new(self) -> None:
        review = self._review()
        rows = [r for r in self._clients() if r.status in (Status.POSSIBLE_MATCH, Status.NEW)
                and not self._added(review, r)]
        ids = [r.client_id for r in rows]
        if not ids:
            return
        self._run(lambda review, store: decide.add_as_new(review, store, ids),
                  lambda _review: f"{clients(len(ids))} will be added to Xero as "
                                  f"{'a new contact' if len(ids) == 1 else 'new contacts'}; "
                                  "the suggestions are dismissed (Unlink brings them back).")

    def _on_unlink(self) -> None:
        review = self._review()
        if review is None:
            return
        ids = [r.client_id for r in self._clients() if self._linked(review, r)]
        if not ids:
            return

        def say(result: Review) -> str:
            wanted = set(ids)
            labels = sorted({row.status.label for row in result.rows
                             if row.client is not None and row.client_id in wanted})
            return (f"{clients(len(ids))} unlinked: matching decides again "
                    f"(now {', '.join(labels)}).")

        self._run(lambda review, store: decide.unlink(review, store, ids), say)
