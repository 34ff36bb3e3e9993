"""What ``keepassxc-cli export`` writes: CSV (``-f csv``) and KeePass XML (``-f xml``).

The entry title becomes the name (see :func:`name_from_title`), the group path below the root
group the environment (``Passwords/Prod`` -> ``prod``; entries in the root group need the
caller's ``--env``), and the XML's expiry is kept. The CSV has no expiry column, so a CSV
import has none. Entries in the recycle bin and old versions (history) are left out; entries
without a password are skipped and listed.

The XML parser refuses any document type declaration: no DTD, no entity, so no entity
expansion and no external fetch, whatever the parser underneath would do with them.
"""

from __future__ import annotations

import base64
import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from vault_app.core.errors import ValidationError
from vault_app.core.importers import (
    ImportedEntry,
    Parsed,
    Skipped,
    environment_from_group,
    name_from_title,
)
from vault_app.core.secret import Secret

CSV_HEADER = (
    "Group",
    "Title",
    "Username",
    "Password",
    "URL",
    "Notes",
    "TOTP",
    "Icon",
    "Last Modified",
    "Created",
)
RECYCLE_BIN = "Recycle Bin"
_KDBX_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
MAX_XML_BYTES = 64 * 1024 * 1024


def _below_root(group_path: str) -> str:
    """``Passwords/Prod/EU`` -> ``Prod/EU``: the root group's own name is not an environment."""
    return group_path.partition("/")[2]


def parse_csv(text: str, *, source: str = "") -> Parsed:
    where = f"{source}: " if source else ""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError(f"{where}the file is empty")
        if tuple(header[:4]) != CSV_HEADER[:4]:
            raise ValidationError(
                f"{where}not a KeePassXC CSV export: the first line should start with "
                '"Group","Title","Username","Password"'
            )
        entries: list[ImportedEntry] = []
        skipped: list[Skipped] = []
        for number, row in enumerate(reader, start=1):
            if not row:
                continue
            if len(row) != len(header):
                raise ValidationError(
                    f"{where}row {number} (line {reader.line_num}): expected {len(header)} "
                    f"fields, found {len(row)}"
                )
            group, title, password = row[0], row[1], row[3]
            origin = f"entry {number} ({group}/{title})"
            below = _below_root(group)
            if below.split("/")[0] == RECYCLE_BIN:
                continue
            if not password:
                skipped.append(Skipped(origin, "no password"))
                continue
            entries.append(
                ImportedEntry(
                    name=name_from_title(title, f"{where}{origin}"),
                    value=Secret(password),
                    env=environment_from_group(below, f"{where}{origin}"),
                    origin=origin,
                )
            )
    except csv.Error as exc:
        raise ValidationError(
            f"{where}line {reader.line_num}: malformed CSV ({_csv_reason(exc)})"
        ) from None
    return Parsed(tuple(entries), tuple(skipped))


def _csv_reason(exc: csv.Error) -> str:
    # csv's messages describe the syntax ("',' expected after '\"'"), never the cell's content.
    return str(exc).split("\n")[0][:80]


def parse_xml(data: bytes, *, source: str = "") -> Parsed:
    where = f"{source}: " if source else ""
    if len(data) > MAX_XML_BYTES:
        raise ValidationError(f"{where}the XML file is too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValidationError(
            f"{where}the XML declares a document type or entities; refusing to read it "
            "(a KeePassXC export has none)"
        )
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD, checked above
    except ET.ParseError as exc:
        line, column = exc.position
        raise ValidationError(f"{where}malformed XML at line {line}, column {column}") from None
    if root.tag != "KeePassFile":
        raise ValidationError(f"{where}not a KeePass XML export (no <KeePassFile>)")
    recycle_bin = (root.findtext("Meta/RecycleBinUUID") or "").strip()
    top = root.find("Root/Group")
    if top is None:
        raise ValidationError(f"{where}not a KeePass XML export (no <Root><Group>)")
    entries: list[ImportedEntry] = []
    skipped: list[Skipped] = []
    counter = [0]

    def walk(group: ET.Element, path: list[str]) -> None:
        for child in group:
            if child.tag == "Entry":
                counter[0] += 1
                found = _entry(child, path, counter[0], where)
                if isinstance(found, Skipped):
                    skipped.append(found)
                else:
                    entries.append(found)
            elif child.tag == "Group":
                uuid = (child.findtext("UUID") or "").strip()
                if recycle_bin and uuid == recycle_bin:
                    continue
                walk(child, [*path, (child.findtext("Name") or "").strip()])

    walk(top, [])
    return Parsed(tuple(entries), tuple(skipped))


def _entry(entry: ET.Element, path: list[str], number: int, where: str) -> ImportedEntry | Skipped:
    strings: dict[str, str] = {}
    for item in entry.findall("String"):
        key = item.findtext("Key") or ""
        value_element = item.find("Value")
        if value_element is not None and value_element.get("Protected", "").lower() == "true":
            raise ValidationError(
                f"{where}entry {number}: the {key or 'value'} field is encrypted inside the XML; "
                "export with `keepassxc-cli export -f xml` (values in the clear)"
            )
        strings[key] = "" if value_element is None else (value_element.text or "")
    title = strings.get("Title", "")
    group = "/".join(path)
    origin = f"entry {number} ({group + '/' if group else ''}{title})"
    password = strings.get("Password", "")
    if not password:
        return Skipped(origin, "no password")
    expires_at = None
    if (entry.findtext("Times/Expires") or "").strip().lower() == "true":
        expires_at = _kdbx_time(entry.findtext("Times/ExpiryTime") or "", f"{where}{origin}")
    return ImportedEntry(
        name=name_from_title(title, f"{where}{origin}"),
        value=Secret(password),
        env=environment_from_group(group, f"{where}{origin}"),
        expires_at=expires_at,
        origin=origin,
    )


def _kdbx_time(text: str, origin: str) -> datetime:
    """ISO 8601 (KDBX 3) or base64 of little-endian seconds since 0001-01-01 (KDBX 4)."""
    text = text.strip()
    try:
        if "-" in text and ":" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        raw = base64.b64decode(text, validate=True)
        if len(raw) != 8:
            raise ValueError
        return _KDBX_EPOCH + timedelta(seconds=int.from_bytes(raw, "little"))
    except (ValueError, OverflowError):
        raise ValidationError(f"{origin}: the expiry time {text[:32]!r} is not readable") from None
