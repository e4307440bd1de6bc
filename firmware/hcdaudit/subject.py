# Who caused an event: one canonical subject, spelled the way each vendor
# format wants it (FAU_GEN.2: a record names the user who caused it).
#
# A subject is the list stored in the record: [kind, user_id, name, role].
# `kind` is the identity convention (the built-in administrator account, a
# customer engineer, an unregistered name, the system...); `role` is the
# PWG 5110.3 UserRole of whoever it is. A personal account with
# administrator rights is kind USER, role "Administrator": FAU_GEN.2 prefers
# personal identities over the shared KO / -2 accounts.
from hcdaudit import text

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

SYSTEM = const(0)        # the device acting on its own
USER = const(1)          # an identified (registered) user
ADMIN = const(2)         # the built-in machine administrator account (FX KO, KM -2)
ENGINEER = const(3)      # customer engineer / service (FX CE, KM -1)
UNREGISTERED = const(4)  # a name the device does not know (FX -, KM -3); user_id = attempted ID if kept
GUEST = const(5)         # FX Guest: the special user of external-authentication mode
SNMP = const(6)          # a change made over SNMP (FX SNMP:<community user>)

KIND_NAMES = ("system", "user", "admin", "engineer", "unregistered", "guest", "snmp")

# Byte limits of the subject fields (the record's limits).
USER_ID_BYTES = 32
NAME_BYTES = 64
ROLE_BYTES = 32


class SubjectError(ValueError):
    pass


def _text(value, field, limit):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SubjectError("subject %s must be text, got %s" % (field, type(value).__name__))
    return text.truncate(value, limit)


def make(kind, user_id="", name="", role=""):
    if not isinstance(kind, int) or kind is True or kind is False or not 0 <= kind < len(KIND_NAMES):
        raise SubjectError("subject kind must be one of 0..%d" % (len(KIND_NAMES) - 1))
    return [kind, _text(user_id, "user_id", USER_ID_BYTES), _text(name, "name", NAME_BYTES),
            _text(role, "role", ROLE_BYTES)]


def system():
    return [SYSTEM, "", "", ""]


def user(user_id, name="", role="User"):
    """A registered user; role is the PWG UserRole (Administrator for a personal admin account)."""
    if not user_id:
        raise SubjectError("a user subject needs a user_id")
    return make(USER, user_id, name, role)


def admin(user_id="admin", name=""):
    """The built-in machine administrator account (shared: FX KO, KM -2)."""
    return make(ADMIN, user_id, name, "Administrator")


def engineer(user_id="", name=""):
    return make(ENGINEER, user_id, name, "ServiceTechnician")


def unregistered(attempted_id=""):
    """A name the device does not know. Keep the attempted ID only where policy allows
    (IEEE 2600 FIA_UID.1 wants it; it may be a mistyped password)."""
    return make(UNREGISTERED, attempted_id, "", "")


def guest():
    return make(GUEST, "Guest", "", "Guest")


def snmp(user_id="admin"):
    return make(SNMP, user_id, "", "Administrator")


def normalise(value):
    """None → system; str → registered user of that ID; list/tuple → checked copy."""
    if value is None:
        return system()
    if isinstance(value, str):
        if value:       # user(value) in one step: the common case of log()
            return [USER, _text(value, "user_id", USER_ID_BYTES), "", "User"]
        return user(value)
    if isinstance(value, (list, tuple)) and len(value) == 4:
        return make(value[0], value[1], value[2], value[3])
    raise SubjectError("subject must be None, a user ID or a subject list, got %s" % type(value).__name__)


def kind_name(kind):
    if isinstance(kind, int) and 0 <= kind < len(KIND_NAMES):
        return KIND_NAMES[kind]
    return "kind%d" % kind


# ---------------------------------------------------------------- vendor spellings

def fx_user_name(subject, prefer_name=False):
    """Fuji Xerox User Name: KO, CE, Guest, System, SNMP:<user>, - or the user ID
    (job records prefer the user's name: prefer_name)."""
    kind, user_id, name = subject[0], subject[1], subject[2]
    if kind == ADMIN:
        return "KO"
    if kind == ENGINEER:
        return "CE"
    if kind == GUEST:
        return "Guest"
    if kind == SYSTEM:
        return "System"
    if kind == SNMP:
        return "SNMP:" + (user_id or "admin")
    if kind == UNREGISTERED:
        return "-"
    if prefer_name and name:
        return name
    return user_id or name or "-"


def km_id(subject):
    """Konica Minolta audit ID: -1 CE, -2 administrator, -3 unregistered (and the
    system's own power on/off), else the user's number."""
    kind = subject[0]
    if kind == ENGINEER:
        return "-1"
    if kind == ADMIN:
        return "-2"
    if kind == USER:
        return subject[1] or "-3"
    return "-3"


def xerox_user_name(subject):
    """Xerox App. B User Name; the seed writes SYSTEM for scheduled (system) events."""
    kind = subject[0]
    if kind == SYSTEM:
        return "SYSTEM"
    if kind == UNREGISTERED:
        return subject[1] or "-"
    return subject[2] or subject[1] or kind_name(kind)


def fx_role(subject):
    """FX login role column: System Administrator / Customer Engineer / Casual Operator."""
    role = subject[3]
    if subject[0] == ADMIN or role == "Administrator" or role == "SecurityAdministrator":
        return "System Administrator"
    if subject[0] == ENGINEER or role == "ServiceTechnician" or role == "FieldTechnician":
        return "Customer Engineer"
    if role == "AccountingAdministrator":
        return "Accounting Administrator"
    if subject[0] in (SYSTEM, UNREGISTERED):
        return "-"
    return "Casual Operator"
