"""Write the hand-made conformance corpus (every file but pwg-spec-examples.log,
which is cut verbatim from shared/seeds/pwg-common-log-format.txt).

    .venv/bin/python tests/host/data/conformance/make_corpus.py

Each bad file is the clean message with one defect per line; README.md lists
the rule IDs each line must raise (test_conformance.py reads that table).
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
BOM = "\ufeff"
HOST = "printer.example.com"
TS = "2026-03-01T10:00:%02d.000000Z"
DUU = "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84"
SUU = "urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954"
JUU = "urn:uuid:70fe0e41-1e92-4189-8dbe-bb459dc93296"
URI = "ipp://printer.example.com/ipp/print"


def sd(*pairs: tuple[str, str], sd_id: str = "PWG") -> str:
    return "[" + sd_id + "".join(f' {name}="{value}"' for name, value in pairs) + "]"


def service(event: str = "PrintStateChanged", **extra: str) -> list[tuple[str, str]]:
    pairs = [("NL", "en-US"), ("DUU", DUU), ("E", event)]
    pairs += list(extra.items())
    pairs += [("IAJ", "T"), ("ST", "Idle"), ("SR", ""), ("SUU", SUU), ("URI", URI)]
    return pairs


def job(event: str = "PrintJobCompleted", **extra: str) -> list[tuple[str, str]]:
    pairs = [("NL", "en-US"), ("DUU", DUU), ("E", event)]
    pairs += list(extra.items())
    pairs += [("JID", "123"), ("JUU", JUU), ("JIC", "42"), ("JS", "Completed"), ("JR", ""), ("URI", URI)]
    return pairs


def replace(pairs: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(name, values.get(name, value)) for name, value in pairs]


def drop(pairs: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    return [(name, value) for name, value in pairs if name not in names]


def line(n: int, pairs, msg: str | None = "Printer is idle.", pri: int = 54, host: str = HOST, app: str = "-",
         ts: str | None = None, bom: bool = True, raw_sd: str | None = None) -> bytes:
    text = f"<{pri}>1 {ts or TS % n} {host} {app} - - " + (raw_sd if raw_sd is not None else sd(*pairs))
    if msg is not None:
        text += " " + (BOM if bom else "") + msg
    return text.encode("utf-8")


def write(name: str, lines: list[bytes], prefix: bytes = b"") -> None:
    (HERE / name).write_bytes(prefix + b"".join(item + b"\n" for item in lines))


def main() -> None:
    client = [("S", "SuccessfulOk"), ("UH", "client.example.com"), ("UN", "alice"), ("UR", "User"),
              ("UU", "mailto:alice@example.com")]
    write("clean-pwg.log", [
        line(1, service("SystemRestarted"), "System restarted."),
        line(2, replace(job("PrintJobCreated", **dict(client)), JS="Pending", JIC="0"), "Created job 123."),
        line(3, job(), "Job 123 \u201eQuartalsbericht\u201c printed: 42 pages."),
        line(4, replace(service(), ST="Processing", SR="MediaEmptyWarning"), "Out of paper.", pri=52),
        line(5, service("SystemAuthentication", S="ClientErrorNotAuthenticated", UH="192.0.2.10"),
             "Login refused.", pri=51),
        line(6, service("SystemIdentification", S="ClientErrorNotAuthenticated", UH="192.0.2.10"),
             "Unknown user ID.", pri=51),
        line(7, service("SystemConfigChanged", S="SuccessfulOk", UH="192.0.2.5", UN="admin", UR="Administrator"),
             "Setting changed: Auto clear."),
        line(8, service("SystemInternalError"), "TLS connection to syslog.example.com failed: certificate expired.",
             pri=51),
        line(9, job("ScanJobCompleted"), None),
    ])
    write("pri-pwg-example.log", [line(1, service(), pri=63), line(2, service(), pri=64),
                                  line(3, service(), pri=66)])
    write("pri-other.log", [line(1, service(), pri=49), line(2, service(), pri=62),
                            line(3, service()).replace(b"<54>", b"<054>"), line(4, service(), pri=192)])
    curly = line(1, service()).replace(f'DUU="{DUU}"'.encode(), f"DUU=\u201d{DUU}\u201d".encode())
    write("curly-quotes.log", [curly])
    write("double-space.log", [line(1, service()).replace(b'" E="', b'"  E="'),
                               line(2, service()).replace(HOST.encode() + b" ", HOST.encode() + b"  ")])
    write("missing-duu.log", [line(1, drop(service(), "DUU"))])
    write("s-without-uh.log", [line(1, service("SystemConfigChanged", S="SuccessfulOk")),
                               line(2, service("SystemConfigChanged", UH="client.example.com"))])
    write("internal-with-un.log", [line(1, service(UN="alice", UR="User")),
                                   line(2, job(UN="alice", UU="mailto:alice@example.com"))])
    write("hyphenated-reasons.log", [line(1, replace(service(), SR="media-empty-warning"), pri=52),
                                     line(2, replace(job(), JR="none")),
                                     line(3, replace(service(), SR=" "))])
    write("ja-empty.log", [line(1, job(JA=""))])
    write("uuid-leading-space.log", [line(1, replace(job(), JUU=" " + JUU)),
                                     line(2, replace(job(), DUU=DUU.upper().replace("URN:UUID:", "urn:uuid:")))])
    write("event-not-titlecase.log", [line(1, job("print-job-completed")),
                                      line(2, service("PrintPaused")),
                                      line(3, service("CoverOpen"), pri=52),
                                      line(4, service("PrintPrinterConfigChanged"))])
    write("no-bom-utf8.log", [
        line(1, service(), "Drucker bereit \u2013 F\u00e4cher 2 leer.", bom=False),
        line(2, service()).split(b" " + BOM.encode())[0] + b" Drucker bereit, F\xe4cher 2 leer.",
        line(3, service(), bom=False),
        line(4, service(), "Printer " + BOM + "is idle."),
        BOM.encode() + line(5, service()),
    ])
    write("too-long.log", [line(1, service(), "Printer is idle. " + "x" * 2100)])
    write("control-chars.log", [line(1, service(), "Printer\tis idle.")])
    write("timestamp-nanoseconds.log", [
        line(1, service(), ts="2026-03-01T10:00:01.123456789Z"),
        line(2, service(), ts="-"),
        line(3, service(), ts="2026-03-01T10:00:03.123Z"),
        line(4, service(), ts="2026-02-30T10:00:04.000000Z"),
        line(5, service(), ts="2026-03-01T11:00:05.000000+01:00"),
    ])
    write("duplicate-sd-id.log", [line(1, None, raw_sd=sd(*service()) + sd(("E", "PrintStateChanged")))])
    write("sd-escapes.log", [
        line(1, service("SystemConfigChanged", S="SuccessfulOk", UH="client.example.com", UN="ali]ce", UR="User")),
        line(2, None, None, raw_sd=sd(*service()) + ' [example@32473 a="b"]'),
        line(3, None, raw_sd=sd(*service()) + sd(("a", "b"), sd_id="example")),
    ])
    # One device per line (its own DUU), so C8 (one HOSTNAME per device) stays quiet.
    devices = [replace(service(), DUU=DUU[:-2] + "%02d" % n) for n in range(1, 7)]
    write("hostname.log", [line(1, devices[0], host="-"), line(2, devices[1], host="192.0.2.7"),
                           line(3, devices[2], host="printer_1"), line(4, devices[3], host="printer"),
                           line(5, devices[4], app="lpd"), line(6, devices[5], app="lpd")])
    write("param-values.log", [
        line(1, replace(service(), ST="Busy")),
        line(2, replace(job(), JS="Done")),
        line(3, replace(service(), IAJ="yes")),
        line(4, replace(job(), JID="0123")),
        line(5, replace(service(), NL="english language")),
        line(6, replace(service(), URI="printer.example.com/ipp")),
        line(7, service("SystemConfigChanged", S="successful-ok", UH="client.example.com")),
        line(8, service("SystemConfigChanged", S="SuccessfulOkWithNotes", UH="client.example.com")),
        line(9, service("SystemConfigChanged", S="SuccessfulOk", UH="client.example.com", UN="alice")),
        line(10, service("SystemConfigChanged", S="SuccessfulOk", UH="client.example.com", UN="alice", UR="user")),
        line(11, replace(service(), SR="MediaEmptyWarning")),
    ])
    write("param-names.log", [
        line(1, [("DeviceUUID", DUU) if name == "DUU" else (name, value) for name, value in service()]),
        line(2, service(Foo="bar")),
        line(3, service(duu=DUU)),
        line(4, service(DeviceUUID=DUU)),
        line(5, None, raw_sd=sd(("a", "b"), sd_id="example@32473")),
        line(6, replace(service(), SR="Jam").__add__([("JID", "7")])),
    ])
    other = "printer2.example.com"
    write("host-change.log", [line(1, service()), line(2, service(), host=other), line(3, service(), host=other)])
    export = [line(n, service(), bom=False) for n in (1, 2, 3)]
    write("export-good.pwg", export, prefix=BOM.encode())
    write("export-bad.pwg", [export[0], BOM.encode() + export[1], line(3, service())], prefix=BOM.encode())


if __name__ == "__main__":
    main()
