"""Privacy checked, not promised: once every other browser test has run (conftest.py puts this
module last), the server's whole database and everything it logged hold neither the browsers'
address nor their user agent.

The scan looks for the address as a request would leave it (`127.0.0.1`, `127.0.0.1:54321`), not
inside a URL: settings and staff data name the server itself (`http://127.0.0.1:8000`)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.chat_people import Young, YoungPerson
from tests.e2e.conftest import USER_AGENT, USER_AGENT_MARK, Contexts

BROWSER_ADDRESS = "127.0.0.1"
# The address on its own or with a port, not as the host of a URL ("//127.0.0.1").
ADDRESS_AS_A_REQUEST_LEAVES_IT = re.compile(r"(?<![\w./])" + re.escape(BROWSER_ADDRESS) + r"(?![\w.])")


def traces(text: str) -> list[str]:
    """What in `text` is the browsers' address or user agent, with a little context each."""
    found = []
    for pattern in (re.compile(re.escape(USER_AGENT_MARK)), ADDRESS_AS_A_REQUEST_LEAVES_IT):
        for match in pattern.finditer(text):
            found.append(text[max(0, match.start() - 40) : match.end() + 40])
    return found


def scan_database(path: Path) -> tuple[list[str], int]:
    """Returns the traces in every text (or blob) value of every column of every table, each
    named by table and column, and how many conversations the database holds."""
    found: list[str] = []
    database = sqlite3.connect(path)
    try:
        tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in database.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                # Any column: SQLite keeps text wherever it is put, whatever the declared type.
                query = f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") IN (\'text\', \'blob\')'  # noqa: S608 - names from the schema itself
                for (value,) in database.execute(query):
                    text = value if isinstance(value, str) else bytes(value).decode("latin-1")
                    found += [f"{table}.{column}: {trace}" for trace in traces(text)]
        conversations = database.execute("SELECT count(*) FROM counseling_conversation").fetchone()[0]
    finally:
        database.close()
    return found, conversations


def test_the_server_kept_and_logged_neither_address_nor_user_agent(
    contexts: Contexts, server: str, server_var_dir: Path
) -> None:
    # Traffic of its own, so the scan means something also when this module runs alone: a letter,
    # a resume on another phone (a socket each), and a wrong code (a logged 404).
    young = YoungPerson(contexts.new().new_page()).open()
    young.write_letter("Ingen må vide, hvem jeg er.")
    later = YoungPerson(contexts.new().new_page()).open()
    later.resume(young.resume_code)
    later.expect_message("Ingen må vide, hvem jeg er.")
    expect(later.status()).to_contain_text(Young.letter_waiting)
    # Opened without the checks (the browser reports the 404 as a console error), and without
    # Contexts: the user agent comes from the browser's command line, whoever opens the context.
    unchecked = contexts.browser.new_context(base_url=server, locale="da-DK")
    stranger = YoungPerson(unchecked.new_page()).open()
    assert stranger.page.evaluate("navigator.userAgent") == USER_AGENT
    stranger.resume("AAAA-BBBB-CCCC")
    expect(stranger.page.get_by_role("alert")).to_be_visible()
    unchecked.close()

    in_database, conversations = scan_database(server_var_dir / "samraad.sqlite3")
    log = (server_var_dir / "server.log").read_text(errors="replace")

    assert conversations > 0, "the scan read another database than the server's"
    # The log holds the server's connection lines, so a line naming a peer would be seen here.
    assert '"WebSocket /ws/chat/" [accepted]' in log
    assert in_database == [], "the browsers' address or user agent in the database:\n" + "\n".join(in_database)
    in_log = traces(log)
    assert in_log == [], "the browsers' address or user agent in the server's log:\n" + "\n".join(in_log)
