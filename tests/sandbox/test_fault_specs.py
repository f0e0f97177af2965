"""The faults' text form: parsing, canonical formatting, and a clear sentence for bad text."""

from __future__ import annotations

import pytest

from xerosync_desktop.sandbox import Fault, parse_fault
from xerosync_desktop.sandbox.faults import format_fault

SPECS = [
    # text, kind, calls, rate, methods, tenant, retry_after, seconds, when, canonical text
    ("drop:calls=3", "drop", {3}, 0.0, set(), "", None, None, "after", "drop:calls=3"),
    ("503:rate=0.1,methods=PUT/POST", "503", set(), 0.1, {"PUT", "POST"}, "", None, None,
     "after", "503:rate=0.1,methods=POST/PUT"),
    ("429-minute:calls=5-7,retry_after=2", "429-minute", {5, 6, 7}, 0.0, set(), "", 2, None,
     "after", "429-minute:calls=5-7,retry_after=2"),
    ("429-day:calls=1", "429-day", {1}, 0.0, set(), "", 3600, None, "after", "429-day:calls=1"),
    ("429-minute:calls=9/1", "429-minute", {1, 9}, 0.0, set(), "", 60, None, "after",
     "429-minute:calls=1/9"),
    ("hold:calls=4,when=after,seconds=60", "hold", {4}, 0.0, set(), "", None, 60.0, "after",
     "hold:calls=4,seconds=60"),
    ("hold:calls=2", "hold", {2}, 0.0, set(), "", None, 30.0, "after", "hold:calls=2"),
    ("HOLD : calls = 1/2/3/8 , when = before", "hold", {1, 2, 3, 8}, 0.0, set(), "", None, 30.0,
     "before", "hold:calls=1-3/8,when=before"),
    ("latency:rate=1,seconds=0.25,tenant=ABC-1,methods=get", "latency", set(), 1.0, {"GET"},
     "abc-1", None, 0.25, "after", "latency:rate=1,methods=GET,tenant=abc-1,seconds=0.25"),
    ("401:calls=2", "401", {2}, 0.0, set(), "", None, None, "after", "401:calls=2"),
    ("500:rate=0.05", "500", set(), 0.05, set(), "", None, None, "after", "500:rate=0.05"),
]


@pytest.mark.parametrize(("text", "kind", "calls", "rate", "methods", "tenant", "retry_after",
                          "seconds", "when", "canonical"), SPECS)
def test_specs_parse_and_format_back(text: str, kind: str, calls: set[int], rate: float,
                                     methods: set[str], tenant: str, retry_after: int | None,
                                     seconds: float | None, when: str, canonical: str) -> None:
    fault = parse_fault(text)
    assert (fault.kind, fault.calls, fault.rate, fault.methods, fault.tenant) == (
        kind, calls, rate, methods, tenant)
    assert (fault.retry_after, fault.seconds, fault.when) == (retry_after, seconds, when)
    assert format_fault(fault) == fault.spec == canonical
    assert parse_fault(canonical) == fault


BAD = [
    ("", "Unknown fault kind"),
    ("dorp:calls=1", "Unknown fault kind 'dorp'"),
    ("drop", "needs either calls=... or rate=..."),
    ("drop:calls=1,rate=0.5", "exactly one of them"),
    ("drop:calls=x", "calls must be call numbers like 3/7/10-12"),
    ("drop:calls=0", "Call numbers start at 1"),
    ("drop:calls=7-5", "runs backwards"),
    ("drop:calls=1-1000000", "at most 100000 call numbers"),
    ("drop:rate=1.5", "between 0 and 1"),
    ("drop:rate=often", "rate must be a number"),
    ("drop:calls=1,colour=red", "Unknown key 'colour'"),
    ("drop:calls=1,calls=2", "given twice"),
    ("drop:calls", "Expected key=value"),
    ("drop:calls=1,retry_after=5", "retry_after only applies to 429"),
    ("429-minute:calls=1,retry_after=soon", "whole number of seconds"),
    ("drop:calls=1,seconds=2", "seconds only applies to latency and hold"),
    ("latency:calls=1", "latency fault needs seconds"),
    ("hold:calls=1,seconds=-1", "seconds must be 0 or more"),
    ("hold:calls=1,when=during", "when must be 'before' or 'after'"),
    ("503:calls=1,when=before", "when only applies to hold"),
    ("503:calls=1,methods=P*T", "HTTP methods"),
]


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad_specs_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_fault(text)
    message = str(caught.value)
    assert message.startswith(f"Bad fault {text!r}: ")
    assert reason in message


def test_faults_built_in_python_are_checked_and_normalised() -> None:
    fault = Fault("503", calls=frozenset(range(5, 8)), methods=frozenset({"put", " post "}),
                  tenant=" ABC ")
    assert (fault.methods, fault.tenant, fault.spec) == (
        {"PUT", "POST"}, "abc", "503:calls=5-7,methods=POST/PUT,tenant=abc")
    assert fault.selects("abc", "put") and not fault.selects("abc", "GET")
    assert not fault.selects("other", "PUT")
    with pytest.raises(ValueError, match="exactly one of them"):
        Fault("drop")
