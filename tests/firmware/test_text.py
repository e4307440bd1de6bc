from hcdaudit import text


def test_short_text_is_unchanged():
    assert text.truncate("report.pdf", 64) == "report.pdf"
    assert text.truncate("x" * 64, 64) == "x" * 64


def test_long_text_is_cut_with_a_marker_within_the_limit():
    out = text.truncate("a" * 100, 45)
    assert out.endswith(text.MARKER)
    assert len(out.encode("utf-8")) == 45
    assert out.startswith("a" * 42)


def test_cut_never_splits_a_code_point():
    # "監査" is 3 bytes per character: a 10-byte limit leaves room for 7 bytes of text → 2 chars.
    out = text.truncate("監査ログ監査ログ", 10)
    assert out == "監査" + text.MARKER
    assert len(out.encode("utf-8")) <= 10
    out = text.truncate("é" * 30, 12)   # 2-byte characters
    assert out == "é" * 4 + text.MARKER
