# The canonical event set as constant tables (read by catalog.py, never
# edited at run time). Each table is one string, a row a line: one constant
# object that a frozen build or a ROMFS image keeps in flash and the heap never
# holds (the same rows as tuples of strings cost 22 KB of heap per import from
# .mpy or ROMFS). catalog.py looks rows up with str.find and parses only the
# row it needs; events() and items() parse them all (host tools, tests).
#
# Event codes follow the Fuji Xerox 0xCCNN scheme (class in the high byte)
# recommended by hcd-audit-requirements §5.1; class 0x09 is ours (the audit
# trail itself, which no seed logs).

# ---------------------------------------------------------------- items
# Global item table, an item a line: "name type limit". The item code is the
# line number (1 first), so a decoder names an item without knowing its event.
# type "t" = UTF-8 text, limit in bytes (Fuji Xerox limits where the seed gives
# one); "u" = unsigned int, limit in bytes of width. Codes 1-23 encode in one
# CBOR byte: the frequent items come first. Append only: codes are stored in records.
ITEMS = (
    "\nboot u 4"                  # 1  audit_start: boot counter
    "\nreason t 64"               # 2  why (failure reason, stop reason, lockout cause)
    "\njob_uuid t 36"             # 3  FX root job UUID (36)
    "\nrelation t 8"              # 4  FX relation to the root job: Related / Owned
    "\naccount_id t 32"           # 5  FX Job Account ID (32)
    "\naction t 64"               # 6  FX Action (64), comma-joined
    "\nfile_name t 64"            # 7  FX file name (64)
    "\njob_type t 16"             # 8  FX job type (16)
    "\njob_id u 4"                # 9  PWG JID
    "\npages u 4"                 # 10 impressions completed (PWG JIC)
    "\ndestination t 64"          # 11 FX To (64): e-mail, phone number, URI
    "\nsender t 64"               # 12 FX From (64)
    "\nsetting t 64"              # 13 setting name (FX security-setting item names)
    "\nold_value t 64"            # 14
    "\nnew_value t 64"            # 15
    "\nold_time t 32"             # 16 RFC 3339 time before a clock change
    "\nmethod t 16"               # 17 user / ntp / snmp / system / ...
    "\ntarget_user t 32"          # 18 user added / edited / deleted / granted
    "\ntarget_role t 32"          # 19
    "\nfailure_count u 4"         # 20 consecutive failures, error count
    "\nprotocol t 16"             # 21 SSL/TLS, IPSEC, S/MIME, SSH, NTP ...
    "\npeer t 45"                 # 22 FX peer (45): the far end, not the user's host
    "\ncount u 4"                 # 23 number of records
    "\nlast_durable_seq u 8"      # 24 audit_recovery
    "\nactions t 200"             # 25 audit_recovery: what boot recovery did
    "\nquarantined t 160"         # 26 audit_recovery: quarantined slots / segments
    "\nfirst_seq u 8"             # 27
    "\nlast_seq u 8"              # 28
    "\nevicted_through u 8"       # 29
    "\nstart_mode t 16"           # 30 cold / warm / nvm_initialized / hdd_initialized
    "\npower_switch t 8"          # 31 soft / main (KM 53 / 54)
    "\noperation t 16"            # 32 scheduled / on_demand; stored-job operation; ...
    "\nscope t 16"                # 33 standard / full; firmware / device
    "\ncheck_code_1 t 16"         # 34 FX self-test check codes
    "\ncheck_code_2 t 16"         # 35
    "\nauth_method t 16"          # 36 FX: Local / Remote / Convenience / Custom
    "\nlock_seconds u 4"          # 37 lockout duration
    "\nwindow_seconds u 4"        # 38 failure-detection window
    "\nchanged_attribute t 16"    # 39 FX Edit User: ID / Password / Role / ...
    "\ngrant t 8"                 # 40 grant / revoke
    "\nbox_number u 2"            # 41 FX mailbox number (3 digits)
    "\nregistration_number u 2"   # 42 FX address entry number (4 digits)
    "\ncategory t 16"             # 43 certificate RootCA / DeviceEE / SSCEE; cloning category
    "\nkey_algorithm t 8"         # 44 RSA / ECDSA (FX cannot express EC sizes: gap 10)
    "\nkey_bits u 2"              # 45
    "\nissuer_dn t 150"           # 46 FX issuer DN (150)
    "\nserial_number t 40"        # 47 FX serial number (40)
    "\ndocument_id t 10"          # 48 FX URL-send document ID (10)
    "\napp_kind t 16"             # 49 custom_service / plugin / ext_app / weblet ...
    "\ncontent_name t 63"         # 50 FX content / plug-in file name (63)
    "\nrom_type t 24"             # 51 FX ROM type
    "\nold_version t 32"          # 52
    "\nnew_version t 32"          # 53
    "\ndirection t 8"             # 54 inbound / outbound (gap 2: inbound failures)
    "\nntp_server t 45"           # 55
    "\nurl t 128"                 # 56 FX Web Access URL (the seed cuts off its limit)
    "\nprocess t 32"              # 57 terminated process
    "\nchange t 16"               # 58 installed / removed / replaced
    "\naccount_user t 32"         # 59 accounting user (PWG JAUN / JAUU)
    "\nimages u 4"                # 60 images completed (PWG JIM)
    "\nthreshold u 2"             # 61 configured failure limit
    "\nduration_ms u 8"           # 62 how long it lasted, by the device clock (audit_link_up)
)

# ---------------------------------------------------------------- outcomes
# Canonical outcomes; the code is the index. Vendor spellings in formats.py.
OUTCOMES = ("success", "failure", "invalid_user_id", "invalid_password",
            "completed", "completed_with_warnings", "canceled_by_user",
            "canceled_by_shutdown", "aborted", "unknown")
FAILED_OUTCOMES = ("failure", "invalid_user_id", "invalid_password", "aborted")
# What "@job" stands for in an EVENTS row.
JOB_OUTCOMES = ("completed", "completed_with_warnings", "canceled_by_user", "canceled_by_shutdown", "aborted",
                "unknown")

# ---------------------------------------------------------------- subjects
# Subject rule per event: who may cause it.
SYSTEM_ONLY = 0   # internal events: the subject is always the system
ACTOR = 1         # a person or client (any kind but system); user_id unless unregistered
ANY = 2           # a person, or the system when the device acts on its own
SUBJECT_RULES = ("system", "actor", "any")    # as written in EVENTS

# ---------------------------------------------------------------- events
# An event a line (long lines continue in the next literal):
#   name|code|PWG event name|severity|subject rule|items|required|outcomes|PWG service state|PP requirement
# code: 4 hex digits. items: comma-separated, the required ones first
# (`required` says how many). outcomes: comma-separated, the first is the
# default; "@job" = JOB_OUTCOMES. Severity: 6 informational, 4 warning, 3 error
# (PWG 5110.3); a failed outcome on a severity-6 event is reported at 4
# (catalog.severity). State: PWG <service>State for service messages, or empty.
EVENTS = (
    # 0x01 System Status: device start / stop, overwrite, self test
    "\ndevice_start|0101|SystemRestarted|6|system|start_mode|0|success|Idle|FAU_GEN.1.1(a) E0"
    "\ndevice_shutdown|0102|SystemShutdown|6|any|power_switch,action|0|success|Stopped|FAU_GEN.1.1(a) E0"
    "\nabnormal_termination|0103|SystemStopped|3|system|process,reason|0|failure|Stopped|FAU_GEN.1.1(a) E0"
    "\nimage_overwrite_start|0104|SystemStateChanged|6|any|operation,scope|0|success,failure|Processing|"
        "FDP_RIP.1 (recommended)"
    "\nimage_overwrite_finish|0105|SystemStateChanged|6|any|operation,scope|0|success,failure|Idle|"
        "FDP_RIP.1 (recommended)"
    "\nself_test_start|0106|SystemStateChanged|6|any|scope|0|success|Testing|FPT_TST_EXT.1 (recommended)"
    "\nself_test|0107|SystemStateChanged|6|any|scope,check_code_1,check_code_2,reason|0|success,failure,"
        "canceled_by_user|Idle|FPT_TST_EXT.1 (recommended)"
    "\ncustomer_data_erase|0108|SystemConfigChanged|6|any|scope|0|success,failure||FDP_RIP.1 (recommended)"
    "\nprocess_terminated|0109|SystemInternalError|3|system|process,reason|1|failure||FPT_FLS (recommended)"
    # 0x02 Login/Logout
    "\nlogin|0201|SystemAuthentication|6|actor|auth_method|0|success||"
        "FIA_UAU.1 / FIA_UID.1 (IEEE 2600: success too)"
    "\nlogin_failure|0202|SystemAuthentication|4|actor|auth_method,reason,failure_count|0|failure,"
        "invalid_user_id,invalid_password||FIA_UAU.1 E2, FIA_UID.1 E3"
    "\nlogout|0203|SystemAuthentication|6|actor|reason|0|success,failure||FTA_SSL (recommended)"
    "\nlockout|0204|SystemAuthentication|4|any|failure_count,lock_seconds,threshold|1|success||"
        "FIA_AFL.1 (recommended)"
    "\nlockout_expired|0205|SystemAuthentication|6|any|failure_count|0|success||FIA_AFL.1 (recommended)"
    "\ncontinuous_failure_detected|0206|SystemAuthentication|4|any|failure_count,window_seconds,threshold|1|"
        "success||FIA_AFL.1 (recommended)"
    # 0x03 Audit Policy
    "\naudit_log_enabled|0301|SystemConfigChanged|6|any||0|success,failure||FAU_GEN.1.1(a) E0, FMT_SMF.1 E4"
    "\naudit_log_disabled|0302|SystemConfigChanged|4|any||0|success,failure||FAU_GEN.1.1(a) E0, FMT_SMF.1 E4"
    # 0x04 Job Status: job completion, type of job = the event (FDP_ACF.1 E1)
    "\nprint_job|0401|PrintJobCompleted|6|any|job_uuid,relation,account_id,action,file_name,job_type,job_id,"
        "pages,images,account_user|0|@job||FDP_ACF.1 E1"
    "\ncopy_job|0402|CopyJobCompleted|6|any|job_uuid,relation,account_id,action,job_type,job_id,pages,images,"
        "account_user|0|@job||FDP_ACF.1 E1"
    "\nscan_job|0403|ScanJobCompleted|6|any|job_uuid,relation,account_id,action,destination,sender,document_id,"
        "job_type,job_id,pages,images,account_user|0|@job||FDP_ACF.1 E1"
    "\nfax_send_job|0404|FaxOutJobCompleted|6|any|job_uuid,relation,account_id,action,destination,sender,"
        "job_type,job_id,pages,images,account_user|0|@job||FDP_ACF.1 E1"
    "\nfax_receive_job|0405|FaxInJobCompleted|6|any|job_uuid,relation,account_id,action,destination,sender,"
        "job_type,job_id,pages,images,account_user|0|@job||FDP_ACF.1 E1"
    "\nemail_job|0406|EmailOutJobCompleted|6|any|job_uuid,relation,account_id,action,destination,sender,job_type,"
        "job_id,images,account_user|0|@job||FDP_ACF.1 E1"
    "\nmailbox_job|0407|ResourceJobCompleted|6|any|operation,job_uuid,relation,account_id,action,file_name,"
        "job_id,pages,account_user|0|@job||FDP_ACF.1 E1"
    "\nreport_job|0408|PrintJobCompleted|6|any|job_uuid,relation,account_id,job_type,job_id,pages|0|@job||"
        "FDP_ACF.1 E1"
    "\njob_flow_job|0409|TransformJobCompleted|6|any|job_uuid,relation,account_id,job_type,job_id|0|@job||"
        "FDP_ACF.1 E1"
    "\nother_job|040a|SystemJobCompleted|6|any|job_uuid,relation,account_id,job_type,job_id|0|@job||FDP_ACF.1 E1"
    "\nremote_scan_request|040b|ScanJobCreated|6|any|job_type,file_name|0|success,failure||"
        "FDP_ACF.1 (job submission)"
    # 0x05 Device Settings
    "\nclock_change|0501|SystemConfigChanged|6|any|old_time,method,ntp_server|2|success,failure||FPT_STM.1 E6"
    "\nuser_add|0502|SystemConfigChanged|6|any|target_user,target_role|1|success,failure||FMT_SMR.1 E5,"
        " FMT_SMF.1 E4"
    "\nuser_edit|0503|SystemConfigChanged|6|any|target_user,target_role,changed_attribute|1|success,failure||"
        "FMT_SMR.1 E5, FMT_SMF.1 E4"
    "\nuser_delete|0504|SystemConfigChanged|6|any|target_user,target_role|1|success,failure||FMT_SMR.1 E5,"
        " FMT_SMF.1 E4"
    "\nrole_change|0505|SystemConfigChanged|6|any|target_user,target_role,grant|3|success,failure||FMT_SMR.1 E5"
    "\npassword_change|0506|SystemConfigChanged|6|any|target_user,target_role|1|success,failure||FMT_SMF.1 E4,"
        " FIA_UAU (recommended)"
    "\ndeleted_username_overflow|0507|SystemInternalError|4|system|count|0|success||FMT_SMF.1 E4"
    "\nmailbox_create|0508|SystemConfigChanged|6|any|box_number|1|success,failure||FMT_SMF.1 E4"
    "\nmailbox_delete|0509|SystemConfigChanged|6|any|box_number|1|success,failure||FMT_SMF.1 E4"
    "\nauth_mode_change|050a|SystemConfigChanged|6|any|new_value,old_value|1|success,failure||FMT_SMF.1 E4"
    "\nsetting_change|050b|SystemConfigChanged|6|any|setting,old_value,new_value|1|success,failure||FMT_SMF.1 E4"
    "\nsetting_view|050c|SystemConfigChanged|6|actor|setting|0|success,failure||FMT_SMF.1 E4,"
        " FAU_SAR.2 (reads of security data)"
    "\njob_setting_change|050d|SystemConfigChanged|6|any|setting,new_value|1|success,failure||FMT_SMF.1 E4"
    # 0x06 Device Data
    "\ncertificate_import|0601|SystemConfigChanged|6|any|category,key_algorithm,key_bits,issuer_dn,serial_number,"
        "reason|0|success,failure||FIA_X509_EXT (recommended), FMT_SMF.1 E4"
    "\ncertificate_delete|0602|SystemConfigChanged|6|any|category,key_algorithm,key_bits,issuer_dn,serial_number|"
        "0|success,failure||FIA_X509_EXT (recommended), FMT_SMF.1 E4"
    "\naddress_add|0603|SystemConfigChanged|6|any|registration_number|0|success,failure||FMT_SMF.1 E4"
    "\naddress_delete|0604|SystemConfigChanged|6|any|registration_number|0|success,failure||FMT_SMF.1 E4"
    "\naddress_edit|0605|SystemConfigChanged|6|any|registration_number|0|success,failure||FMT_SMF.1 E4"
    "\naddress_book_import|0606|SystemConfigChanged|6|any|count|0|success,failure||FMT_SMF.1 E4"
    "\naddress_book_export|0607|SystemConfigChanged|6|any|count|0|success,failure||FMT_SMF.1 E4"
    "\naddress_book_clear|0608|SystemConfigChanged|6|any|count|0|success,failure||FMT_SMF.1 E4"
    "\naudit_export|0609|SystemConfigChanged|6|actor|first_seq,last_seq,count,peer,protocol,operation|0|success,"
        "failure||FAU_SAR.1 / FAU_STG_EXT.1 (recommended)"
    "\nscanned_image_retrieve|060a|ScanJobCompleted|6|any|document_id|0|success,failure||FDP_ACF.1 E1"
    "\napp_install|060b|SystemConfigChanged|6|any|app_kind,content_name,reason|1|success,failure||"
        "FPT_TUD_EXT.1 (code signature), FMT_SMF.1 E4"
    "\napp_uninstall|060c|SystemConfigChanged|6|any|app_kind,content_name,reason|1|success,failure||FMT_SMF.1 E4"
    "\ncloning_export|060d|SystemConfigChanged|6|any|category,file_name|0|success,failure||FMT_SMF.1 E4"
    "\ncloning_import|060e|SystemConfigChanged|6|any|category,file_name|0|success,failure||FMT_SMF.1 E4"
    "\nlog_download|060f|SystemConfigChanged|6|any|file_name,peer,operation|0|success,failure||FMT_SMF.1 E4"
    "\nremote_service|0610|SystemConfigChanged|6|any|operation,content_name,peer|1|success,failure||FMT_SMF.1 E4"
    "\nintegrity_alert|0611|SystemInternalError|3|system|operation,reason|0|failure||FPT_TST_EXT.1 (recommended)"
    # 0x07 Device Config
    "\npart_replaced|0701|SystemStateChanged|6|system||0|success|Idle|FAU_GEN.1 (ST choice)"
    "\ndisk_change|0702|SystemStateChanged|4|system|change|1|success|Idle|FDP_DSK_EXT.1 (removable storage)"
    "\nfirmware_update|0703|SystemConfigChanged|6|any|rom_type,new_version,old_version,method,reason|0|success,"
        "failure||FPT_TUD_EXT.1 (recommended)"
    # 0x08 Communication
    "\ntrusted_channel_failure|0801|SystemInternalError|3|system|protocol,reason,peer,failure_count,direction|2|"
        "failure||FTP_ITC.1 / FTP_TRP.1 E7"
    "\nntp_failure|0802|SystemInternalError|4|system|peer,reason,failure_count|2|failure||FPT_STM.1 (time source)"
    "\nweb_access|0803|SystemStateChanged|6|actor|url|1|success,failure||FDP_ACF.1 (EWB access)"
    # 0x09 Audit trail: logged by the audit subsystem itself (no seed has these)
    "\naudit_start|0901|SystemStateChanged|6|system|boot,reason|1|success|Idle|FAU_GEN.1.1(a) E0"
    "\naudit_stop|0902|SystemStateChanged|6|system|reason|0|success|Stopped|FAU_GEN.1.1(a) E0"
    "\naudit_recovery|0903|SystemStateChanged|4|system|last_durable_seq,actions,quarantined|1|success|Idle|"
        "FAU_STG.1, FAU_GEN.1.1(a) E0 (unclean stop)"
    "\naudit_eviction|0904|SystemStateChanged|4|system|first_seq,last_seq,count,evicted_through|3|success|Idle|"
        "FAU_STG.4 (overwrite oldest)"
    "\naudit_undelivered_loss|0905|SystemInternalError|3|system|first_seq,last_seq,count,peer|3|success||"
        "FAU_STG.4, FAU_STG_EXT.1 (records lost before delivery)"
    "\naudit_link_down|0906|SystemInternalError|4|system|protocol,peer,reason,first_seq,last_seq|5|failure||"
        "FAU_STG_EXT.1 (audit server unreachable)"
    "\naudit_link_up|0907|SystemStateChanged|6|system|protocol,peer,failure_count,duration_ms,count,first_seq,"
        "last_seq|7|success|Idle|FAU_STG_EXT.1 (audit server reachable again)"
)

# Columns of a parsed EVENTS row (parse_event, events()).
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


def _split(text, sep):
    return tuple(text.split(sep)) if text else ()


def parse_event(line):
    """One EVENTS line (without its newline) as the row tuple the E_* columns index."""
    f = line.split("|")
    return (f[0], int(f[1], 16), f[2], int(f[3]), SUBJECT_RULES.index(f[4]), _split(f[5], ","), int(f[6]),
            JOB_OUTCOMES if f[7] == "@job" else _split(f[7], ","), f[8], f[9])


def parse_item(line):
    """One ITEMS line as (name, type, limit)."""
    name, kind, limit = line.split(" ")
    return name, kind, int(limit)


def events():
    """Every event row, in table order (host tools and tests: this parses them all)."""
    return tuple(parse_event(line) for line in EVENTS[1:].split("\n"))


def items():
    """Every item as (name, type, limit); item code = index + 1."""
    return tuple(parse_item(line) for line in ITEMS[1:].split("\n"))
