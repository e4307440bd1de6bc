"""The `hcdaudit` command. Exit status: 0 clean, 1 findings, 2 unusable input."""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from .errors import UsageError

# RFC 5848 signs with DSA: cryptography's deprecation notice says nothing to an hcdaudit user.
warnings.filterwarnings("ignore", message=".*DSA.*", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*DSA.*", category=UserWarning)


def add_source_arguments(parser) -> None:
    """Where a log is read from: a host device folder, or a board's raw dumps with the escrow."""
    parser.add_argument("device_dir", type=Path, nargs="?", metavar="DEVICE_DIR", help="a host device folder")
    parser.add_argument("--image", type=Path, metavar="FLASH.img", help="a raw littlefs flash dump of a board")
    parser.add_argument("--nvram", type=Path, metavar="NVRAM.bin", help="the board's NVRAM (FRAM) dump")
    parser.add_argument("--escrow", type=Path, metavar="DIR", help="the device's escrow folder (device.json, master.key)")


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True))


def cmd_provision(args) -> int:
    from .provision import provision, read_admin_password
    identity = provision(args.device_dir, args.name, args.serial, args.force, args.fqdn, args.uuid, args.board,
                         args.ca, read_admin_password(args.admin_password_file), args.admin_user)
    print(f"provisioned {identity['name']} ({identity['serial']}, {identity['uuid']}, board {identity['board']}) "
          f"in {args.device_dir}")
    print(f"  device bundle (load onto the board): {args.device_dir / 'bundle'}")
    print(f"  host escrow (keep for export and verify): {args.device_dir / 'escrow'}")
    return 0


def cmd_sim(args) -> int:
    from . import sim
    summary = sim.run(args.device_dir, args.events, args.seed, args.power_cuts, args.runtime,
                      syslog=args.syslog, rate=args.rate, days=args.days, outage=args.outage, https=args.https,
                      duration=args.duration, cut_during_export=args.cut_during_export)
    if args.json:
        _print_json({k: summary[k] for k in ("logged", "first_seq", "last_seq", "in_nvram", "in_store",
                                             "evicted", "recoveries", "power_cuts", "cuts", "runtime", "intact",
                                             "returned_missing", "events", "first_time", "last_time", "syslog",
                                             "outage", "web")})
    else:
        print(f"simulated {summary['logged']} events on {summary['runtime']} "
              f"(seqs {summary['first_seq']}-{summary['last_seq']}, {summary['first_time']} to {summary['last_time']})")
        kinds = sorted(summary["events"].items(), key=lambda kv: (-kv[1], kv[0]))
        print("  records: " + ", ".join(f"{name} {count}" for name, count in kinds))
        print(f"  in NVRAM {summary['in_nvram']}, in store {summary['in_store']}, evicted {summary['evicted']}")
        print(f"  power cuts {summary['power_cuts']}, boots with recovery {summary['recoveries']}")
        for cut in summary["cuts"]:
            print(f"    {cut['time']}: {cut['write']}")
        for boot in summary["boots"]:
            for action in boot["actions"] + boot["quarantined"]:
                print(f"    boot {boot['boot']}: {action}")
        syslog = summary.get("syslog")
        if syslog:
            print(f"  syslog to {args.syslog}: {syslog['messages']} messages, {syslog['blocks']} signature/"
                  f"certificate blocks ({syslog['signatures']} signed), {syslog['octets']} octets, "
                  f"sessions (RSID) {', '.join(map(str, syslog['rsids']))}")
            print(f"  delivered through seq {syslog['delivered_through']}, {syslog['undelivered']} not yet delivered, "
                  f"{syslog['resent']} resent, {syslog['lost']} evicted before delivery (audited)")
            for window in (summary.get("outage") or {}).get("windows", []):
                print(f"  collector link down {window['from']} to {window['until']} ({window['minutes']} min)")
            if syslog["failed"]:
                print(f"  syslog: {syslog['failed']} failed attempts; last error: {syslog['last_error']}")
        web = summary.get("web")
        if web:
            print(f"  https {args.https}: {web.get('requests', 0)} requests, {web.get('exports', 0)} exports "
                  f"({web.get('exported_records', 0)} records), {web.get('failed_signins', 0)} failed sign-ins, "
                  f"{web.get('lockouts', 0)} lockouts, {web.get('tls_failures', 0)} TLS failures")
    return 0 if summary["intact"] and not summary["returned_missing"] else 1


def cmd_export(args) -> int:
    from .export import Selection, export_stream
    from .source import open_source
    selection = Selection.parse(args.since, args.until, args.seq)      # bad filters fail before any reading
    source = open_source(args.device_dir, args.image, args.nvram, args.escrow)
    options = {"tz_minutes": args.tz_minutes, "date_format": args.date_format, "device_ip": args.device_ip}
    result = export_stream(source, args.format, args.output, selection, options)
    where = f" to {args.output}" if args.output else ""
    if selection.active:
        print(f"selected {result.selected} of {result.total} records ({selection.text}), exported as "
              f"{args.format}{where}; the integrity check covered all {result.total}", file=sys.stderr)
    else:
        print(f"exported {result.selected} records as {args.format}{where}", file=sys.stderr)
    report = result.report
    if not report.intact():
        faults = report.faults()
        shown = "; ".join(f"{f.verdict} seq {f.first_seq}-{f.last_seq}" for f in faults[:5])
        more = f"; {len(faults) - 5} more" if len(faults) > 5 else ""
        print(f"integrity findings: {shown}{more} (hcdaudit verify store for the full report)", file=sys.stderr)
    return 0 if report.intact() else 1


def cmd_verify_store(args) -> int:
    from .source import open_source
    from .verify_store import as_json, describe, verify
    source = open_source(args.device_dir, args.image, args.nvram, args.escrow)
    report = verify(source, args.state, decode=args.decode)
    cross = None
    if args.syslog:
        from . import crosscheck
        from .syslog_verify import describe as describe_syslog
        syslog_report, cross = crosscheck.run_device_and_collector(source, report, args.syslog, args.trust,
                                                                   args.device_dir)
        crosscheck.anchor_store_report(report, cross)
    if args.json:
        doc = as_json(report)
        if cross is not None:
            doc["crosscheck"] = cross
            doc["syslog"] = syslog_report
        _print_json(doc)
    else:
        print(describe(report))
        if cross is not None:
            print(describe_syslog(syslog_report))
            print(crosscheck.describe(cross))
    if cross is not None and (not cross["ok"] or not syslog_report["ok"]):
        return 1
    return 0 if report.intact() else 1


def cmd_verify_syslog(args) -> int:
    from .syslog_verify import describe, exit_status, verify
    cross = None
    if args.device:
        from . import crosscheck
        from .source import open_source
        from .verify_store import verify as verify_store
        source = open_source(args.device)
        device_report = verify_store(source, None, remember=False, show_progress=False)
        report, cross = crosscheck.run_device_and_collector(source, device_report, args.files, args.trust,
                                                            args.device)
        report["crosscheck"] = cross
    else:
        report = verify(args.files, args.trust or None)
    if args.json:
        _print_json(report)
    else:
        print(describe(report))
        if cross is not None:
            print(crosscheck.describe(cross))
    return exit_status(report) or (0 if cross is None or cross["ok"] else 1)


# Sub-commands that live in their own modules, some slow to import (asyncio,
# html, ...): only the one named on the command line is imported, so that
# `hcdaudit verify store` starts fast; all of them for help or a bad command.
MODULE_COMMANDS = ("conformance", "collect", "report", "deploy", "pull")


def _named_command(argv: list[str] | None) -> str | None:
    for arg in sys.argv[1:] if argv is None else argv:
        if not arg.startswith("-"):
            return arg
    return None


class _VersionAction(argparse.Action):
    """argparse's "version" action, with the version looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show program's version number and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__
        print(f"hcdaudit {__version__}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `command` (a built-in one), without importing the other modules."""
    parser = argparse.ArgumentParser(prog="hcdaudit", description=__doc__)
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("provision", help="create a host-board device folder")
    p.add_argument("device_dir", type=Path, metavar="DEVICE_DIR")
    p.add_argument("--name", default="hcd-sim-1", help="device name")
    p.add_argument("--serial", default="SIM0000001", help="serial number")
    p.add_argument("--fqdn", help="the device's FQDN, the syslog HOSTNAME (default NAME.example.com)")
    p.add_argument("--uuid", help="DeviceUUID (default: a new random UUID); written as urn:uuid:")
    p.add_argument("--board", default="host", choices=("host", "esp32s3", "rp2040", "stm32"),
                   help="board whose geometry the device gets (default host)")
    p.add_argument("--ca", type=Path, metavar="CA_DIR",
                   help="issue the signing certificate from this CA (ca.pem + ca.key) instead of self-signing")
    p.add_argument("--force", action="store_true", help="overwrite an existing device folder")
    p.add_argument("--admin-password-file", type=Path, metavar="F",
                   help="the HTTPS admin export's administrator password (first line of F); without it, "
                        "asked for on a terminal, else no administrator (the web export stays off)")
    p.add_argument("--admin-user", default="admin", help="the administrator's user name (default admin)")
    p.set_defaults(func=cmd_provision)

    p = sub.add_parser("sim", help="drive realistic events through the firmware",
                       description="Run the simulated MFD controller on a device folder: an administrator, a "
                                   "customer engineer, 20 users and a guest over working days (07:00-19:30 of "
                                   "simulated time; the device is switched off overnight). Deterministic for a "
                                   "seed. Exit status 1 if a record log() returned is missing afterwards.")
    p.add_argument("device_dir", type=Path, metavar="DEVICE_DIR")
    p.add_argument("--events", type=int, default=1000, help="events per day (default 1000)")
    p.add_argument("--days", type=int, default=1, help="working days, the nights fast-forwarded (default 1)")
    p.add_argument("--seed", type=int, default=1, help="workload seed (default 1)")
    p.add_argument("--power-cuts", type=int, default=0, metavar="N",
                   help="power cuts over the run, at random NVRAM and store writes (taking turns)")
    p.add_argument("--runtime", choices=("cpython", "micropython"), default="cpython",
                   help="run the firmware in-process (cpython) or in the MicroPython unix port")
    p.add_argument("--syslog", metavar="URL",
                   help="send signed syslog from the device's delivery cursor: udp://, tcp:// (octet-counted), "
                        "tls://, relp://, relp+tls:// HOST:PORT, or file://PATH (one message a line). "
                        "With --events 0: deliver the backlog and exit")
    p.add_argument("--outage", action="store_true",
                   help="with --syslog: the network link to the collector drops once a day for 20-45 simulated "
                        "minutes; the sender backs off, reconnects and resends (off by default)")
    p.add_argument("--rate", type=int, default=0, metavar="N",
                   help="events per second of wall-clock time (default 0: as fast as possible)")
    p.add_argument("--https", metavar="HOST:PORT",
                   help="serve the device's HTTPS admin export (authenticated, audited) on HOST:PORT while the "
                        "day runs; port 0 picks a free one (printed as 'listening https://...')")
    p.add_argument("--duration", type=float, default=0, metavar="S",
                   help="with --https: keep serving, idle after the day, until S seconds of wall-clock time")
    p.add_argument("--cut-during-export", type=int, default=0, help=argparse.SUPPRESS)   # tests: power cut mid-export
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_sim)

    p = sub.add_parser("export", help="decrypt, verify and write the records in seq order",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Decrypt and verify a device's store and NVRAM, and write its records in seq "
                                   "order.\nReads a host device folder, or a board's raw littlefs flash dump "
                                   "(geometry from the escrow's\ndevice.json, else the board profile) with its "
                                   "NVRAM dump and the host's escrow. Never writes the device.",
                       epilog="formats:\n"
                              "  pwg    PWG 5110.3 Common Log Format: RFC 5424 lines, one BOM at the start of "
                              "the file\n"
                              "  fx     Fuji Xerox format-3 text export (tab-separated; header: 3, device IP, "
                              "UTF8,\n         time zone minutes, date format; then the column names)\n"
                              "  xerox  Xerox App. B style table (tab-separated)\n"
                              "  km     Konica Minolta / Sharp style table (tab-separated)\n"
                              "  jsonl  one JSON object per record\n"
                              "  csv    RFC 4180 CSV with a header row\n\n"
                              "Filters choose what is written, never what is verified: the exit status "
                              "covers the whole log\n(0 clean, 1 integrity findings, 2 unusable input).")
    add_source_arguments(p)
    p.add_argument("--format", required=True, choices=("pwg", "fx", "xerox", "km", "jsonl", "csv"))
    p.add_argument("-o", "--output", type=Path, help="output file (default: standard output); written only "
                                                     "when the whole log was read")
    p.add_argument("--since", metavar="TIME", help="records at or after TIME: RFC 3339 (2026-11-23T08:00:00Z, "
                                                   "+09:00 offsets) or a date (UTC midnight)")
    p.add_argument("--until", metavar="TIME", help="records at or before TIME (a date: to the end of that UTC day)")
    p.add_argument("--seq", metavar="A-B", help="records with seq A to B (also A-, -B or A)")
    p.add_argument("--tz-minutes", type=int, metavar="MIN", help="fx: time zone offset from UTC in minutes, "
                                                                 "-720..720 (default 0, or the device's)")
    p.add_argument("--date-format", choices=("YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY"), help="fx: Date column "
                                                                                           "(default YYYY/MM/DD)")
    p.add_argument("--device-ip", metavar="ADDR", help="fx: the header's device IP address (default the "
                                                       "device.json 'ip', else 0.0.0.0 = unknown)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="verify a store or a syslog stream")
    vsub = p.add_subparsers(dest="what", required=True)
    v = vsub.add_parser("store", help="integrity report of a device's store and NVRAM",
                        description="The full integrity report of a device's store and NVRAM: records verified, "
                                    "seq ranges present, audited evictions, gaps, tampered ranges, quarantined "
                                    "slots. Reads a host device folder, or a board's raw littlefs flash dump with "
                                    "its NVRAM dump and the host's escrow; never writes the device. Exit 0 intact, "
                                    "1 findings, 2 unusable input.")
    add_source_arguments(v)
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.add_argument("--state", type=Path, help="high-water state folder (default $HCDAUDIT_STATE_DIR "
                                              "or ~/.local/state/hcdaudit)")
    v.add_argument("--decode", action="store_true",
                   help="also decode every record strictly (an authentic record that does not decode is "
                        "'modified'); by default records are authenticated and decrypted, and only eviction "
                        "records decoded")
    v.add_argument("--syslog", type=Path, nargs="+", metavar="FILE",
                   help="the collector's signed syslog files: check device and collector against each other "
                        "(seqs one holds that the other lost or never got)")
    v.add_argument("--trust", type=Path, action="append", metavar="CERT|PUBKEY",
                   help="with --syslog: trust anchor (default: the device's escrow/syslog-signing.pem)")
    v.set_defaults(func=cmd_verify_store)
    v = vsub.add_parser("syslog", help="verify RFC 5848 signed syslog as a collector stored it",
                        description="Verify RFC 5848 signature and certificate blocks in collector files (one "
                                    "message a line, as rsyslog stores %rawmsg%, or raw octet-counted captures). "
                                    "Exit 0 only if every message is verified and nothing else is found.")
    v.add_argument("files", type=Path, nargs="+", metavar="FILE", help="collector files, read in order as one stream")
    v.add_argument("--trust", type=Path, action="append", metavar="CERT|PUBKEY",
                   help="trust anchor: the device's certificate or public key, or a CA that issued it "
                        "(PEM or DER; repeatable). Without one, keys are used on leap of faith and reported.")
    v.add_argument("--device", type=Path, metavar="DEVICE_DIR",
                   help="check the files against this device's store (seqs one holds that the other lost or "
                        "never got); trust defaults to the device's escrowed certificate")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=cmd_verify_syslog)

    import importlib
    builtin = command is not None and command in sub.choices
    for name in MODULE_COMMANDS:
        if not builtin and (command is None or command == name or command not in MODULE_COMMANDS):
            importlib.import_module(f".{name}", __package__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(_named_command(argv)).parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"hcdaudit: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        sys.stderr.close()     # the reader (`| head`) went away: nothing wrong with the input
        return 1
    except OSError as exc:
        print(f"hcdaudit: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"hcdaudit {args.command}: interrupted; {interrupted_note(args)}", file=sys.stderr)
        return 130


def interrupted_note(args) -> str:
    """One line for Ctrl-C: what the interrupted command kept."""
    command = args.command
    if command == "sim":
        return (f"every record logged so far is durable in {args.device_dir} (NVRAM ring or store); "
                "the next run boots, recovers it and goes on")
    if command == "collect":
        return f"every message received so far is in {getattr(args, 'out', 'the output file')}"
    if command == "export":
        return "nothing was written (the output is written only once the whole log was read)"
    if command in ("verify", "conformance"):
        return "nothing was changed; the check did not finish"
    if command == "report":
        return "the page was not written"
    if command == "provision":
        return f"{args.device_dir} may be incomplete: provision it again with --force"
    if command == "pull":
        return "the device folder keeps its previous copy (it is replaced only when everything arrived)"
    if command == "deploy":
        return "the board may hold part of the firmware: run deploy again"
    return "nothing else was done"


if __name__ == "__main__":
    sys.exit(main())
