"""pytest plugin: a real rsyslog collector per test (see rsyslog.py).

Enable it in tests/host/conftest.py with ``pytest_plugins = ["conftest_rsyslog"]``.

* ``rsyslog``: a started ``Rsyslog`` (UDP and TCP) in the test's tmp_path.  It is
  stopped after the test.
* ``rsyslog_factory``: ``rsyslog_factory(tls=..., relp=...)`` starts further
  collectors, with TLS or RELP listeners, each in its own folder.  All of them
  are stopped after the test.

If rsyslogd is missing, these fixtures fail.  They never skip, because CI
installs rsyslog.
"""
from __future__ import annotations

import pytest

from rsyslog import Rsyslog, find_rsyslogd

_MISSING = ("rsyslogd is not installed (looked at $RSYSLOGD, PATH, /usr/sbin, /sbin). The rsyslog "
            "tests need it: apt-get install -y rsyslog rsyslog-relp rsyslog-gnutls rsyslog-openssl")


def _require_rsyslogd() -> None:
    if find_rsyslogd() is None:
        pytest.fail(_MISSING, pytrace=False)


@pytest.fixture
def rsyslog_factory(tmp_path):
    _require_rsyslogd()
    started: list[Rsyslog] = []

    def make(**kwargs) -> Rsyslog:
        collector = Rsyslog(tmp_path / f"rsyslog-{len(started)}", **kwargs)
        started.append(collector)
        return collector.start()

    yield make
    errors = []
    for collector in started:
        try:
            collector.stop()
        except Exception as exc:   # noqa: BLE001  (stop the others anyway)
            errors.append(exc)
    if errors:
        raise errors[0]


@pytest.fixture
def rsyslog(rsyslog_factory) -> Rsyslog:
    return rsyslog_factory()
