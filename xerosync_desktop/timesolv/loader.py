"""TimeSolv client export (CSV or XLSX) -> list[Client].

Public API: load_clients(), COLUMNS.

Headers are matched case-insensitively, trimmed, with the synonyms TimeSolv users meet
(`Client Number`, `Client`, `Zip Code` ...). Client ID and Client Name are required; a
missing Status means Active. Client ids stay text, so `00010` keeps its zeros.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..core.model import Client, ClientStatus
from ..errors import ClientFileError

# field -> accepted headers (the first is the canonical one)
COLUMNS: dict[str, tuple[str, ...]] = {
    "client_id": ("Client ID", "Client Number", "Client No", "Client #", "ID", "Client Code",
                  "Account Number"),
    "name": ("Client Name", "Name", "Client", "Display Name", "Contact Name"),
    "status": ("Status", "Client Status"),
    "first_name": ("First Name", "Given Name"),
    "last_name": ("Last Name", "Surname", "Family Name"),
    "company": ("Company", "Company Name", "Organisation", "Organization", "Business Name"),
    "billing_contact": ("Billing Contact", "Main Contact", "Invoice Contact", "Attention"),
    "email": ("Email", "Email Address", "E-mail", "Billing Email"),
    "phone": ("Phone", "Telephone", "Phone Number", "Work Phone"),
    "mobile": ("Mobile", "Cell", "Mobile Phone"),
    "fax": ("Fax", "Fax Number"),
    "address1": ("Address 1", "Address Line 1", "Street"),
    "address2": ("Address 2", "Address Line 2", "Street 2"),
    "address3": ("Address 3", "Address Line 3"),
    "city": ("City", "Town", "Suburb"),
    "region": ("State", "Region", "Province", "County"),
    "postal_code": ("Zip", "Postal Code", "Postcode", "ZIP Code"),
    "country": ("Country", "Country Code"),
}
_REQUIRED = ("client_id", "name")
_MAX_REPORTED = 5


def load_clients(path: Path | str) -> list[Client]:
    """Read every client of a TimeSolv export; ClientFileError says what is wrong and where."""
    path = Path(path)
    if not path.is_file():
        raise ClientFileError(f"The client file {path} does not exist. Pick it again in Setup.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        raise ClientFileError(f"{path.name} is not a CSV or Excel (.xlsx) file. Export the "
                              "clients from TimeSolv as CSV or Excel and pick that file.")
    return _clients_from(table, path.name)


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # openpyxl is slow to import; only when needed

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ClientFileError(f"{path.name} could not be opened as an Excel workbook "
                              f"({type(exc).__name__}). Export it from TimeSolv again.") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clients_from(table: Sequence[Sequence[str]], file_name: str) -> list[Client]:
    rows = iter(enumerate(table, start=1))
    header_row, header = _first_filled(rows)
    if header is None:
        raise ClientFileError(f"{file_name} is empty. Export the clients from TimeSolv again.")
    columns = _columns(header)
    missing = [COLUMNS[field][0] for field in _REQUIRED if field not in columns]
    if missing:
        raise ClientFileError(
            f"{file_name} has no {' or '.join(repr(m) for m in missing)} column (row "
            f"{header_row} was read as the header). Export the clients from TimeSolv with "
            "their ID and name.")
    clients: list[Client] = []
    problems: list[str] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        if not any(str(cell).strip() for cell in cells):
            continue
        values = {field: _at(cells, index) for field, index in columns.items()}
        client_id, name = values["client_id"], values["name"]
        if not client_id or not name:
            problems.append(f"row {number} has no {'Client ID' if not client_id else 'name'}")
            continue
        if client_id in first_row_of:
            problems.append(f"Client ID {client_id} is on rows {first_row_of[client_id]} "
                            f"and {number}")
            continue
        first_row_of[client_id] = number
        try:
            status = ClientStatus.parse(values.get("status") or "Active")
        except ValueError:
            problems.append(f"row {number} has status {values['status']!r}; expected "
                            "Active, Inactive or Prospect")
            continue
        clients.append(_client(values, status, number))
    if problems:
        more = len(problems) - _MAX_REPORTED
        listed = "; ".join(problems[:_MAX_REPORTED]) + (f"; and {more} more" if more > 0 else "")
        raise ClientFileError(f"{file_name} cannot be used: {listed}. Correct it in TimeSolv "
                              "(or in the file), then load it again.")
    if not clients:
        raise ClientFileError(f"{file_name} has column headers but no clients. Export the "
                              "clients from TimeSolv again.")
    return clients


def _first_filled(rows: Iterator[tuple[int, Sequence[str]]]) -> tuple[int, Sequence[str] | None]:
    for number, cells in rows:
        if any(str(cell).strip() for cell in cells):
            return number, cells
    return 0, None


def _columns(header: Iterable[str]) -> dict[str, int]:
    wanted = {synonym.casefold(): field
              for field, synonyms in COLUMNS.items() for synonym in synonyms}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        field = wanted.get(" ".join(str(title).split()).casefold())
        if field and field not in found:
            found[field] = index
    return found


def _at(cells: Sequence[str], index: int) -> str:
    return str(cells[index]).strip() if index < len(cells) else ""


def _client(values: dict[str, str], status: ClientStatus, row: int) -> Client:
    get = values.get
    return Client(
        client_id=values["client_id"],
        name=values["name"],
        status=status,
        source_row=row,
        first_name=get("first_name", ""),
        last_name=get("last_name", ""),
        company=get("company", ""),
        billing_contact=get("billing_contact", ""),
        email=get("email", ""),
        phone=get("phone", ""),
        mobile=get("mobile", ""),
        fax=get("fax", ""),
        address_lines=tuple(get(f"address{i}", "") for i in (1, 2, 3)),
        city=get("city", ""),
        region=get("region", ""),
        postal_code=get("postal_code", ""),
        country=get("country", ""),
    )
