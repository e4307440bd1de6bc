# The canonical event set as constant tables (read by catalog.py, never
# edited at run time). Tuples of constants: MicroPython compiles them into
# constant objects, so a frozen build keeps them in flash, not in the heap.
#
# Event codes follow the Fuji Xerox 0xCCNN scheme (class in the high byte)
# recommended by hcd-audit-requirements §5.1; class 0x09 is ours (the audit
# trail itself, which no seed logs).

# ---------------------------------------------------------------- items
# Global item table: the item code is the index + 1, so a decoder names an
# item without knowing its event. (name, type, limit): type "t" = UTF-8 text,
# limit in bytes (Fuji Xerox limits where the seed gives one); "u" = unsigned
# int, limit in bytes of width. Codes 1-23 encode in one CBOR byte: the
# frequent items come first. Append only: codes are stored in records.
ITEMS = (
    ("boot", "u", 4),                 # 1  audit_start: boot counter
    ("reason", "t", 64),              # 2  why (failure reason, stop reason, lockout cause)
    ("job_uuid", "t", 36),            # 3  FX root job UUID (36)
    ("relation", "t", 8),             # 4  FX relation to the root job: Related / Owned
    ("account_id", "t", 32),          # 5  FX Job Account ID (32)
    ("action", "t", 64),              # 6  FX Action (64), comma-joined
    ("file_name", "t", 64),           # 7  FX file name (64)
    ("job_type", "t", 16),            # 8  FX job type (16)
    ("job_id", "u", 4),               # 9  PWG JID
    ("pages", "u", 4),                # 10 impressions completed (PWG JIC)
    ("destination", "t", 64),         # 11 FX To (64): e-mail, phone number, URI
    ("sender", "t", 64),              # 12 FX From (64)
    ("setting", "t", 64),             # 13 setting name (FX security-setting item names)
    ("old_value", "t", 64),           # 14
    ("new_value", "t", 64),           # 15
    ("old_time", "t", 32),            # 16 RFC 3339 time before a clock change
    ("method", "t", 16),              # 17 user / ntp / snmp / system / ...
    ("target_user", "t", 32),         # 18 user added / edited / deleted / granted
    ("target_role", "t", 32),         # 19
    ("failure_count", "u", 4),        # 20 consecutive failures, error count
    ("protocol", "t", 16),            # 21 SSL/TLS, IPSEC, S/MIME, SSH, NTP ...
    ("peer", "t", 45),                # 22 FX peer (45): the far end, not the user's host
    ("count", "u", 4),                # 23 number of records
    ("last_durable_seq", "u", 8),     # 24 audit_recovery
    ("actions", "t", 200),            # 25 audit_recovery: what boot recovery did
    ("quarantined", "t", 160),        # 26 audit_recovery: quarantined slots / segments
    ("first_seq", "u", 8),            # 27
    ("last_seq", "u", 8),             # 28
    ("evicted_through", "u", 8),      # 29
    ("start_mode", "t", 16),          # 30 cold / warm / nvm_initialized / hdd_initialized
    ("power_switch", "t", 8),         # 31 soft / main (KM 53 / 54)
    ("operation", "t", 16),           # 32 scheduled / on_demand; stored-job operation; ...
    ("scope", "t", 16),               # 33 standard / full; firmware / device
    ("check_code_1", "t", 16),        # 34 FX self-test check codes
    ("check_code_2", "t", 16),        # 35
    ("auth_method", "t", 16),         # 36 FX: Local / Remote / Convenience / Custom
    ("lock_seconds", "u", 4),         # 37 lockout duration
    ("window_seconds", "u", 4),       # 38 failure-detection window
    ("changed_attribute", "t", 16),   # 39 FX Edit User: ID / Password / Role / ...
    ("grant", "t", 8),                # 40 grant / revoke
    ("box_number", "u", 2),           # 41 FX mailbox number (3 digits)
    ("registration_number", "u", 2),  # 42 FX address entry number (4 digits)
    ("category", "t", 16),            # 43 certificate RootCA / DeviceEE / SSCEE; cloning category
    ("key_algorithm", "t", 8),        # 44 RSA / ECDSA (FX cannot express EC sizes: gap 10)
    ("key_bits", "u", 2),             # 45
    ("issuer_dn", "t", 150),          # 46 FX issuer DN (150)
    ("serial_number", "t", 40),       # 47 FX serial number (40)
    ("document_id", "t", 10),         # 48 FX URL-send document ID (10)
    ("app_kind", "t", 16),            # 49 custom_service / plugin / ext_app / weblet ...
    ("content_name", "t", 63),        # 50 FX content / plug-in file name (63)
    ("rom_type", "t", 24),            # 51 FX ROM type
    ("old_version", "t", 32),         # 52
    ("new_version", "t", 32),         # 53
    ("direction", "t", 8),            # 54 inbound / outbound (gap 2: inbound failures)
    ("ntp_server", "t", 45),          # 55
    ("url", "t", 128),                # 56 FX Web Access URL (the seed cuts off its limit)
    ("process", "t", 32),             # 57 terminated process
    ("change", "t", 16),              # 58 installed / removed / replaced
    ("account_user", "t", 32),        # 59 accounting user (PWG JAUN / JAUU)
    ("images", "u", 4),               # 60 images completed (PWG JIM)
    ("threshold", "u", 2),            # 61 configured failure limit
)

# ---------------------------------------------------------------- outcomes
# Canonical outcomes; the code is the index. Vendor spellings in catalog.py.
OUTCOMES = ("success", "failure", "invalid_user_id", "invalid_password",
            "completed", "completed_with_warnings", "canceled_by_user",
            "canceled_by_shutdown", "aborted", "unknown")
FAILED_OUTCOMES = ("failure", "invalid_user_id", "invalid_password", "aborted")

_OK = ("success", "failure")
_DONE = ("success",)
_JOB = ("completed", "completed_with_warnings", "canceled_by_user",
        "canceled_by_shutdown", "aborted", "unknown")

# ---------------------------------------------------------------- subjects
# Subject rule per event: who may cause it.
SYSTEM_ONLY = 0   # internal events: the subject is always the system
ACTOR = 1         # a person or client (any kind but system); user_id unless unregistered
ANY = 2           # a person, or the system when the device acts on its own

# ---------------------------------------------------------------- events
# (name, code, PWG event name, severity, subject rule, items (first the
#  required ones, count given by `required`), required, outcomes (first =
#  default), PWG service state or "", PP requirement it meets)
# Severity: 6 informational, 4 warning, 3 error (PWG 5110.3); a failed
# outcome on a severity-6 event is reported at 4 (catalog.severity).
EVENTS = (
    # 0x01 System Status: device start / stop, overwrite, self test
    ("device_start", 0x0101, "SystemRestarted", 6, SYSTEM_ONLY, ("start_mode",), 0, _DONE,
     "Idle", "FAU_GEN.1.1(a) E0"),
    ("device_shutdown", 0x0102, "SystemShutdown", 6, ANY, ("power_switch", "action"), 0, _DONE,
     "Stopped", "FAU_GEN.1.1(a) E0"),
    ("abnormal_termination", 0x0103, "SystemStopped", 3, SYSTEM_ONLY, ("process", "reason"), 0, ("failure",),
     "Stopped", "FAU_GEN.1.1(a) E0"),
    ("image_overwrite_start", 0x0104, "SystemStateChanged", 6, ANY, ("operation", "scope"), 0, _OK,
     "Processing", "FDP_RIP.1 (recommended)"),
    ("image_overwrite_finish", 0x0105, "SystemStateChanged", 6, ANY, ("operation", "scope"), 0, _OK,
     "Idle", "FDP_RIP.1 (recommended)"),
    ("self_test_start", 0x0106, "SystemStateChanged", 6, ANY, ("scope",), 0, _DONE,
     "Testing", "FPT_TST_EXT.1 (recommended)"),
    ("self_test", 0x0107, "SystemStateChanged", 6, ANY, ("scope", "check_code_1", "check_code_2", "reason"), 0,
     ("success", "failure", "canceled_by_user"), "Idle", "FPT_TST_EXT.1 (recommended)"),
    ("customer_data_erase", 0x0108, "SystemConfigChanged", 6, ANY, ("scope",), 0, _OK,
     "", "FDP_RIP.1 (recommended)"),
    ("process_terminated", 0x0109, "SystemInternalError", 3, SYSTEM_ONLY, ("process", "reason"), 1, ("failure",),
     "", "FPT_FLS (recommended)"),
    # 0x02 Login/Logout
    ("login", 0x0201, "SystemAuthentication", 6, ACTOR, ("auth_method",), 0, _DONE,
     "", "FIA_UAU.1 / FIA_UID.1 (IEEE 2600: success too)"),
    ("login_failure", 0x0202, "SystemAuthentication", 4, ACTOR, ("auth_method", "reason", "failure_count"), 0,
     ("failure", "invalid_user_id", "invalid_password"), "", "FIA_UAU.1 E2, FIA_UID.1 E3"),
    ("logout", 0x0203, "SystemAuthentication", 6, ACTOR, ("reason",), 0, _OK,
     "", "FTA_SSL (recommended)"),
    ("lockout", 0x0204, "SystemAuthentication", 4, ANY, ("failure_count", "lock_seconds", "threshold"), 1, _DONE,
     "", "FIA_AFL.1 (recommended)"),
    ("lockout_expired", 0x0205, "SystemAuthentication", 6, ANY, ("failure_count",), 0, _DONE,
     "", "FIA_AFL.1 (recommended)"),
    ("continuous_failure_detected", 0x0206, "SystemAuthentication", 4, ANY,
     ("failure_count", "window_seconds", "threshold"), 1, _DONE, "", "FIA_AFL.1 (recommended)"),
    # 0x03 Audit Policy
    ("audit_log_enabled", 0x0301, "SystemConfigChanged", 6, ANY, (), 0, _OK,
     "", "FAU_GEN.1.1(a) E0, FMT_SMF.1 E4"),
    ("audit_log_disabled", 0x0302, "SystemConfigChanged", 4, ANY, (), 0, _OK,
     "", "FAU_GEN.1.1(a) E0, FMT_SMF.1 E4"),
    # 0x04 Job Status: job completion, type of job = the event (FDP_ACF.1 E1)
    ("print_job", 0x0401, "PrintJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "file_name", "job_type", "job_id", "pages", "images",
      "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("copy_job", 0x0402, "CopyJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "job_type", "job_id", "pages", "images", "account_user"), 0,
     _JOB, "", "FDP_ACF.1 E1"),
    ("scan_job", 0x0403, "ScanJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "destination", "sender", "document_id", "job_type",
      "job_id", "pages", "images", "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("fax_send_job", 0x0404, "FaxOutJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "destination", "sender", "job_type", "job_id", "pages",
      "images", "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("fax_receive_job", 0x0405, "FaxInJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "destination", "sender", "job_type", "job_id", "pages",
      "images", "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("email_job", 0x0406, "EmailOutJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "action", "destination", "sender", "job_type", "job_id", "images",
      "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("mailbox_job", 0x0407, "ResourceJobCompleted", 6, ANY,
     ("operation", "job_uuid", "relation", "account_id", "action", "file_name", "job_id", "pages",
      "account_user"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("report_job", 0x0408, "PrintJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "job_type", "job_id", "pages"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("job_flow_job", 0x0409, "TransformJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "job_type", "job_id"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("other_job", 0x040A, "SystemJobCompleted", 6, ANY,
     ("job_uuid", "relation", "account_id", "job_type", "job_id"), 0, _JOB, "", "FDP_ACF.1 E1"),
    ("remote_scan_request", 0x040B, "ScanJobCreated", 6, ANY, ("job_type", "file_name"), 0, _OK,
     "", "FDP_ACF.1 (job submission)"),
    # 0x05 Device Settings
    ("clock_change", 0x0501, "SystemConfigChanged", 6, ANY, ("old_time", "method", "ntp_server"), 2, _OK,
     "", "FPT_STM.1 E6"),
    ("user_add", 0x0502, "SystemConfigChanged", 6, ANY, ("target_user", "target_role"), 1, _OK,
     "", "FMT_SMR.1 E5, FMT_SMF.1 E4"),
    ("user_edit", 0x0503, "SystemConfigChanged", 6, ANY, ("target_user", "target_role", "changed_attribute"), 1, _OK,
     "", "FMT_SMR.1 E5, FMT_SMF.1 E4"),
    ("user_delete", 0x0504, "SystemConfigChanged", 6, ANY, ("target_user", "target_role"), 1, _OK,
     "", "FMT_SMR.1 E5, FMT_SMF.1 E4"),
    ("role_change", 0x0505, "SystemConfigChanged", 6, ANY, ("target_user", "target_role", "grant"), 3, _OK,
     "", "FMT_SMR.1 E5"),
    ("password_change", 0x0506, "SystemConfigChanged", 6, ANY, ("target_user", "target_role"), 1, _OK,
     "", "FMT_SMF.1 E4, FIA_UAU (recommended)"),
    ("deleted_username_overflow", 0x0507, "SystemInternalError", 4, SYSTEM_ONLY, ("count",), 0, _DONE,
     "", "FMT_SMF.1 E4"),
    ("mailbox_create", 0x0508, "SystemConfigChanged", 6, ANY, ("box_number",), 1, _OK, "", "FMT_SMF.1 E4"),
    ("mailbox_delete", 0x0509, "SystemConfigChanged", 6, ANY, ("box_number",), 1, _OK, "", "FMT_SMF.1 E4"),
    ("auth_mode_change", 0x050A, "SystemConfigChanged", 6, ANY, ("new_value", "old_value"), 1, _OK,
     "", "FMT_SMF.1 E4"),
    ("setting_change", 0x050B, "SystemConfigChanged", 6, ANY, ("setting", "old_value", "new_value"), 1, _OK,
     "", "FMT_SMF.1 E4"),
    ("setting_view", 0x050C, "SystemConfigChanged", 6, ACTOR, ("setting",), 0, _OK,
     "", "FMT_SMF.1 E4, FAU_SAR.2 (reads of security data)"),
    ("job_setting_change", 0x050D, "SystemConfigChanged", 6, ANY, ("setting", "new_value"), 1, _OK,
     "", "FMT_SMF.1 E4"),
    # 0x06 Device Data
    ("certificate_import", 0x0601, "SystemConfigChanged", 6, ANY,
     ("category", "key_algorithm", "key_bits", "issuer_dn", "serial_number", "reason"), 0, _OK,
     "", "FIA_X509_EXT (recommended), FMT_SMF.1 E4"),
    ("certificate_delete", 0x0602, "SystemConfigChanged", 6, ANY,
     ("category", "key_algorithm", "key_bits", "issuer_dn", "serial_number"), 0, _OK,
     "", "FIA_X509_EXT (recommended), FMT_SMF.1 E4"),
    ("address_add", 0x0603, "SystemConfigChanged", 6, ANY, ("registration_number",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("address_delete", 0x0604, "SystemConfigChanged", 6, ANY, ("registration_number",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("address_edit", 0x0605, "SystemConfigChanged", 6, ANY, ("registration_number",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("address_book_import", 0x0606, "SystemConfigChanged", 6, ANY, ("count",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("address_book_export", 0x0607, "SystemConfigChanged", 6, ANY, ("count",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("address_book_clear", 0x0608, "SystemConfigChanged", 6, ANY, ("count",), 0, _OK, "", "FMT_SMF.1 E4"),
    ("audit_export", 0x0609, "SystemConfigChanged", 6, ACTOR,
     ("first_seq", "last_seq", "count", "peer", "protocol", "operation"),
     0, _OK, "", "FAU_SAR.1 / FAU_STG_EXT.1 (recommended)"),
    ("scanned_image_retrieve", 0x060A, "ScanJobCompleted", 6, ANY, ("document_id",), 0, _OK, "", "FDP_ACF.1 E1"),
    ("app_install", 0x060B, "SystemConfigChanged", 6, ANY, ("app_kind", "content_name", "reason"), 1, _OK,
     "", "FPT_TUD_EXT.1 (code signature), FMT_SMF.1 E4"),
    ("app_uninstall", 0x060C, "SystemConfigChanged", 6, ANY, ("app_kind", "content_name", "reason"), 1, _OK,
     "", "FMT_SMF.1 E4"),
    ("cloning_export", 0x060D, "SystemConfigChanged", 6, ANY, ("category", "file_name"), 0, _OK, "", "FMT_SMF.1 E4"),
    ("cloning_import", 0x060E, "SystemConfigChanged", 6, ANY, ("category", "file_name"), 0, _OK, "", "FMT_SMF.1 E4"),
    ("log_download", 0x060F, "SystemConfigChanged", 6, ANY, ("file_name", "peer", "operation"), 0, _OK,
     "", "FMT_SMF.1 E4"),
    ("remote_service", 0x0610, "SystemConfigChanged", 6, ANY, ("operation", "content_name", "peer"), 1, _OK,
     "", "FMT_SMF.1 E4"),
    ("integrity_alert", 0x0611, "SystemInternalError", 3, SYSTEM_ONLY, ("operation", "reason"), 0, ("failure",),
     "", "FPT_TST_EXT.1 (recommended)"),
    # 0x07 Device Config
    ("part_replaced", 0x0701, "SystemStateChanged", 6, SYSTEM_ONLY, (), 0, _DONE, "Idle", "FAU_GEN.1 (ST choice)"),
    ("disk_change", 0x0702, "SystemStateChanged", 4, SYSTEM_ONLY, ("change",), 1, _DONE, "Idle",
     "FDP_DSK_EXT.1 (removable storage)"),
    ("firmware_update", 0x0703, "SystemConfigChanged", 6, ANY,
     ("rom_type", "new_version", "old_version", "method", "reason"), 0, _OK, "", "FPT_TUD_EXT.1 (recommended)"),
    # 0x08 Communication
    ("trusted_channel_failure", 0x0801, "SystemInternalError", 3, SYSTEM_ONLY,
     ("protocol", "reason", "peer", "failure_count", "direction"), 2, ("failure",),
     "", "FTP_ITC.1 / FTP_TRP.1 E7"),
    ("ntp_failure", 0x0802, "SystemInternalError", 4, SYSTEM_ONLY, ("peer", "reason", "failure_count"), 2,
     ("failure",), "", "FPT_STM.1 (time source)"),
    ("web_access", 0x0803, "SystemStateChanged", 6, ACTOR, ("url",), 1, _OK, "", "FDP_ACF.1 (EWB access)"),
    # 0x09 Audit trail: logged by the audit subsystem itself (no seed has these)
    ("audit_start", 0x0901, "SystemStateChanged", 6, SYSTEM_ONLY, ("boot", "reason"), 1, _DONE,
     "Idle", "FAU_GEN.1.1(a) E0"),
    ("audit_stop", 0x0902, "SystemStateChanged", 6, SYSTEM_ONLY, ("reason",), 0, _DONE,
     "Stopped", "FAU_GEN.1.1(a) E0"),
    ("audit_recovery", 0x0903, "SystemStateChanged", 4, SYSTEM_ONLY, ("last_durable_seq", "actions", "quarantined"),
     1, _DONE, "Idle", "FAU_STG.1, FAU_GEN.1.1(a) E0 (unclean stop)"),
    ("audit_eviction", 0x0904, "SystemStateChanged", 4, SYSTEM_ONLY,
     ("first_seq", "last_seq", "count", "evicted_through"), 3, _DONE, "Idle", "FAU_STG.4 (overwrite oldest)"),
    ("audit_undelivered_loss", 0x0905, "SystemInternalError", 3, SYSTEM_ONLY,
     ("first_seq", "last_seq", "count", "peer"), 3, _DONE, "", "FAU_STG.4, FAU_STG_EXT.1 (records lost before delivery)"),
)

# Columns of an EVENTS row.
E_NAME = 0
E_CODE = 1
E_PWG = 2
E_SEVERITY = 3
E_SUBJECT = 4
E_ITEMS = 5
E_REQUIRED = 6
E_OUTCOMES = 7
E_STATE = 8
E_PP = 9

# Category = the event class (high byte of the code), named as Fuji Xerox's
# "Logged Events" column does; class 9 is ours.
CATEGORIES = ("", "System Status", "Login/Logout", "Audit Policy", "Job Status", "Device Settings",
              "Device Data", "Device Config", "Communication", "Audit Trail")
