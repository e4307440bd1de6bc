# A decoded record in each export format: Fuji Xerox format 3, Xerox App. B,
# Konica Minolta / Sharp; the PWG 5110.3 parameters are pwg.py's (re-exported
# here). Portable, but only the host's exports use it: the device's syslog
# formatter needs pwg.py alone. `record` is the dict record.decode() returns. Times are computed from
# µs since 1970 by timefmt.civil, never time.gmtime (its epoch differs
# between runtimes). An unknown event or item code (a newer firmware) is
# rendered by number, never an exception.
from hcdaudit import catalog, subject
from hcdaudit.pwg import is_client_request, items_by_name, outcome_of, pwg_params, subject_of  # noqa: F401
from hcdaudit.timefmt import civil

item_label = catalog.item_label

# Outcome spellings, indexed like catalog_data.OUTCOMES.
_FX_STATUS = ("Successful", "Failed", "Failed(Invalid UserID)", "Failed(Invalid Password)", "Completed",
              "Completed with Warnings", "Canceled by User", "Canceled by Shutdown", "Aborted", "Unknown")
_XEROX_STATUS = ("Success", "Failed", "Failed Invalid User ID", "Failed Invalid Password", "Completed",
                 "Completed with Warnings", "Cancelled by User", "Cancelled by Shutdown", "Aborted", "Unknown")

# Fuji Xerox "Optionally Logged Items" per event, in the seed's order. "@access"
# = access method from the interface, "@host" = remote host, "@role" = the
# subject's FX role, "@change" = is enabled / is disabled / is configured.
_FX_ITEMS = (
    ("device_shutdown", ("action",)),
    ("login", ("@access", "@host", "auth_method", "@role")),
    ("login_failure", ("@access", "@host", "auth_method", "@role")),
    ("logout", ("@access", "@host")),
    ("lockout", ("failure_count",)),
    ("continuous_failure_detected", ("@access", "failure_count")),
    ("print_job", ("job_uuid", "relation", "account_id", "action", "@host", "file_name", "job_type")),
    ("copy_job", ("job_uuid", "relation", "account_id", "action")),
    ("scan_job", ("job_uuid", "relation", "account_id", "action", "destination", "sender", "document_id")),
    ("email_job", ("job_uuid", "relation", "account_id", "action", "destination", "sender")),
    ("fax_send_job", ("job_uuid", "relation", "account_id", "action", "destination", "sender")),
    ("fax_receive_job", ("job_uuid", "relation", "account_id", "action", "destination", "sender")),
    ("mailbox_job", ("job_uuid", "relation", "account_id", "action")),
    ("report_job", ("job_uuid", "relation", "account_id")),
    ("job_flow_job", ("job_uuid", "relation", "account_id")),
    ("other_job", ("job_uuid", "relation", "account_id")),
    ("clock_change", ("old_time", "method")),
    ("user_add", ("target_user", "target_role")),
    ("user_edit", ("target_user", "target_role", "changed_attribute")),
    ("role_change", ("target_user", "target_role", "@role_attribute")),
    ("password_change", ("target_user", "target_role", "@password_attribute")),
    ("user_delete", ("target_user", "target_role")),
    ("mailbox_create", ("@host", "box_number")),
    ("mailbox_delete", ("@host", "box_number")),
    ("auth_mode_change", ("new_value", "old_value")),
    ("setting_change", ("setting", "@change")),
    ("setting_view", ("@access", "@host")),
    ("job_setting_change", ("setting",)),
    ("certificate_import", ("category", "key_bits", "issuer_dn", "serial_number")),
    ("certificate_delete", ("category", "key_bits", "issuer_dn", "serial_number")),
    ("address_add", ("@host", "registration_number")),
    ("address_delete", ("@host", "registration_number")),
    ("address_edit", ("@host", "registration_number")),
    ("address_book_import", ("@host",)),
    ("address_book_export", ("@host",)),
    ("address_book_clear", ("@host",)),
    ("audit_export", ("@host",)),
    ("scanned_image_retrieve", ("@host", "document_id")),
    ("app_install", ("@host", "content_name", "reason")),
    ("app_uninstall", ("content_name", "reason")),
    ("firmware_update", ("rom_type", "new_version", "old_version")),
    ("trusted_channel_failure", ("protocol", "peer", "failure_count", "reason")),
    ("ntp_failure", ("peer", "reason")),
    ("web_access", ("url",)),
)
_FX_TIME_METHOD = (("user", "Time change by user"), ("system", "Time change by system."),
                   ("epbb", "Time change by EPBB."), ("ntp", "Time change by NTP."),
                   ("snmp", "Time change by SNMP."), ("xpjl", "Time change by XPJL."),
                   ("ssmm", "Time change by SSMM."))
_FX_ACCESS = (("panel", "Local"), ("local", "Local"), ("web", "Web User Interface"), ("snmp", "SNMPv3"))


def _lookup(pairs, key, default):
    for k, v in pairs:
        if k == key:
            return v
    return default


def _event_name(record):
    try:
        return catalog.event_name(record["event"])
    except catalog.CatalogError:
        return "event%d" % record["event"]


def _vendor(scheme, record):
    try:
        return catalog.vendor_id(scheme, record)
    except catalog.CatalogError:
        return None


def _text(value):
    if isinstance(value, bytes):
        return value.hex() if value else "-"
    if value is None or value == "":
        return "-"
    return str(value)


def _fx_change(value):
    v = (value or "").lower()
    if v in ("on", "enabled", "enable", "true"):
        return "is enabled"
    if v in ("off", "disabled", "disable", "false"):
        return "is disabled"
    return "is configured"


def _fx_field(field, record, items, who):
    if field == "@access":
        return _lookup(_FX_ACCESS, record.get("interface") or "panel", record.get("interface") or "-")
    if field == "@host":
        return record.get("remote_host") or "-"
    if field == "@role":
        return subject.fx_role(who) if record["outcome"] == 0 else "-"
    if field == "@change":
        return _fx_change(items.get("new_value"))
    if field == "@role_attribute":
        return "Role"
    if field == "@password_attribute":
        return "Password"
    value = items.get(field)
    if field == "method":
        text = _lookup(_FX_TIME_METHOD, value, "Time change by unknown service.")
        if value == "ntp" and items.get("ntp_server"):
            text += " " + items["ntp_server"]
        return text
    if field == "relation" and value:
        return value[:1].upper() + value[1:]
    return _text(value)


def _fx_date(y, mo, d, date_format):
    if date_format == "MM/DD/YYYY":
        return "%02d/%02d/%04d" % (mo, d, y)
    if date_format == "DD/MM/YYYY":
        return "%02d/%02d/%04d" % (d, mo, y)
    return "%04d/%02d/%02d" % (y, mo, d)


def fx_row(record, tz_minutes=0, date_format="YYYY/MM/DD"):
    """Fuji Xerox format 3: Log ID, Date, Time, Audit Event ID, Logged Events,
    User Name, Description, Status, Optionally Logged Items. Local time is UTC
    + tz_minutes (the file header's Time zone)."""
    name = _event_name(record)
    items = items_by_name(record)
    who = subject_of(record)
    y, mo, d, h, mi, s, _ = civil(record["time_us"] + tz_minutes * 60000000)
    vendor = _vendor("fx", record)
    if vendor:
        event_id, description, status = vendor
    else:
        # Not an FX event: our own code in the same 0xCCNN space.
        event_id, description, status = record["event"], name, ""
    try:
        logged = catalog.category(record["event"])
    except catalog.CatalogError:
        logged = "-"
    if not status:
        outcome = outcome_of(record)
        status = _FX_STATUS[outcome] if outcome is not None else "-"
    fields = _lookup(_FX_ITEMS, name, None)
    if fields is None:
        try:
            fields = catalog.event_items(name)
        except catalog.CatalogError:
            fields = tuple(sorted(items))
    opt = ",".join(_fx_field(f, record, items, who) for f in fields) if fields else "-"
    return [str((record["seq"] - 1) % 60000 + 1), _fx_date(y, mo, d, date_format), "%02d:%02d:%02d" % (h, mi, s),
            "0x%04x" % event_id, logged, subject.fx_user_name(who, prefer_name=(record["event"] >> 8) == 4),
            description, status, opt]


def xerox_row(record):
    """Xerox App. B style: Index, Date (mm/dd/yy), Time, ID, Description,
    then the detail columns: User Name, Completion Status, name=value items."""
    name = _event_name(record)
    who = subject_of(record)
    y, mo, d, h, mi, s, _ = civil(record["time_us"])
    vendor = _vendor("xerox", record) or _vendor("x101", record)
    event_id, description, status = vendor if vendor else ("", name, "")
    if not status:
        outcome = outcome_of(record)
        status = _XEROX_STATUS[outcome] if outcome is not None else "-"
    row = [str(record["seq"]), "%02d/%02d/%02d" % (mo, d, y % 100), "%02d:%02d:%02d" % (h, mi, s),
           str(event_id), description, subject.xerox_user_name(who), status]
    if record.get("interface"):
        row.append("interface=" + record["interface"])
    if record.get("remote_host"):
        row.append("host=" + record["remote_host"])
    items = record.get("items") or {}
    for code in sorted(items):
        row.append("%s=%s" % (item_label(code), _text(items[code])))
    return row


def km_row(record):
    """Konica Minolta / Sharp style: date/time, audit ID (-1/-2/-3/user), action, OK/NG."""
    y, mo, d, h, mi, s, _ = civil(record["time_us"])
    vendor = _vendor("km", record)
    outcome = outcome_of(record)
    failed = outcome is not None and catalog.outcome_failed(outcome)
    return ["%04d/%02d/%02d %02d:%02d:%02d" % (y, mo, d, h, mi, s), subject.km_id(subject_of(record)),
            "%02d" % vendor[0] if vendor else "-", "NG" if failed else "OK"]
