from hcdaudit.timefmt import civil, rfc3339


def test_known_instants():
    assert rfc3339(0) == "1970-01-01T00:00:00.000000Z"
    assert rfc3339(1795392000 * 1000000) == "2026-11-23T00:00:00.000000Z"
    assert rfc3339(951782400 * 1000000 + 1) == "2000-02-29T00:00:00.000001Z"     # leap day
    assert rfc3339(4107542399 * 1000000 + 999999) == "2100-02-28T23:59:59.999999Z"
    assert civil(1709251199 * 1000000)[:3] == (2024, 2, 29)


def test_forty_years_day_by_day_are_consecutive():
    previous = civil(0)
    for day in range(1, 40 * 366):
        now = civil(day * 86400 * 1000000)
        y, m, d = previous[:3]
        assert now[:3] > previous[:3], now
        if d < 28:
            assert now[:3] == (y, m, d + 1), (previous, now)
        previous = now
