# What the controller reports: one function per thing that happens on the
# device, each logging the right catalog event(s) with their items. `log` is
# an AuditLog (or anything with its log() signature); every function returns
# the seq of the (last) record it wrote. Subjects come from hcdaudit.subject.
from hcdaudit import subject as subjects
from hcdaudit.timefmt import rfc3339

JOB_EVENTS = ("print_job", "copy_job", "scan_job", "fax_send_job", "fax_receive_job", "email_job",
              "mailbox_job", "report_job", "job_flow_job", "other_job")


# ---------------------------------------------------------------- authentication

def login(log, who, interface=None, remote_host=None, auth_method=None, counter=None):
    if counter is not None:
        counter.succeeded(who[1] if isinstance(who, list) else who)
    return log.log("login", subject=who, interface=interface, remote_host=remote_host, auth_method=auth_method)


def login_failed(log, who, reason, now_s=0, interface=None, remote_host=None, auth_method=None, counter=None):
    """A failed login; `who` is the account tried (subject.unregistered(...) for an
    unknown name, giving outcome invalid_user_id). `reason`: invalid_password,
    invalid_user_id, locked, expired, ... With a FailureCounter, also logs the
    lockout and the detected burst of failures when they happen."""
    account = who[1] if isinstance(who, list) else who
    if isinstance(who, list) and who[0] == subjects.UNREGISTERED:
        outcome = "invalid_user_id"
    elif reason == "invalid_password":
        outcome = "invalid_password"
    else:
        outcome = "failure"
    count = None
    locked = detected = False
    in_window = 0
    if counter is not None:
        locked, detected, count, in_window = counter.failed(account, now_s)
    seq = log.log("login_failure", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                  auth_method=auth_method, reason=reason, failure_count=count)
    if locked:
        seq = log.log("lockout", subject=who, interface=interface, remote_host=remote_host,
                      failure_count=count, lock_seconds=counter.lock_seconds, threshold=counter.threshold)
    if detected:
        seq = log.log("continuous_failure_detected", subject=who, interface=interface, remote_host=remote_host,
                      failure_count=in_window, window_seconds=counter.window_seconds,
                      threshold=counter.detect_threshold)
    return seq


def lockouts_expired(log, counter, now_s):
    """Log lockout_expired for every lock that has ended; call periodically."""
    seq = None
    for account, failures in counter.expire(now_s):
        seq = log.log("lockout_expired", subject=account if account else subjects.unregistered(),
                      failure_count=failures)
    return seq


def logout(log, who, reason="user", interface=None, remote_host=None, outcome=None):
    """reason: user (manual), timeout (session timer), admin."""
    return log.log("logout", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   reason=reason)


# ---------------------------------------------------------------- jobs

def job_completed(log, event, who, outcome="completed", interface=None, remote_host=None, **items):
    """Job completion (FDP_ACF.1: the event is the type of job). Items: job_uuid,
    relation (related / owned), account_id, action, file_name, job_type, job_id,
    pages, images, destination, sender, document_id, account_user."""
    if event not in JOB_EVENTS:
        raise ValueError("%s is not a job event (one of %s)" % (event, ", ".join(JOB_EVENTS)))
    return log.log(event, subject=who, outcome=outcome, interface=interface, remote_host=remote_host, **items)


# ---------------------------------------------------------------- settings, users, roles

def setting_changed(log, who, setting, old_value=None, new_value=None, interface=None, remote_host=None,
                    outcome=None):
    """setting: the Fuji Xerox security-setting item name where there is one
    (catalog_vendor.FX_SECURITY_SETTINGS)."""
    return log.log("setting_change", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   setting=setting, old_value=old_value, new_value=new_value)


def settings_viewed(log, who, setting=None, interface=None, remote_host=None):
    return log.log("setting_view", subject=who, interface=interface, remote_host=remote_host, setting=setting)


def auth_mode_changed(log, who, new_mode, old_mode, interface=None, remote_host=None):
    return log.log("auth_mode_change", subject=who, interface=interface, remote_host=remote_host,
                   new_value=new_mode, old_value=old_mode)


def user_added(log, who, target_user, target_role=None, outcome=None, interface=None, remote_host=None):
    return log.log("user_add", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   target_user=target_user, target_role=target_role)


def user_edited(log, who, target_user, changed_attribute, target_role=None, outcome=None, interface=None,
                remote_host=None):
    return log.log("user_edit", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   target_user=target_user, target_role=target_role, changed_attribute=changed_attribute)


def user_deleted(log, who, target_user, target_role=None, outcome=None, interface=None, remote_host=None):
    return log.log("user_delete", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   target_user=target_user, target_role=target_role)


def role_changed(log, who, target_user, target_role, grant=True, outcome=None, interface=None, remote_host=None):
    """FMT_SMR.1: a user joins (grant) or leaves (revoke) a role."""
    return log.log("role_change", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   target_user=target_user, target_role=target_role, grant="grant" if grant else "revoke")


def password_changed(log, who, target_user, target_role=None, outcome=None, interface=None, remote_host=None):
    return log.log("password_change", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   target_user=target_user, target_role=target_role)


# ---------------------------------------------------------------- clock

def clock_changed(log, who, old_time_us, method, ntp_server=None, outcome=None, interface=None,
                  remote_host=None):
    """FPT_STM.1: call after the clock is set, so the record's own time is the
    new time. method: user / ntp / snmp / system / ..."""
    return log.log("clock_change", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   old_time=rfc3339(old_time_us), method=method, ntp_server=ntp_server)


def ntp_failed(log, server, reason, failure_count=None):
    return log.log("ntp_failure", peer=server, reason=reason, failure_count=failure_count)


# ---------------------------------------------------------------- audit function, device

def audit_enabled(log, who, enabled, interface=None, remote_host=None):
    return log.log("audit_log_enabled" if enabled else "audit_log_disabled", subject=who, interface=interface,
                   remote_host=remote_host)


def device_started(log, start_mode="cold"):
    """start_mode: cold / warm / nvm_initialized / hdd_initialized."""
    return log.log("device_start", start_mode=start_mode)


def device_shutdown(log, who=None, power_switch=None, recovered=False):
    return log.log("device_shutdown", subject=who, power_switch=power_switch,
                   action="Recovered from failures" if recovered else None)


def audit_exported(log, who, first_seq, last_seq, count, interface=None, remote_host=None, peer=None,
                   protocol=None, outcome=None):
    return log.log("audit_export", subject=who, outcome=outcome, interface=interface, remote_host=remote_host,
                   first_seq=first_seq, last_seq=last_seq, count=count, peer=peer, protocol=protocol)


# ---------------------------------------------------------------- certificates, address book

def certificate(log, who, imported, category, key_algorithm=None, key_bits=None, issuer_dn=None,
                serial_number=None, reason=None, outcome=None, interface=None, remote_host=None):
    """Certificate import (imported=True) or deletion. A key below policy is
    rejected by the caller and logged here with outcome failure and a reason."""
    items = {"category": category, "key_algorithm": key_algorithm, "key_bits": key_bits,
             "issuer_dn": issuer_dn, "serial_number": serial_number}
    if imported:
        items["reason"] = reason
    return log.log("certificate_import" if imported else "certificate_delete", subject=who, outcome=outcome,
                   interface=interface, remote_host=remote_host, **items)


def address_book(log, who, operation, registration_number=None, count=None, outcome=None, interface=None,
                 remote_host=None):
    """operation: add / delete / edit (one entry) or import / export / clear (the book)."""
    if operation in ("add", "delete", "edit"):
        return log.log("address_" + operation, subject=who, outcome=outcome, interface=interface,
                       remote_host=remote_host, registration_number=registration_number)
    if operation in ("import", "export", "clear"):
        return log.log("address_book_" + operation, subject=who, outcome=outcome, interface=interface,
                       remote_host=remote_host, count=count)
    raise ValueError("address book operation must be add, delete, edit, import, export or clear")


# ---------------------------------------------------------------- firmware, self test, storage

def firmware_updated(log, who, rom_type, new_version, old_version, method=None, reason=None, outcome=None):
    return log.log("firmware_update", subject=who, outcome=outcome, rom_type=rom_type, new_version=new_version,
                   old_version=old_version, method=method, reason=reason)


def self_test(log, passed, scope="firmware", check_code_1=None, check_code_2=None, reason=None):
    return log.log("self_test", outcome="success" if passed else "failure", scope=scope,
                   check_code_1=check_code_1, check_code_2=check_code_2, reason=reason)


def storage_overwrite(log, started, passed=True, operation="on_demand", scope=None, who=None):
    """Image overwrite (FDP_RIP.1): started=True at the start, False at the end."""
    return log.log("image_overwrite_start" if started else "image_overwrite_finish", subject=who,
                   outcome="success" if passed else "failure", operation=operation, scope=scope)


# ---------------------------------------------------------------- communication, delivery

def trusted_channel_failed(log, protocol, reason, peer=None, failure_count=None, direction=None):
    """FTP_ITC.1 / FTP_TRP.1 (E7): protocol SSL/TLS, IPSEC, S/MIME, SSH, HTTPS...;
    direction inbound (a client's session) or outbound (the device's)."""
    return log.log("trusted_channel_failure", protocol=protocol, reason=reason, peer=peer,
                   failure_count=failure_count, direction=direction)


def undelivered_evicted(log, first_seq, last_seq, peer=None):
    """Records evicted from the store before the syslog sender delivered them
    (FAU_STG.4 with an external audit server): the loss is itself audited."""
    return log.log("audit_undelivered_loss", first_seq=first_seq, last_seq=last_seq,
                   count=last_seq - first_seq + 1, peer=peer)
