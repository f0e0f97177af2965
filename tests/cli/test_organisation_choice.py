"""Which organisation a command works on, and whether it may sync there (no Xero needed)."""

from __future__ import annotations

import pytest

from xerosync_desktop.bootstrap import build_xero
from xerosync_desktop.cli.connection import job_settings, pick_organisation, require_client_sync
from xerosync_desktop.cli.exit_codes import ExitCode, UsageError, code_for_error
from xerosync_desktop.errors import SettingsError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.store import Store, SyncSettings, XeroApp
from xerosync_desktop.xero.client import Organisation

from .conftest import SAMPLE

US = Organisation("t-us", "Demo Company (US)")
GLOBAL = Organisation("t-global", "Demo Company (Global)")
TWIN = Organisation("t-twin", "demo company (us)")


@pytest.mark.parametrize(("organisations", "wanted", "saved", "expected"), [
    ([US, GLOBAL], "Demo Company (Global)", "", GLOBAL),
    ([US, GLOBAL], "  demo company (global) ", "t-us", GLOBAL),
    ([US, GLOBAL], "T-GLOBAL", "", GLOBAL),
    ([US, TWIN], "t-twin", "", TWIN),
    ([US, GLOBAL], None, "t-global", GLOBAL),
    ([US, GLOBAL], None, "t-gone", None),
    ([US], None, "t-gone", US),
    ([US, GLOBAL], "Demo", "", None),
    ([US, TWIN], "Demo Company (US)", "", None),
])
def test_org_by_name_or_id_else_the_saved_one_else_the_only_one(
        organisations: list[Organisation], wanted: str | None, saved: str,
        expected: Organisation | None) -> None:
    if expected is None:
        with pytest.raises(UsageError) as refused:
            pick_organisation(organisations, wanted, saved)
        assert code_for_error(refused.value) is ExitCode.USAGE
        assert "--org" in refused.value.message
    else:
        assert pick_organisation(organisations, wanted, saved) == expected


def test_real_xero_syncs_only_once_client_sync_is_enabled(paths: AppPaths) -> None:
    ctx = build_xero(paths, XeroApp(demo=False, client_id="FIRM-APP-ID"))
    with Store(paths.database) as store:
        store.settings.save_sync_settings(SyncSettings("t-us", "Old name", "", False))
        settings = job_settings(store, ctx, US, SAMPLE)

        assert settings == SyncSettings("t-us", "Demo Company (US)", str(SAMPLE.resolve()),
                                        False)
        with pytest.raises(SettingsError, match="Client sync is not enabled for Demo "
                                                "Company \\(US\\)") as refused:
            require_client_sync(settings)
        assert code_for_error(refused.value) is ExitCode.USAGE

        store.settings.save_sync_settings(SyncSettings("t-us", "Old name", str(SAMPLE), True))
        settings = job_settings(store, ctx, US, None)
        require_client_sync(settings)
        assert settings.clients_file == str(SAMPLE)

        store.settings.save_sync_settings(SyncSettings("t-us", "Old name", "", True))
        with pytest.raises(UsageError, match="give the TimeSolv client export with --clients"):
            job_settings(store, ctx, US, None)
