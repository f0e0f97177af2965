"""Faults the sandbox can inject into Accounting calls, and their compact text form.

Public API: Fault, parse_fault(), format_fault(), KINDS, MAX_CALLS.

A fault selects calls by 1-based call number per organisation (`calls`, a burst being a range)
or by probability (`rate`), optionally only some methods or one organisation. Kinds:

- `drop`: execute and commit (idempotency record stored), then close without answering.
- `500`, `503`: answer that status, execute nothing, store nothing for replay.
- `latency`: wait `seconds` (real time) before handling.
- `401`: answer as an expired access token does, execute nothing.
- `429-minute`, `429-day`: answer 429 with `Retry-After: retry_after`, execute nothing, count
  nothing against the limits.
- `429-concurrent`: the concurrent limit's 429, which Xero sends without Retry-After;
  `429-other`: a 429 naming a problem the product does not know (`X-Rate-Limit-Problem:
  other`), without Retry-After. Either takes `retry_after` to send one.
- `reorder`: execute and commit, then answer a write's contacts in reverse order (Xero does
  not document that a batch's answer keeps the order sent).
- `hold`: keep the answer for `seconds` (default 30) after executing (`when=after`, default) or
  before executing (`when=before`), the connection open meanwhile.

Text form: `KIND[:key=value[,key=value...]]`, keys `calls=3/7/10-12`, `rate=0.05`,
`methods=PUT/POST`, `tenant=<id>`, `retry_after=2`, `seconds=0.5`, `when=before|after`; e.g.
`drop:calls=3`, `503:rate=0.1,methods=PUT/POST`, `429-minute:calls=5-7,retry_after=2`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("drop", "500", "503", "latency", "401", "429-minute", "429-day", "429-concurrent",
         "429-other", "hold", "reorder")
MAX_CALLS = 100_000  # call numbers one fault may list: ranges are bursts, not "every call"
_RETRY_AFTER = {"429-minute": 60, "429-day": 3600}
_HOLD_SECONDS = 30.0
_KEYS = ("calls", "rate", "methods", "tenant", "retry_after", "seconds", "when")


@dataclass(frozen=True)
class Fault:
    """One fault rule; invalid combinations raise ValueError with a sentence saying why.

    Exactly one of `calls` (call numbers) and `rate` (0 < rate <= 1) selects the calls. Empty
    `methods` or `tenant` means every method or organisation. `retry_after` (429 kinds) and
    `seconds` (hold) are filled with their defaults when left None.
    """

    kind: str
    calls: frozenset[int] = frozenset()
    rate: float = 0.0
    methods: frozenset[str] = frozenset()
    tenant: str = ""
    retry_after: int | None = None
    seconds: float | None = None
    when: str = "after"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown fault kind {self.kind!r}: use one of {', '.join(KINDS)}.")
        calls = frozenset(int(n) for n in self.calls)
        if any(n < 1 for n in calls):
            raise ValueError("Call numbers start at 1.")
        if len(calls) > MAX_CALLS:
            raise ValueError(f"A fault may name at most {MAX_CALLS} call numbers.")
        if not (0.0 <= self.rate <= 1.0) or math.isnan(self.rate):
            raise ValueError(f"The rate must be between 0 and 1, not {self.rate}.")
        if bool(calls) == (self.rate > 0):
            raise ValueError(f"A {self.kind} fault needs either calls=... or rate=..., "
                             "exactly one of them.")
        methods = frozenset(m.strip().upper() for m in self.methods if m.strip())
        if not all(m.isalpha() for m in methods):
            raise ValueError("methods must be HTTP methods like PUT/POST.")
        self._set("calls", calls)
        self._set("methods", methods)
        self._set("tenant", self.tenant.strip().lower())
        self._check_parameters()

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_parameters(self) -> None:
        if self.retry_after is not None and not self.kind.startswith("429-"):
            raise ValueError("retry_after only applies to 429 faults.")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be 0 or more seconds.")
        if self.kind in _RETRY_AFTER:
            retry_after = _RETRY_AFTER[self.kind] if self.retry_after is None else self.retry_after
            if retry_after < 0:
                raise ValueError("retry_after must be 0 or more seconds.")
            self._set("retry_after", int(retry_after))
        if self.seconds is not None and self.kind not in ("latency", "hold"):
            raise ValueError("seconds only applies to latency and hold faults.")
        if self.kind == "latency" and not self.seconds:
            raise ValueError("A latency fault needs seconds=... (more than 0).")
        if self.kind == "hold" and self.seconds is None:
            self._set("seconds", _HOLD_SECONDS)
        if self.seconds is not None:
            if not (math.isfinite(self.seconds) and self.seconds >= 0):
                raise ValueError(f"seconds must be 0 or more, not {self.seconds}.")
            self._set("seconds", float(self.seconds))
        if self.when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {self.when!r}.")
        if self.when != "after" and self.kind != "hold":
            raise ValueError("when only applies to hold faults.")

    def selects(self, tenant: str, method: str) -> bool:
        """Whether this fault may apply to a call of this organisation and method."""
        return ((not self.tenant or self.tenant == tenant)
                and (not self.methods or method.upper() in self.methods))

    @property
    def spec(self) -> str:
        """The compact text form (defaults left out); parse_fault(spec) gives this fault back."""
        return format_fault(self)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _format_calls(calls: Iterable[int]) -> str:
    ordered = sorted(calls)
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return "/".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def format_fault(fault: Fault) -> str:
    """`KIND:key=value,...` with the keys in a fixed order and default values left out."""
    params = []
    if fault.calls:
        params.append(f"calls={_format_calls(fault.calls)}")
    else:
        params.append(f"rate={_number(fault.rate)}")
    if fault.methods:
        params.append("methods=" + "/".join(sorted(fault.methods)))
    if fault.tenant:
        params.append(f"tenant={fault.tenant}")
    if fault.retry_after is not None and fault.retry_after != _RETRY_AFTER.get(fault.kind):
        params.append(f"retry_after={fault.retry_after}")
    if fault.seconds is not None and not (fault.kind == "hold" and fault.seconds == _HOLD_SECONDS):
        params.append(f"seconds={_number(fault.seconds)}")
    if fault.when != "after":
        params.append(f"when={fault.when}")
    return f"{fault.kind}:{','.join(params)}"


def _parse_calls(text: str) -> frozenset[int]:
    numbers: set[int] = set()
    for item in text.split("/"):
        first, dash, last = item.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"calls must be call numbers like 3/7/10-12, not {text!r}.")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"The call range {item!r} runs backwards.")
        if high - low + len(numbers) >= MAX_CALLS:
            raise ValueError(f"A fault may name at most {MAX_CALLS} call numbers.")
        numbers.update(range(low, high + 1))
    return frozenset(numbers)


def _parse_float(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{key} must be a number, not {text!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number, not {text!r}.")
    return value


def _parse_int(key: str, text: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"{key} must be a whole number of seconds, not {text!r}.")
    return int(text)


def _fields(params: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in params.split(","):
        key, equals, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not equals or not value:
            raise ValueError(f"Expected key=value, not {item.strip()!r}.")
        if key not in _KEYS:
            raise ValueError(f"Unknown key {key!r}: use {', '.join(_KEYS)}.")
        if key in fields:
            raise ValueError(f"The key {key!r} is given twice.")
        fields[key] = value
    return fields


def parse_fault(text: str) -> Fault:
    """A Fault from its text form; ValueError naming the text and what is wrong with it."""
    kind, _, params = text.strip().partition(":")
    try:
        fields = _fields(params) if params.strip() else {}
        return Fault(
            kind=kind.strip().lower(),
            calls=_parse_calls(fields["calls"]) if "calls" in fields else frozenset(),
            rate=_parse_float("rate", fields["rate"]) if "rate" in fields else 0.0,
            methods=frozenset(fields.get("methods", "").split("/")),
            tenant=fields.get("tenant", ""),
            retry_after=(_parse_int("retry_after", fields["retry_after"])
                         if "retry_after" in fields else None),
            seconds=_parse_float("seconds", fields["seconds"]) if "seconds" in fields else None,
            when=fields.get("when", "after").lower())
    except ValueError as exc:
        raise ValueError(f"Bad fault {text!r}: {exc}") from None
