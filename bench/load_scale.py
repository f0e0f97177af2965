"""Benchmark: reading a 100,000-row client file and building the review against 8,000 contacts.

Usage: .venv/bin/python bench/load_scale.py [--rows 100000] [--contacts 8000]
(or `make bench`). Prints a table, then, as its last line, one JSON object.

Two files of the same clients with TimeSolv's 20 export columns, a CSV and an `.xlsx` (as
Excel saves it: shared strings), each read in a fresh process so its peak RSS is its own:
`load_clients()` (decode, header, every row, the intake's screening) then `build_review()`
against `--contacts` Xero contacts, half of which carry a client's name. The review
workbook of the CSV's rows is written too, since `xerosync review` does that next.
Targets (issue 11): the CSV review under 5 s, the `.xlsx` under 20 s, each under 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HEADER = ["Client ID", "Client Name", "Status", "First Name", "Last Name", "Company",
          "Billing Contact", "Email", "Phone", "Mobile", "Fax", "Address 1", "Address 2",
          "Address 3", "City", "State", "Zip", "Country", "Opening Date", "Matters"]
TARGETS = {"csv": 5.0, "xlsx": 20.0}
MEMORY_TARGET_MB = 500


def client_row(i: int) -> list[str]:
    status = "Prospect" if i % 50 == 0 else "Inactive" if i % 7 == 0 else "Active"
    return [f"{i:06}", f"Client {i} Legal Services LLC", status, "Alex", f"Lee{i}",
            f"Client {i} Legal Services LLC", f"Alex Lee{i}", f"billing{i}@client{i}.example",
            "+1 512 555 0100", "+1 512 555 0101", "", f"{i} Congress Ave", "Suite 400", "",
            "Austin", "TX", "78701", "USA", "2020-01-02", "3"]


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    from openpyxl import Workbook

    csv_path = folder / "clients.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(client_row(i) for i in range(1, rows + 1))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Clients")
    sheet.append(HEADER)
    for i in range(1, rows + 1):
        sheet.append(client_row(i))
    xlsx_path = folder / "clients.xlsx"
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def measure(path: Path, contacts: int, workbook: Path | None) -> dict[str, Any]:
    """In this process: load, build the review (and write it); seconds and peak RSS."""
    from xerosync_desktop.core.matcher import build_review
    from xerosync_desktop.core.model import Contact, ContactStatus
    from xerosync_desktop.excel.export import write_review
    from xerosync_desktop.timesolv.loader import load_clients

    known = [Contact(f"c-{i}", f"Client {i * 2} Legal Services LLC" if i < contacts // 2
                     else f"Other Contact {i}",
                     ContactStatus.ARCHIVED if i % 97 == 0 else ContactStatus.ACTIVE)
             for i in range(contacts)]
    started = time.perf_counter()
    listed = load_clients(path)
    loaded = time.perf_counter()
    rows = build_review(listed.clients, known, {}, listed.problems)
    reviewed = time.perf_counter()
    result: dict[str, Any] = {
        "rows": len(listed.clients) + len(listed.problems),
        "need_attention": len(listed.problems),
        "review_rows": len(rows),
        "load_s": round(loaded - started, 2),
        "review_s": round(reviewed - started, 2),
    }
    if workbook is not None:
        write_review(workbook, rows)
        result["workbook_s"] = round(time.perf_counter() - reviewed, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=8_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workbook", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:  # the child: one file, one process
        print(json.dumps(measure(args.measure, args.contacts, args.workbook)))
        return

    figures: dict[str, Any] = {"rows": args.rows, "contacts": args.contacts}
    with tempfile.TemporaryDirectory(prefix="xerosync-load-") as folder:
        started = time.perf_counter()
        csv_path, xlsx_path = write_files(Path(folder), args.rows)
        print(f"fixture: {args.rows} clients x {len(HEADER)} columns, {args.contacts} "
              f"contacts ({time.perf_counter() - started:.1f} s to write)")
        for kind, path in (("csv", csv_path), ("xlsx", xlsx_path)):
            command = [sys.executable, __file__, "--measure", str(path),
                       "--contacts", str(args.contacts)]
            if kind == "csv":
                command += ["--workbook", str(Path(folder) / "review.xlsx")]
            child = subprocess.run(command, capture_output=True, text=True, check=True)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            result["size_mb"] = round(path.stat().st_size / 2**20, 1)
            result["target_s"] = TARGETS[kind]
            result["ok"] = (result["review_s"] < TARGETS[kind]
                            and result["peak_rss_mb"] < MEMORY_TARGET_MB)
            figures[kind] = result
            extra = f", review workbook {result['workbook_s']} s" if "workbook_s" in result else ""
            print(f"{kind:>4}: {result['size_mb']} MB; read {result['load_s']} s, review "
                  f"{result['review_s']} s (target {TARGETS[kind]} s){extra}; peak RSS "
                  f"{result['peak_rss_mb']} MB (target {MEMORY_TARGET_MB}); "
                  f"{result['review_rows']} review rows")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
