"""Property: after a sync that succeeded, the next sync sends nothing and makes one call.

Hypothesis builds TimeSolv files (double spaces, case and accent variants, prospects,
inactive clients) and organisations (namesakes, archived contacts, contacts numbered with a
client's id), and both syncs run for real against a fresh sandbox.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox

from .conftest import Clock, Demo, assert_xero_consistent, demo_context, run, sign_in

WORDS = ("Acme", "acme", "Ácme", "Smith", "John", "Bakery", "Law", "Group", "Co.", "&")

names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join) | \
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map("  ".join)  # two spaces
clients = st.lists(st.tuples(names, st.sampled_from(("Active", "Inactive", "Prospect"))),
                   min_size=1, max_size=12)
contacts = st.lists(st.tuples(names, st.booleans(), st.integers(0, 15) | st.none()),
                    max_size=10)


def organisation(sandbox: XeroSandbox, tenant_id: str,
                 wanted: list[tuple[str, bool, int | None]]) -> None:
    """Contacts as a user made them: names Xero refuses (a namesake) are left out."""
    for name, archived, number in wanted:
        fields = {"Name": name, "ContactStatus": "ARCHIVED" if archived else "ACTIVE"}
        if number is not None:
            fields["ContactNumber"] = f"C{number:03}"
        try:
            sandbox.add_contact(tenant_id, **fields)
        except ValueError:
            pass


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=clients, existing=contacts)
def test_a_second_sync_after_a_successful_one_plans_nothing(
        rows: list[tuple[str, str]], existing: list[tuple[str, bool, int | None]]) -> None:
    clock = Clock()
    with tempfile.TemporaryDirectory() as temp, \
            XeroSandbox(SandboxOptions(port=0, data="empty", clock=clock)) as sandbox:
        [tenant] = sandbox.organisations()
        tenant_id = tenant["tenantId"]
        organisation(sandbox, tenant_id, existing)
        lines = ["Client ID,Client Name,Status"] + [
            f'C{i:03},"{name}",{status}' for i, (name, status) in enumerate(rows)]
        clients_file = Path(temp) / "clients.csv"
        clients_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        demo = Demo(demo_context(AppPaths.under(Path(temp)).ensure(), sandbox, clock),
                    sandbox, clock, tenant_id, tenant["tenantName"])
        sign_in(demo.ctx)

        first, _ = run(demo, clients_file)
        assume(first.outcome == "finished" and first.failed == 0)
        assert_xero_consistent(demo)
        before = sandbox.call_count(tenant_id)
        second, _ = run(demo, clients_file)

        assert (second.created, second.updated, second.failed) == (0, 0, 0)
        assert second.unchanged == first.created + first.updated
        assert second.skipped == first.skipped
        assert sandbox.call_count(tenant_id) - before == 1  # only "what changed?"
        demo.ctx.close()

