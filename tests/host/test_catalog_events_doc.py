"""docs/EVENTS.md is generated from the catalog and must not drift from it."""
from pathlib import Path

from hcdaudit import catalog
from hcdaudit_host import events_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "EVENTS.md"


def test_catalog_events_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == events_doc.render(), \
        "docs/EVENTS.md is stale: run `python -m hcdaudit_host.events_doc > docs/EVENTS.md`"


def test_catalog_events_doc_lists_every_event_and_explains_every_event_without_a_seed_id():
    text = events_doc.render()
    from hcdaudit.catalog_vendor import ROWS
    for name in catalog.event_names():
        assert "| `%s` |" % name in text
        if not any(r[3] == name for r in ROWS) or name in ("login_failure", "fax_receive_job"):
            assert name in events_doc.ADDED, name
