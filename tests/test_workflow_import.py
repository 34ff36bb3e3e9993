"""Import from .env files and from what the real keepassxc-cli exports; preview, dry run, errors."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from support import require_system
from tokens_for_tests import github_pat

from vault_app.core.errors import ValidationError
from vault_app.core.importers import dotenv, keepassxc, name_from_title

SECRETISH = "s3cr3t-" + "z" * 20

# -- .env -----------------------------------------------------------------------------------


def parsed(text: str) -> dict[str, str]:
    return {e.name: e.value.reveal() for e in dotenv.parse(text).entries}


def test_dotenv_grammar():
    text = (
        "\ufeff# a comment\n"
        "\n"
        "PLAIN=value-1\n"
        "export EXPORTED=value-2\n"
        "  SPACED = value-3   \n"
        "INLINE=value-4 # a comment\n"
        "HASH=value#5\n"
        "SINGLE='single # not a comment \\' quote \\\\ back'\n"
        'DOUBLE="tab\\there \\"quoted\\" \\\\ back \\$x"  # comment\n'
        "EMPTY_QUOTED=''\n"
        "EMPTY=\n"
        "URL=https://example.com/?a=b&c=d\r\n"
        "DOLLAR=${NOT_EXPANDED}\n"
    )
    assert parsed(text) == {
        "PLAIN": "value-1",
        "EXPORTED": "value-2",
        "SPACED": "value-3",
        "INLINE": "value-4",
        "HASH": "value#5",
        "SINGLE": "single # not a comment ' quote \\ back",
        "DOUBLE": 'tab\there "quoted" \\ back $x',
        "URL": "https://example.com/?a=b&c=d",
        "DOLLAR": "${NOT_EXPANDED}",
    }
    skipped = dotenv.parse(text).skipped
    assert [s.origin for s in skipped] == ["line 10 (EMPTY_QUOTED)", "line 11 (EMPTY)"]


@pytest.mark.parametrize(
    "text, needle",
    [
        (f'KEY="{SECRETISH}\n', "line 1: the double-quoted value does not end on this line"),
        (f"KEY='{SECRETISH}\n", "line 1: the single-quoted value does not end on this line"),
        (f"A=1\n{SECRETISH}\n", "line 2: expected NAME=value"),
        (f"KEY {SECRETISH}\n", "line 1: expected NAME=value"),
        (f"A=1\nA={SECRETISH}\n", "line 2: A is set twice (also on line 1)"),
        (f'KEY="{SECRETISH}" trailing\n', "line 1: unexpected text after the closing quote"),
        (f"1KEY={SECRETISH}\n", "line 1: expected NAME=value"),
    ],
)
def test_dotenv_errors_say_where_and_never_the_value(text, needle):
    with pytest.raises(ValidationError) as caught:
        dotenv.parse(text, source="app.env")
    message = str(caught.value)
    assert message.startswith("app.env: ") and needle in message
    assert SECRETISH not in message and "\n" not in message


def test_import_dotenv_detects_and_previews(vault_cli, tmp_path):
    token = github_pat()
    env_file = tmp_path / ".env"
    env_file.write_text(
        f'# app\nexport GITHUB_TOKEN=\'{token}\'\nDB_PASSWORD="pa ss\\"word-123"\nEMPTY=\n'
    )
    preview = vault_cli.ok(
        "import", str(env_file), "--format", "dotenv", "--env", "dev", "--dry-run"
    )
    assert "would import: 2 new, 0 replaced, 0 unchanged, 1 skipped" in preview.out
    assert "add       GITHUB_TOKEN (dev)  github" in preview.out
    assert "nothing was written" in preview.err and token not in preview.text
    assert json.loads(vault_cli.ok("list", "--json").out) == []

    result = vault_cli.ok("import", str(env_file), "--format", "dotenv", "--env", "dev")
    assert "importing: 2 new" in result.out and token not in result.text
    records = {r["name"]: r for r in json.loads(vault_cli.ok("list", "--json").out)}
    assert set(records) == {"GITHUB_TOKEN", "DB_PASSWORD"}
    assert records["GITHUB_TOKEN"]["provider"] == "github"
    assert records["GITHUB_TOKEN"]["sources"]["provider"] == "token"
    shown = json.loads(vault_cli.ok("show", "DB_PASSWORD", "--reveal", "--json").out)
    assert shown["value"] == 'pa ss"word-123'
    assert any(e["action"] == "import" for e in json.loads(vault_cli.ok("audit", "--json").out))


def test_import_conflict_replace_and_unchanged(vault_cli, tmp_path):
    vault_cli.ok("add", "A", "--env", "dev", input="old-value-12345")
    vault_cli.ok("add", "B", "--env", "dev", input="same-value-12345")
    env_file = tmp_path / ".env"
    env_file.write_text("A=new-value-12345\nB=same-value-12345\nC=third-value-12345\n")
    result = vault_cli("import", str(env_file), "--format", "dotenv", "--env", "dev")
    assert (
        result.code == 1 and "A already exists in dev" in result.err and "--replace" in result.err
    )
    assert [r["name"] for r in json.loads(vault_cli.ok("list", "--json").out)] == ["A", "B"]

    result = vault_cli.ok(
        "import", str(env_file), "--format", "dotenv", "--env", "dev", "--replace"
    )
    assert "1 new, 1 replaced, 1 unchanged" in result.out
    assert "replace   A (dev)" in result.out and "unchanged B (dev)" in result.out
    assert (
        json.loads(vault_cli.ok("show", "A", "--reveal", "--json").out)["value"]
        == "new-value-12345"
    )
    assert json.loads(vault_cli.ok("show", "B", "--json").out)["version"] == 1


@pytest.mark.parametrize(
    "content, args, needle",
    [
        ("A=ok-value-123\nB='unterminated\n", ("--env", "dev"), "line 2"),
        ("A=ok-value-123\n", (), "give --env ENV"),
        ('A=ok-value-123\nB=line\\nbreak\nC="x\\ny"\n', ("--env", "dev"), "several lines"),
        (b"A=\xff\xfe\n", ("--env", "dev"), "not UTF-8"),
        ("A=ok-value-123\n", ("--env", "Not An Env"), "invalid environment"),
    ],
)
def test_malformed_dotenv_writes_nothing(vault_cli, tmp_path, content, args, needle):
    env_file = tmp_path / ".env"
    if isinstance(content, bytes):
        env_file.write_bytes(content)
    else:
        env_file.write_text(content)
    result = vault_cli("import", str(env_file), "--format", "dotenv", *args)
    assert result.code == 1 and needle in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert json.loads(vault_cli.ok("list", "--json").out) == []


# -- KeePassXC, parsers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, name",
    [
        ("GitHub Token", "GITHUB_TOKEN"),
        ("stripe-key (live)", "STRIPE_KEY_LIVE"),
        ("Clé API", "CLE_API"),
        ("2fa backup", "_2FA_BACKUP"),
        ("already_OK", "ALREADY_OK"),
    ],
)
def test_titles_become_names(title, name):
    assert name_from_title(title, "entry 1") == name


@pytest.mark.parametrize("title", ["", "!!!", "密码"])
def test_title_without_letters_is_a_clear_error(title):
    with pytest.raises(ValidationError, match="rename the entry"):
        name_from_title(title, "entry 1")


CSV = (
    '"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"\n'
    '"Root","GitHub Token","me","ghp_x""y,z","","","","0","2026-01-01T00:00:00Z","2026-01-01T00:00:00Z"\n'
    '"Root/Prod/EU","API","","prod-secret","","multi\nline","","0","2026-01-01T00:00:00Z","2026-01-01T00:00:00Z"\n'
    '"Root/Recycle Bin","Old","","old-secret","","","","0","2026-01-01T00:00:00Z","2026-01-01T00:00:00Z"\n'
    '"Root/Prod","No Password","","","","","","0","2026-01-01T00:00:00Z","2026-01-01T00:00:00Z"\n'
)


def test_keepassxc_csv():
    result = keepassxc.parse_csv(CSV)
    entries = [(e.name, e.env, e.value.reveal()) for e in result.entries]
    assert entries == [("GITHUB_TOKEN", None, 'ghp_x"y,z'), ("API", "prod-eu", "prod-secret")]
    assert [(s.origin, s.reason) for s in result.skipped] == [
        ("entry 4 (Root/Prod/No Password)", "no password")
    ]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("", "the file is empty"),
        ('"Title","Password"\n"a","b"\n', "not a KeePassXC CSV export"),
        (
            CSV.splitlines()[0] + '\n"Root","T","","secret-value"\n',
            "row 1 (line 2): expected 10 fields, found 4",
        ),
        (
            CSV.splitlines()[0] + '\n"Root","T","","secret"value","","","","0","",""\n',
            "malformed CSV",
        ),
    ],
)
def test_keepassxc_csv_errors(text, needle):
    with pytest.raises(ValidationError) as caught:
        keepassxc.parse_csv(text, source="export.csv")
    assert needle in str(caught.value) and "secret" not in str(caught.value).replace("export", "")


XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<KeePassFile><Meta><RecycleBinUUID>BIN=</RecycleBinUUID></Meta><Root>
<Group><UUID>ROOT=</UUID><Name>Passwords</Name>
  <Entry><UUID>E1=</UUID><Times><ExpiryTime>2031-05-06T07:08:09Z</ExpiryTime><Expires>True</Expires></Times>
    <String><Key>Title</Key><Value>GitHub Token</Value></String>
    <String><Key>Password</Key><Value ProtectInMemory="True">ghp_secret&amp;&lt;x&gt;</Value></String>
    <History><Entry><String><Key>Title</Key><Value>GitHub Token</Value></String>
      <String><Key>Password</Key><Value>older-secret</Value></String></Entry></History>
  </Entry>
  <Group><UUID>G1=</UUID><Name>Staging</Name>
    <Entry><UUID>E2=</UUID><Times><ExpiryTime>AAAAAAAAAAA=</ExpiryTime><Expires>False</Expires></Times>
      <String><Key>Title</Key><Value>db pass</Value></String>
      <String><Key>Password</Key><Value>staging-secret</Value></String></Entry>
    <Entry><UUID>E3=</UUID><Times><ExpiryTime>gDmN4g4AAAA=</ExpiryTime><Expires>True</Expires></Times>
      <String><Key>Title</Key><Value>kdbx4 time</Value></String>
      <String><Key>Password</Key><Value>kdbx4-secret</Value></String></Entry>
  </Group>
  <Group><UUID>BIN=</UUID><Name>Recycle Bin</Name>
    <Entry><String><Key>Title</Key><Value>Gone</Value></String>
      <String><Key>Password</Key><Value>gone-secret</Value></String></Entry>
  </Group>
</Group></Root></KeePassFile>
"""


def test_keepassxc_xml():
    result = keepassxc.parse_xml(XML)
    got = [(e.name, e.env, e.value.reveal(), e.expires_at) for e in result.entries]
    assert got[0] == (
        "GITHUB_TOKEN",
        None,
        "ghp_secret&<x>",
        datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC),
    )
    assert got[1] == ("DB_PASS", "staging", "staging-secret", None)
    assert got[2][:3] == ("KDBX4_TIME", "staging", "kdbx4-secret")
    assert got[2][3] is not None and got[2][3].year == 2026
    assert len(got) == 3  # neither the history nor the recycle bin


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"<KeePassFile><Root>", "malformed XML at line 1"),
        (b"not xml at all", "malformed XML"),
        (b"<Other/>", "not a KeePass XML export"),
        (b"<KeePassFile><Meta/></KeePassFile>", "no <Root><Group>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b"<KeePassFile>&lol2;</KeePassFile>",
            "declares a document type or entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
            b"<KeePassFile>&ext;</KeePassFile>",
            "declares a document type or entities",
        ),
        (
            XML.replace(b'ProtectInMemory="True"', b'Protected="True"'),
            "entry 1: the Password field is encrypted inside the XML",
        ),
        (XML.replace(b"2031-05-06T07:08:09Z", b"someday"), "expiry time 'someday' is not readable"),
        (XML.replace(b"<Value>db pass</Value>", b"<Value>***</Value>"), "rename the entry"),
    ],
)
def test_keepassxc_xml_errors(data, needle):
    with pytest.raises(ValidationError) as caught:
        keepassxc.parse_xml(data, source="export.xml")
    assert needle in str(caught.value)
    assert "secret" not in str(caught.value)


def test_same_name_twice_is_refused_before_writing(vault_cli, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(
        CSV.splitlines()[0]
        + '\n"Root/Dev","API key","","first-secret-1","","","","0","",""\n'
        + '"Root/Dev","api-key","","second-secret-2","","","","0","",""\n'
    )
    result = vault_cli("import", str(export), "--format", "keepassxc-csv")
    assert result.code == 1 and "both become API_KEY in dev" in result.err
    assert json.loads(vault_cli.ok("list", "--json").out) == []


# -- KeePassXC, the real tool ---------------------------------------------------------------

KDBX_PASSWORD = "kdbx-test-password"


def kpx(*args: str, stdin: str = "") -> str:
    result = subprocess.run(
        ["keepassxc-cli", *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def kdbx_exports(tmp_path):
    """A database made by keepassxc-cli, one entry given an expiry, exported as CSV and XML."""
    require_system("keepassxc-cli", why="KeePassXC import tests against the real exporter")
    first = tmp_path / "first.kdbx"
    db = tmp_path / "tokens.kdbx"
    twice = f"{KDBX_PASSWORD}\n{KDBX_PASSWORD}\n"
    kpx("db-create", "-p", str(first), stdin=twice)
    kpx("mkdir", str(first), "Prod", stdin=KDBX_PASSWORD + "\n")
    kpx("mkdir", str(first), "Staging", stdin=KDBX_PASSWORD + "\n")
    gh = github_pat()
    entries = {
        "GitHub Token": ("", gh),
        "Prod/Stripe key": ("Prod", "sk_live_" + "a" * 24),
        "Staging/db pass": ("Staging", "p\"a,s's w<o>r&d-1"),
        "Staging/Nothing": ("Staging", ""),
    }
    for path, (_, password) in entries.items():
        kpx("add", "-p", str(first), path, stdin=f"{KDBX_PASSWORD}\n{password}\n")
    # keepassxc-cli cannot set an expiry; KeePassXC's own XML import can: export, set, import.
    tree = ET.ElementTree(
        ET.fromstring(kpx("export", "-f", "xml", str(first), stdin=KDBX_PASSWORD + "\n"))
    )
    for entry in tree.iter("Entry"):
        title = next(
            s.findtext("Value") for s in entry.findall("String") if s.findtext("Key") == "Title"
        )
        if title == "Stripe key":
            entry.find("Times/Expires").text = "True"  # type: ignore[union-attr]
            entry.find("Times/ExpiryTime").text = "2031-05-06T07:08:09Z"  # type: ignore[union-attr]
    edited = tmp_path / "edited.xml"
    tree.write(edited, encoding="utf-8", xml_declaration=True)
    kpx("import", "-p", str(edited), str(db), stdin=twice)
    csv_file, xml_file = tmp_path / "export.csv", tmp_path / "export.xml"
    csv_file.write_text(kpx("export", "-f", "csv", str(db), stdin=KDBX_PASSWORD + "\n"))
    xml_file.write_text(kpx("export", "-f", "xml", str(db), stdin=KDBX_PASSWORD + "\n"))
    return {"csv": csv_file, "xml": xml_file, "github": gh}


def test_keepassxc_xml_round_trip(vault_cli, kdbx_exports):
    result = vault_cli("import", str(kdbx_exports["xml"]), "--format", "keepassxc-xml")
    # The root group names no environment.
    assert result.code == 1 and "give --env ENV" in result.err and "GitHub Token" in result.err
    assert json.loads(vault_cli.ok("list", "--json").out) == []

    vault_cli.ok("add", "PLACEHOLDER", "--env", "x", input="placeholder-123")
    result = vault_cli.ok(
        "import", str(kdbx_exports["xml"]), "--format", "keepassxc-xml", "--env", "work"
    )
    assert "3 new" in result.out and "1 skipped" in result.out and "no password" in result.out
    records = {(r["name"], r["env"]): r for r in json.loads(vault_cli.ok("list", "--json").out)}
    assert set(records) == {
        ("PLACEHOLDER", "x"),
        ("GITHUB_TOKEN", "work"),
        ("STRIPE_KEY", "work"),
        ("DB_PASS", "work"),
    }
    assert records[("STRIPE_KEY", "work")]["expires_at"] == "2031-05-06T07:08:09Z"
    assert records[("GITHUB_TOKEN", "work")]["provider"] == "github"
    shown = json.loads(vault_cli.ok("show", "DB_PASS", "--reveal", "--json").out)
    assert shown["value"] == "p\"a,s's w<o>r&d-1"
    shown = json.loads(vault_cli.ok("show", "GITHUB_TOKEN", "--reveal", "--json").out)
    assert shown["value"] == kdbx_exports["github"]


def test_keepassxc_groups_become_environments(vault_cli, kdbx_exports, tmp_path):
    # Without the root-group entry, group paths name the environments.
    xml = kdbx_exports["xml"].read_bytes()
    root = ET.fromstring(xml)
    top = root.find("Root/Group")
    assert top is not None
    for entry in top.findall("Entry"):
        top.remove(entry)
    grouped = tmp_path / "grouped.xml"
    grouped.write_bytes(ET.tostring(root))
    vault_cli.ok("import", str(grouped), "--format", "keepassxc-xml")
    records = {(r["name"], r["env"]): r for r in json.loads(vault_cli.ok("list", "--json").out)}
    assert set(records) == {("STRIPE_KEY", "prod"), ("DB_PASS", "staging")}
    assert records[("STRIPE_KEY", "prod")]["expires_at"] == "2031-05-06T07:08:09Z"


def test_keepassxc_csv_round_trip(vault_cli, kdbx_exports):
    result = vault_cli.ok(
        "import", str(kdbx_exports["csv"]), "--format", "keepassxc-csv", "--env", "dev"
    )
    assert "3 new" in result.out
    records = {r["name"]: r for r in json.loads(vault_cli.ok("list", "--json").out)}
    assert set(records) == {"GITHUB_TOKEN", "STRIPE_KEY", "DB_PASS"}
    assert {r["env"] for r in records.values()} == {"dev"}
    assert (
        json.loads(vault_cli.ok("show", "DB_PASS", "--reveal", "--json").out)["value"]
        == "p\"a,s's w<o>r&d-1"
    )


def test_truncated_real_exports_write_nothing(vault_cli, kdbx_exports, tmp_path):
    for kind in ("csv", "xml"):
        data = kdbx_exports[kind].read_bytes()
        cut = tmp_path / f"cut.{kind}"
        cut.write_bytes(data[: len(data) * 2 // 3])
        result = vault_cli("import", str(cut), "--format", f"keepassxc-{kind}", "--env", "dev")
        assert result.code == 1, kind
        assert len(result.err.strip().splitlines()) == 1
    assert json.loads(vault_cli.ok("list", "--json").out) == []
