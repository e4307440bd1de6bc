"""The `hcdaudit` command. Exit status: 0 clean, 1 findings, 2 unusable input."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import UsageError


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True))


def cmd_provision(args) -> int:
    from .provision import provision
    identity = provision(args.device_dir, args.name, args.serial, args.force, args.fqdn, args.uuid, args.board,
                         args.ca)
    print(f"provisioned {identity['name']} ({identity['serial']}, {identity['uuid']}, board {identity['board']}) "
          f"in {args.device_dir}")
    print(f"  device bundle (load onto the board): {args.device_dir / 'bundle'}")
    print(f"  host escrow (keep for export and verify): {args.device_dir / 'escrow'}")
    return 0


def cmd_sim(args) -> int:
    from . import sim
    summary = sim.run(args.device_dir, args.events, args.seed, args.power_cuts, args.runtime,
                      syslog=args.syslog)
    if args.json:
        _print_json({k: summary[k] for k in ("logged", "first_seq", "last_seq", "in_nvram", "in_store",
                                             "evicted", "recoveries", "power_cuts", "runtime", "intact",
                                             "returned_missing", "syslog")})
    else:
        print(f"simulated {summary['logged']} events on {summary['runtime']} "
              f"(seqs {summary['first_seq']}-{summary['last_seq']})")
        print(f"  in NVRAM {summary['in_nvram']}, in store {summary['in_store']}, evicted {summary['evicted']}")
        print(f"  power cuts {summary['power_cuts']}, boots with recovery {summary['recoveries']}")
        for boot in summary["boots"]:
            for action in boot["actions"] + boot["quarantined"]:
                print(f"    boot {boot['boot']}: {action}")
        syslog = summary.get("syslog")
        if syslog:
            print(f"  syslog to {args.syslog}: {syslog['messages']} messages, {syslog['blocks']} signature/"
                  f"certificate blocks ({syslog['signatures']} signed), {syslog['octets']} octets, "
                  f"sessions (RSID) {', '.join(map(str, syslog['rsids']))}")
            if syslog["failed"] or syslog["skipped"]:
                print(f"  syslog: {syslog['failed']} sends failed, {syslog['skipped']} records skipped; "
                      f"last error: {syslog['last_error']}")
    return 0 if summary["intact"] and not summary["returned_missing"] else 1


def cmd_export(args) -> int:
    from .export import export_to
    count, report = export_to(args.device_dir, args.format, args.output)
    if args.output:
        print(f"exported {count} records to {args.output}", file=sys.stderr)
    return 0 if report.intact() else 1


def cmd_verify_store(args) -> int:
    from .verify_store import describe, verify
    report = verify(args.device_dir, args.state)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(describe(report))
    return 0 if report.intact() else 1


def cmd_verify_syslog(args) -> int:
    from .syslog_verify import describe, exit_status, verify
    report = verify(args.files, args.trust or None)
    if args.json:
        _print_json(report)
    else:
        print(describe(report))
    return exit_status(report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hcdaudit", description=__doc__)
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
    p.set_defaults(func=cmd_provision)

    p = sub.add_parser("sim", help="drive realistic events through the firmware")
    p.add_argument("device_dir", type=Path, metavar="DEVICE_DIR")
    p.add_argument("--events", type=int, default=1000, help="events to log (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="workload seed (default 1)")
    p.add_argument("--power-cuts", type=int, default=0, help="power cuts, each in the middle of a flush")
    p.add_argument("--runtime", choices=("cpython", "micropython"), default="cpython")
    p.add_argument("--syslog", metavar="URL", help="send signed syslog: udp://HOST:PORT, tcp://HOST:PORT "
                                                   "(octet-counted) or file://PATH (one message a line)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_sim)

    p = sub.add_parser("export", help="write every record in seq order")
    p.add_argument("device_dir", type=Path, metavar="DEVICE_DIR")
    p.add_argument("--format", required=True, choices=("jsonl",))
    p.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="verify a store or a syslog stream")
    vsub = p.add_subparsers(dest="what", required=True)
    v = vsub.add_parser("store", help="integrity report of a device's store and NVRAM")
    v.add_argument("device_dir", type=Path, metavar="DEVICE_DIR")
    v.add_argument("--json", action="store_true")
    v.add_argument("--state", type=Path, help="high-water state folder (default $HCDAUDIT_STATE_DIR "
                                              "or ~/.local/state/hcdaudit)")
    v.set_defaults(func=cmd_verify_store)
    v = vsub.add_parser("syslog", help="verify RFC 5848 signed syslog as a collector stored it",
                        description="Verify RFC 5848 signature and certificate blocks in collector files (one "
                                    "message a line, as rsyslog stores %%rawmsg%%, or raw octet-counted captures). "
                                    "Exit 0 only if every message is verified and nothing else is found.")
    v.add_argument("files", type=Path, nargs="+", metavar="FILE", help="collector files, read in order as one stream")
    v.add_argument("--trust", type=Path, action="append", metavar="CERT|PUBKEY",
                   help="trust anchor: the device's certificate or public key, or a CA that issued it "
                        "(PEM or DER; repeatable). Without one, keys are used on leap of faith and reported.")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=cmd_verify_syslog)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        return 130


if __name__ == "__main__":
    sys.exit(main())
