"""What a client file reader hands the loader: rows of cells, numbered as the user sees them.

Public API: COLUMNS, REQUIRED, HEADER_SEARCH_ROWS, Untrusted, Cell, SourceRow, OPEN_QUOTE,
STRAY_QUOTE, cell_text(),
is_blank(), header_columns(), is_header().

Headers are matched case-insensitively, with stray spaces trimmed and collapsed, against the
synonyms TimeSolv users meet (`Client Number`, `Client`, `Zip Code` ...); the header row is
the first row (of the first HEADER_SEARCH_ROWS) that names a client id and a client name, so
report titles and blank rows above it are passed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# field -> accepted headers (the first is the canonical one)
COLUMNS: dict[str, tuple[str, ...]] = {
    "client_id": ("Client ID", "Client Number", "Client No", "Client No.", "Client #", "ID",
                  "Client Code", "Account Number"),
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
REQUIRED = ("client_id", "name")
HEADER_SEARCH_ROWS = 50

_WANTED = {synonym.casefold(): (field, rank) for field, synonyms in COLUMNS.items()
           for rank, synonym in enumerate(synonyms)}


@dataclass(frozen=True, slots=True)
class Untrusted:
    """A workbook cell whose type can't be trusted as an id or a name: a date, TRUE/FALSE,
    a number Excel may have rounded, an error, a formula with no saved value.

    `what` completes "the cell holds ..."; `shown` is how the review shows the cell.
    """

    what: str
    shown: str


Cell = str | Untrusted


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of the file: its number as Excel or a text editor shows it, and its cells.

    `broken_quote` (OPEN_QUOTE or STRAY_QUOTE) marks a text row whose quotes can't be
    trusted: its cells are what the row's own line holds, and it is never taken for a client.
    """

    number: int
    cells: Sequence[Cell]
    broken_quote: str = ""


OPEN_QUOTE = "open"  # a quote opens and never closes
STRAY_QUOTE = "stray"  # a quote inside a field: `"00012"3`, `"Acme "Best" Ltd"`


def cell_text(cell: Cell | None) -> str:
    """The text a cell shows, surrounding spaces trimmed."""
    if cell is None:
        return ""
    return (cell.shown if isinstance(cell, Untrusted) else cell).strip()


def is_blank(cells: Sequence[Cell]) -> bool:
    return not any(cell_text(cell) for cell in cells)


def header_columns(cells: Sequence[Cell]) -> dict[str, int]:
    """Field -> column index for the headers this row names. The closest name wins (`Client
    ID` over `ID`, `Client Name` over `Contact Name`), then the leftmost column."""
    found: dict[str, tuple[int, int]] = {}  # field -> (rank of the synonym, column)
    for index, cell in enumerate(cells):
        if isinstance(cell, Untrusted) or not cell:
            continue
        wanted = _WANTED.get(" ".join(cell.split()).casefold())
        if wanted and (wanted[0] not in found or wanted[1] < found[wanted[0]][0]):
            found[wanted[0]] = (wanted[1], index)
    return {field: index for field, (_, index) in found.items()}


def is_header(cells: Sequence[Cell]) -> bool:
    columns = header_columns(cells)
    return all(field in columns for field in REQUIRED)
