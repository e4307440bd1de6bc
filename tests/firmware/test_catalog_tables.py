# The catalog's tables are strings searched with str.find (catalog_data.py):
# every row must be found by name and by code, whatever was looked up before,
# and nothing but a whole name or code may match.
from hcdaudit import catalog
from hcdaudit.catalog_data import E_CODE, E_ITEMS, E_NAME, E_OUTCOMES, JOB_OUTCOMES, events, items
from support import raises


def test_every_event_is_found_by_name_and_by_code_in_any_order():
    rows = events()
    assert len(rows) > 60
    for row in rows:
        assert len(row) == 10
        assert catalog.event_code(row[E_NAME]) == row[E_CODE]
        assert catalog.event_name(row[E_CODE]) == row[E_NAME]
    # Alternate look-ups of two rows, so a cached row is never answered for another.
    for i in range(len(rows)):
        a, b = rows[i], rows[-1 - i]
        assert catalog.event_items(a[E_CODE]) == a[E_ITEMS]
        assert catalog.event_items(b[E_NAME]) == b[E_ITEMS]
        assert catalog.event_outcomes(a[E_NAME]) == a[E_OUTCOMES]
        assert catalog.event_name(b[E_CODE]) == b[E_NAME]
    assert catalog.event_outcomes("print_job") == JOB_OUTCOMES
    assert catalog.event_names() == tuple(row[E_NAME] for row in rows)


def test_every_item_is_found_by_name_and_by_code():
    table = items()
    assert len(table) == catalog.ITEM_COUNT
    for i in range(len(table)):
        name, kind, limit = table[i]
        assert catalog.item_code(name) == i + 1
        assert catalog.item_name(i + 1) == name
        assert catalog.item_type(name) == ("text" if kind == "t" else "uint")
        assert catalog.item_limit(name) == limit
    assert catalog.item_label(len(table) + 1) == "item%d" % (len(table) + 1)


def test_only_a_whole_name_or_code_matches():
    for name in ("", "login|", "login\n", "\nlogin", "logi", "ogin", "login ", "SystemAuthentication",
                 "FAU_GEN.1.1(a) E0", "0201", "|0201|", "success"):
        raises(catalog.CatalogError, catalog.event_code, name)
    for code in (-1, 0, 0x0200, 0x10000, 0x0201 + 0x10000, 0x0a01):
        raises(catalog.CatalogError, catalog.event_name, code)
    for name in ("", "boot u 4", "boot u", " boot", "boot ", "u", "4", "t", "oot", "\nboot", "job_uuid t"):
        raises(catalog.CatalogError, catalog.item_code, name)
    for code in (0, len(items()) + 1, -1):
        raises(catalog.CatalogError, catalog.item_name, code)
    raises(catalog.CatalogError, catalog.event_code, 0x0201)


def test_items_outside_their_event_are_told_apart_from_unknown_ones():
    exc = raises(catalog.CatalogError, catalog.prepare, "login", "user01", None, None, None, {"pages": 3})
    assert "does not belong" in str(exc)
    exc = raises(catalog.CatalogError, catalog.prepare, "login", "user01", None, None, None, {"page s": 3})
    assert "unknown item" in str(exc)
