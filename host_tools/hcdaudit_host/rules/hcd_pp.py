"""Audit content the HCD protection profile asks for (hcd-audit-requirements
§1.2, §1.7, §2.2); ids PP-1..PP-7 are hcdaudit's own."""
from __future__ import annotations

from . import SERVICE, Rule, example_line

SPEC = "HCD PP"

_CONFIG = example_line(SERVICE, 'E="SystemRestarted"', 'E="SystemConfigChanged"')

RULES = (
    Rule("PP-1", "I", SPEC, "FAU_GEN.1.1 (E0-E7)", "FAU_GEN.1.1 required events seen",
         "Each required event class E0-E7 should appear; a stream shows presence, never absence: I for a class "
         "not seen or seen only as a candidate.", (SERVICE,)),
    Rule("PP-2", "W", SPEC, "FAU_GEN.1.2", "FAU_GEN.1.2 outcome recorded",
         "Records of E1, E4, E5, E6 carry an outcome (S, JS or a vendor outcome).", (_CONFIG,)),
    Rule("PP-3", "I", SPEC, "FAU_GEN.2", "FAU_GEN.2 subject identity",
         "Records of E1, E4, E5, E6 name who caused them (UN, UU or a vendor subject); I, because PWG forbids "
         "UN on internal events.", (_CONFIG,)),
    Rule("PP-4", "W", SPEC, "FAU_GEN.1.2 (E1)", "E1 type of job",
         "A job completion record says which kind of job (its service, or a vendor job_type).",
         (example_line(SERVICE, 'E="SystemRestarted" IAJ="T" ST="Idle" SR="" '
                                'SUU="urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954"',
                       'E="SystemJobCompleted" JID="1" JUU="urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954" '
                       'JS="Completed"'),)),
    Rule("PP-5", "W", SPEC, "FAU_GEN.1.2 (E7), FTP_ITC.1", "E7 reason for failure",
         "A failure to establish a trusted channel records its reason (a vendor reason or MSG text).",
         (example_line(example_line(SERVICE, 'E="SystemRestarted"', 'E="SystemInternalError"'),
                       " \ufeffSystem restarted.", ""),)),
    Rule("PP-6", "E/W/I", SPEC, "FAU_STG_EXT.1, FTP_ITC.1", "FAU_STG_EXT.1 trusted channel",
         "Audit records leave the device over a trusted channel (TLS or IPsec): a file cannot show it (I); "
         "--listen udp: E unsigned, W signed.", (SERVICE,)),
    Rule("PP-7", "W", SPEC, "FAU_STG_EXT.1", "FAU_STG_EXT.1 no records lost",
         "Gaps in the vendor sequence number (seq=) mean records that never reached the collector.",
         (example_line(SERVICE, "] \ufeff", '][hcdaudit@32473 seq="1"] \ufeff'),
          example_line(SERVICE, "] \ufeff", '][hcdaudit@32473 seq="3"] \ufeff'))),
)
