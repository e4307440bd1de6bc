# Export mappings of catalog records: Fuji Xerox, Xerox, KM/Sharp, PWG 5110.3.
from hcdaudit import catalog, formats, subject

T_US = 1795392000 * 1000000 + 3723 * 1000000   # 2026-11-23T01:02:03Z


def rec(name, who=None, outcome=None, interface=None, remote_host=None, seq=7, **items):
    code, outcome_code, subj, items_map = catalog.prepare(name, who, outcome, interface, remote_host, items)
    return {"seq": seq, "time_us": T_US, "event": code, "outcome": outcome_code, "subject": subj,
            "interface": interface, "remote_host": remote_host, "items": items_map}


def params(record):
    return dict(formats.pwg_params(record))


def test_catalog_fx_row_login_and_print_job():
    row = formats.fx_row(rec("login", subject.admin(), interface="web", remote_host="192.0.2.7",
                             auth_method="Local"))
    assert row == ["7", "2026/11/23", "01:02:03", "0x0201", "Login/Logout", "KO", "Login", "Successful",
                   "Web User Interface,192.0.2.7,Local,System Administrator"]
    row = formats.fx_row(rec("login_failure", subject.unregistered("mallory"), "invalid_user_id", "panel"))
    assert row[5:8] == ["-", "Login", "Failed(Invalid UserID)"] and row[8].endswith(",-")
    row = formats.fx_row(rec("print_job", subject.user("u1", "Alice"), "canceled_by_user", "ipp", "pc7.example",
                             job_uuid="0a1b2c3d-0000-4000-a000-000000000000", relation="owned",
                             file_name="a.pdf"), tz_minutes=540, date_format="DD/MM/YYYY")
    assert row[1:8] == ["23/11/2026", "10:02:03", "0x0401", "Job Status", "Alice", "Print", "Canceled by User"]
    assert row[8] == "0a1b2c3d-0000-4000-a000-000000000000,Owned,-,-,pc7.example,a.pdf,-"
    assert formats.fx_row(rec("print_job", "u", seq=60001))[0] == "1"   # Log ID wraps at 60000


def test_catalog_fx_row_status_and_items_from_the_seed_conventions():
    assert formats.fx_row(rec("device_start", start_mode="warm"))[5:8] == \
        ["System", "Started normally (warm boot)", "-"]
    assert formats.fx_row(rec("audit_log_disabled", "admin"))[6:8] == ["Audit Log", "Disabled"]
    row = formats.fx_row(rec("setting_change", subject.snmp(), setting="SNMPv3", new_value="off"))
    assert row[5:9] == ["SNMP:admin", "Change Security Setting", "Successful", "SNMPv3,is disabled"]
    row = formats.fx_row(rec("clock_change", "admin", old_time="2026-11-23T00:55:03.000000Z", method="ntp",
                             ntp_server="ntp.example"))
    assert row[6:9] == ["Adjust Time", "Successful", "2026-11-23T00:55:03.000000Z,Time change by NTP. ntp.example"]
    row = formats.fx_row(rec("trusted_channel_failure", protocol="SSL/TLS", peer="[2001:db8::1]", failure_count=3,
                             reason="Certificate verification failed"))
    assert row[3] == "0x0801" and row[7] == "Failed"
    assert row[8] == "SSL/TLS,[2001:db8::1],3,Certificate verification failed"
    # An event no FX table has keeps our own code in the same space.
    row = formats.fx_row(rec("audit_eviction", first_seq=1, last_seq=50, count=50))
    assert row[3:5] == ["0x0904", "Audit Trail"]


def test_catalog_xerox_and_km_rows():
    row = formats.xerox_row(rec("login", subject.admin(), interface="web", remote_host="192.0.2.7"))
    assert row[:7] == ["7", "11/23/26", "01:02:03", "30", "SA login", "admin", "Success"]
    assert "host=192.0.2.7" in row
    row = formats.xerox_row(rec("job_flow_job", "u"))    # no App. B ID: the PrimeLink class table
    assert row[3:5] == ["401", "Job Flow Service"]
    row = formats.xerox_row(rec("audit_recovery", last_durable_seq=9))    # in no Xerox table
    assert row[3:5] == ["", "audit_recovery"]
    assert formats.km_row(rec("login_failure", subject.unregistered(), "invalid_user_id")) == \
        ["2026/11/23 01:02:03", "-3", "11", "NG"]
    assert formats.km_row(rec("login", subject.engineer())) == ["2026/11/23 01:02:03", "-1", "01", "OK"]
    assert formats.km_row(rec("audit_start", boot=1))[1:] == ["-3", "52", "OK"]
    assert formats.km_row(rec("ntp_failure", peer="ntp", reason="dns"))[2:] == ["-", "NG"]


def test_catalog_pwg_internal_events_carry_no_request_or_user_parameters():
    for record in (rec("audit_start", boot=1), rec("copy_job", "alice", interface="panel", pages=3),
                   rec("trusted_channel_failure", protocol="IPSEC", reason="IKE negotiation failed")):
        p = params(record)
        for name in ("S", "UH", "UN", "UR", "UU"):
            assert name not in p, (p, name)
    p = params(rec("audit_start", boot=1))
    assert p == {"E": "SystemStateChanged", "ST": "Idle", "SR": ""}


def test_catalog_pwg_client_requests_carry_status_host_and_authenticated_user():
    p = formats.pwg_params(rec("print_job", subject.user("alice", role="User"), "completed_with_warnings", "ipp",
                               "pc7.example", job_id=42, job_uuid="0A1B2C3D-0000-4000-A000-000000000000",
                               pages=12, account_id="acct-9", file_name="a.pdf"), uri="ipps://printer/ipp/print")
    assert p == [("E", "PrintJobCompleted"), ("S", "SuccessfulOk"), ("UN", "alice"), ("UR", "User"),
                 ("UH", "pc7.example"), ("URI", "ipps://printer/ipp/print"), ("JID", "42"),
                 ("JUU", "urn:uuid:0a1b2c3d-0000-4000-a000-000000000000"), ("JIC", "12"), ("JS", "Completed"),
                 ("JR", "JobCompletedWithWarnings"), ("JA", "acct-9")]
    p = params(rec("login_failure", subject.unregistered("x"), "invalid_user_id", "web", "203.0.113.5"))
    assert p["S"] == "ClientErrorNotAuthenticated" and p["UH"] == "203.0.113.5"
    assert "UN" not in p and "UR" not in p     # not authenticated
    p = params(rec("scan_job", "bob", "aborted", "web", "h", destination="bob@example.com",
                   account_id="-", account_user="mailto:bob@example.com"))
    assert p["JD"] == "mailto:bob@example.com" and p["JS"] == "Aborted" and p["JR"] == "AbortedBySystem"
    assert "JA" not in p and p["JAUN"] == p["JAUU"] == "mailto:bob@example.com"
    p = params(rec("fax_send_job", "bob", destination="+49 30 1234"))
    assert p["JD"] == "tel:+49301234"
    names = [n for n, _ in formats.pwg_params(rec("email_job", "bob", interface="web", remote_host="h",
                                                  destination="x@y", job_id=1, images=2))]
    order = ("E", "S", "ST", "SR", "UN", "UR", "UH", "UU", "URI", "JID", "JUU", "JIC", "JIM", "JD", "JS", "JR",
             "JA", "JAUN", "JAUU")
    assert names == [n for n in order if n in names]


def test_catalog_formats_survive_unknown_codes_from_a_newer_firmware():
    record = {"seq": 1, "time_us": T_US, "event": 0x7777, "outcome": 99, "subject": [9, "", "", ""],
              "interface": None, "remote_host": None, "items": {200: "x", 3: b"\x01"}}
    assert formats.fx_row(record)[3] == "0x7777"
    assert formats.xerox_row(record)[4] == "event30583"
    assert formats.km_row(record)[2] == "-"
    assert formats.pwg_params(record)[0] == ("E", "SystemInternalError")
