# The firmware a flashed board runs (boards/common/app.py), on a board with
# simulated parts: network up, the clock from NTP (audited), the log booted,
# the signed syslog sender delivering, the service loop; and the failures a
# board meets in the field: no NTP answer, no network, no collector.
import json

import board_scenarios
import sim_peripherals
import support
from boards.common.app import App
from fakes import MASTER_KEY, FakeClock
from hcdaudit import catalog

T_US = 1795392000 * 1000000


class Sntp:
    def __init__(self, time_us=T_US, error=None):
        self.time_us = time_us
        self.error = error
        self.servers = []

    def __call__(self, server):
        self.servers.append(server)
        return self

    def query(self):
        if self.error:
            raise OSError(self.error)
        return self.time_us


def deployed(name, url=None, network=None):
    board = board_scenarios.board_module(name)
    folder = support.tmpdir()
    syslog = {"service_uri": "ipp://sim.example.com/ipp/print", "key_blob_type": "K"}
    if url:
        syslog["url"] = url
    sim_peripherals.write_bundle(folder, name, MASTER_KEY, syslog=syslog)
    if network is not None:
        with open(folder + "/network.json", "w") as f:
            f.write(json.dumps(network))
    p = sim_peripherals.peripherals_for(name, key_dir=support.tmpdir() if name == "stm32" else None)
    sim_peripherals.install_bundle(board, p, folder)
    sim_peripherals.install_root(board, p)
    return board, p


def events_logged(board, p):
    records, report = board_scenarios.read_back(board, p)
    assert report.intact(), [f.as_dict() for f in report.faults()]
    names = []
    for r in records:
        names.append(catalog.event_name(r["event"]))
    return records, names


def collector_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().split(b"\n")[:-1]
    except OSError:
        return []


def test_a_board_starts_sets_its_clock_by_ntp_audits_it_and_delivers():
    path = support.tmpdir() + "/collector.log"
    board, p = deployed("rp2040", "file://" + path, {"ssid": "office", "password": "pw", "ntp_server": "ntp.example"})
    sntp = Sntp()
    out = []
    app = App(board, p, clock=FakeClock(), sntp=sntp, out=out.append).start()
    assert p.network.settings["ssid"] == "office" and sntp.servers == ["ntp.example"]
    assert p.rtc.set_to == [(2026, 11, 23, 0, 0, 0, 0, 0)]
    app.log.log("print_job", subject="u", file_name="after-start")
    app.service()
    lines = collector_lines(path)
    assert len(lines) >= 3 and b"after-start" in lines[-1], lines
    records, names = events_logged(board, p)
    assert names[:2] == ["audit_start", "clock_change"], names
    items = records[1]["items"]
    assert items.get(catalog.item_code("method")) == "ntp"
    assert items.get(catalog.item_code("ntp_server")) == "ntp.example"
    p.power_off()


def test_the_collector_named_in_network_json_is_an_audited_change_made_once():
    path = support.tmpdir() + "/collector.log"
    network = {"ssid": "office", "password": "pw", "collector": {"url": "file://" + path, "bogus": 1}}
    board, p = deployed("esp32s3", network=network)
    out = []
    app = App(board, p, clock=FakeClock(), sntp=Sntp(), out=out.append).start()
    assert app.sender is not None and any("bogus" in line for line in out), out
    app.service()
    assert collector_lines(path)
    p = p.reboot()
    App(board, p, clock=FakeClock(), sntp=Sntp(), out=lambda s: None).start()
    records, names = events_logged(board, p)
    assert names.count("setting_change") == 1, names
    change = records[names.index("setting_change")]["items"]
    assert change.get(catalog.item_code("setting")) == "syslog url"
    assert change.get(catalog.item_code("new_value")) == "file://" + path
    p.power_off()


def test_no_ntp_answer_is_audited_and_the_clock_left_alone():
    board, p = deployed("esp32s3", network={"ssid": "office", "password": "pw"})
    app = App(board, p, clock=FakeClock(), sntp=Sntp(error="timed out"), out=lambda s: None).start()
    assert p.rtc.set_to == [] and app.ntp_failures == 1
    records, names = events_logged(board, p)
    assert names == ["audit_start", "ntp_failure"], names
    assert records[1]["items"].get(catalog.item_code("peer")) == "pool.ntp.org"
    p.power_off()


def test_a_board_without_network_or_collector_still_audits():
    board, p = deployed("stm32")
    p.network.error = "Ethernet: no link"
    out = []
    app = App(board, p, clock=FakeClock(), sntp=Sntp(), out=out.append).start()
    assert app.sender is None and any("no collector" in line for line in out), out
    assert any("no link" in line for line in out), out
    app.service()                                    # nothing to deliver to: no error
    app.log.log("login", subject="admin", interface="panel")
    records, names = events_logged(board, p)
    assert names == ["audit_start", "ntp_failure", "login"], names
    assert records[1]["items"].get(catalog.item_code("reason")) == "network down"
    p.power_off()


def test_a_malformed_network_file_is_a_clear_error():
    from boards.common.bundle import DeviceError
    board, p = deployed("rp2040")
    folder = board.open_volume(p).dir(board.ROOT)
    f = folder.open("network.json", "wb")
    f.write(b"{ssid: office")
    folder.commit(f)
    exc = support.raises(DeviceError, App(board, p, sntp=Sntp(), out=lambda s: None).start)
    assert "network.json" in str(exc)
    p.power_off()
