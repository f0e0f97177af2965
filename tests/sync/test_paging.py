"""Reading contacts can't stop early: a Xero that serves fewer a page than asked (the sandbox's
--max-page-size) still gives every contact to the review, and to a fresh data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xerosync_desktop.errors import XeroError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.sync.review import load_review

from .conftest import Clock, Demo, demo_context, sign_in, write_clients

EXTRA = 1_500


@pytest.fixture
def capped(tmp_path: Path, clock: Clock) -> Iterator[Demo]:
    options = SandboxOptions(port=0, data="demo", clock=clock, max_page_size=100)
    with XeroSandbox(options) as sandbox:
        tenant = next(o["tenantId"] for o in sandbox.organisations()
                      if o["tenantName"] == "Demo Company (US)")
        for i in range(EXTRA):
            sandbox.add_contact(tenant, Name=f"Paged Contact {i:04}", ContactNumber=f"P{i:04}")
        yield Demo(demo_context(AppPaths.under(tmp_path / "first"), sandbox, clock),
                   sandbox, clock, tenant)


def review_of(demo: Demo, clients: Path) -> tuple[int, set[str], int]:
    """Contacts in the review, the statuses of the paged clients, the calls it took."""
    before = demo.sandbox.call_count(demo.tenant_id)
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        review = load_review(demo.settings(clients), xero, store, lambda event: None)
    statuses = {row.status.label for row in review.rows if row.client_id.startswith("P")}
    return len(review.contacts), statuses, demo.sandbox.call_count(demo.tenant_id) - before


def test_every_contact_is_read_when_xero_serves_100_a_page(capped: Demo, tmp_path: Path,
                                                           clock: Clock) -> None:
    sign_in(capped.ctx)
    seeded = len(capped.sandbox.contacts(capped.tenant_id))
    assert seeded >= EXTRA + 15
    clients = write_clients(tmp_path / "clients.csv",
                            [(f"P{i:04}", f"Paged Contact {i:04}", "Active")
                             for i in range(0, EXTRA, 7)])

    count, statuses, calls = review_of(capped, clients)

    assert count == seeded
    assert statuses == {"Matched"}  # every paged client found its contact, none is New
    assert calls == -(-seeded // 100)  # one call a page: the last one said so

    fresh = Demo(demo_context(AppPaths.under(tmp_path / "fresh"), capped.sandbox, clock),
                 capped.sandbox, clock, capped.tenant_id)
    sign_in(fresh.ctx)
    count, statuses, calls = review_of(fresh, clients)  # a lost mirror: read all again
    assert (count, statuses) == (seeded, {"Matched"})
    fresh.ctx.close()
    capped.ctx.close()


def test_a_xero_that_ignores_the_page_asked_stops_the_read_instead_of_looping(
        tmp_path: Path, clock: Clock) -> None:
    options = SandboxOptions(port=0, data="demo", clock=clock, max_page_size=5,
                             ignore_page=True)
    with XeroSandbox(options) as sandbox:
        tenant = next(o["tenantId"] for o in sandbox.organisations()
                      if o["tenantName"] == "Demo Company (US)")
        demo = Demo(demo_context(AppPaths.under(tmp_path / "data"), sandbox, clock), sandbox,
                    clock, tenant)
        sign_in(demo.ctx)
        clients = write_clients(tmp_path / "clients.csv", [("1", "Acme", "Active")])
        before = sandbox.call_count(tenant)
        with pytest.raises(XeroError, match="contacts already read"):
            review_of(demo, clients)
        assert sandbox.call_count(tenant) - before == 2  # page 1, then page "2" = page 1
        with demo.ctx.open_store() as store:
            assert store.mirror.contacts(tenant) == []  # nothing kept of a read that failed
            assert not store.mirror.read_mark_ms(tenant)
        demo.ctx.close()
