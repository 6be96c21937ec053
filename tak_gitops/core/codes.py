"""The stable diagnostic codes of `tak-gitops validate`.

A code never changes meaning once released; new problems get new codes. Ranges:

* ``TG1xx`` syntax and shape: the file cannot be read as the format describes.
* ``TG2xx`` value rules: a single value breaks a TAK rule (HSA-id, URL, contract namespace, profile).
* ``TG3xx`` cross-file rules: ownership, environments, address sets, routing conflicts, grants.
* ``TG9xx`` warnings: suspicious but valid; they never make `validate` fail.
"""

from __future__ import annotations

from typing import Final

# TG1xx: syntax and shape
YAML_SYNTAX: Final = "TG100"
NOT_UTF8: Final = "TG101"
FILE_TOO_LARGE: Final = "TG102"
ALIAS_LIMIT: Final = "TG103"
DUPLICATE_KEY: Final = "TG104"
WRONG_TYPE: Final = "TG105"
UNKNOWN_KEY: Final = "TG106"
MISSING_KEY: Final = "TG107"
UNREADABLE: Final = "TG108"
UNSUPPORTED_YAML: Final = "TG109"
CSV_MALFORMED: Final = "TG110"
NOT_A_FILE: Final = "TG111"
NESTING_TOO_DEEP: Final = "TG112"
CONTROL_CHARACTER: Final = "TG113"

# TG2xx: value rules
BAD_HSA_ID: Final = "TG200"
BAD_URL: Final = "TG201"
HTTP_NOT_ALLOWED: Final = "TG202"
UNKNOWN_PROFILE: Final = "TG203"
BAD_CONTRACT: Final = "TG204"
BAD_DATE: Final = "TG205"
WILDCARD_NOT_ALLOWED: Final = "TG206"
BAD_VALUE: Final = "TG207"
BAD_CSV_PATH: Final = "TG208"

# TG3xx: cross-file rules
UNKNOWN_ENVIRONMENT: Final = "TG300"
NOT_ENABLED: Final = "TG301"
NOT_OWNED: Final = "TG302"
ROUTING_CONFLICT: Final = "TG303"
UNKNOWN_SET: Final = "TG304"
CSV_MISSING: Final = "TG305"
GRANT_NOT_ROUTED: Final = "TG306"
UNKNOWN_ORGANISATION: Final = "TG307"
UNDECLARED_SYSTEM: Final = "TG308"
DUPLICATE_SYSTEM: Final = "TG309"
MISSING_ORGANISATION_FILE: Final = "TG310"
UNEXPECTED_FILE: Final = "TG311"

# TG9xx: warnings
NEAR_DUPLICATE_ID: Final = "TG900"
NEAR_DUPLICATE_NAME: Final = "TG901"
REPEATED_DECLARATION: Final = "TG902"
COMMENT_TOO_LONG: Final = "TG903"
ADDRESS_NAME_DIFFERS: Final = "TG904"
LISTED_TWICE: Final = "TG905"

CODES: Final[dict[str, str]] = {
    YAML_SYNTAX: "YAML syntax error",
    NOT_UTF8: "the file is not valid UTF-8",
    FILE_TOO_LARGE: "the file is larger than the size limit (5 MiB by default)",
    ALIAS_LIMIT: "YAML aliases expand beyond the limit, or an alias refers to itself",
    DUPLICATE_KEY: "a mapping has the same key twice",
    WRONG_TYPE: "a value has the wrong type (for example a list where a string belongs)",
    UNKNOWN_KEY: "a key the format does not know (with a suggestion)",
    MISSING_KEY: "a required key is missing",
    UNREADABLE: "a file or folder cannot be read",
    UNSUPPORTED_YAML: "a YAML feature the format does not allow (tags, merge keys, complex keys, several documents)",
    CSV_MALFORMED: "a CSV address set line does not have the shape hsa-id;name[;kind;vg]",
    NOT_A_FILE: "a symbolic link, FIFO, device or folder where a file is expected (never followed, never read)",
    NESTING_TOO_DEEP: "lists and mappings nested deeper than the limit (64 levels)",
    CONTROL_CHARACTER: "a control character (C0, C1, DEL) or bidirectional override in a text value",
    BAD_HSA_ID: "an HSA-id breaks TAK's rule [0-9a-zA-Z_-], 1-255 characters",
    BAD_URL: "a URL breaks TAK's rule [0-9a-zA-Z_.:/-?&], 5-255 characters, http(s)://",
    HTTP_NOT_ALLOWED: "an http:// URL in an environment that requires https://",
    UNKNOWN_PROFILE: "a RIV-TA profile the environment does not know",
    BAD_CONTRACT: "a malformed service contract namespace (urn:riv:...Responder:<major>)",
    BAD_DATE: "a date that is not YYYY-MM-DD",
    WILDCARD_NOT_ALLOWED: "'*' where only a concrete HSA-id is allowed",
    BAD_VALUE: "a value outside its allowed range (empty, negative, unknown choice)",
    BAD_CSV_PATH: "a CSV path that is absolute or leaves the organisation folder",
    UNKNOWN_ENVIRONMENT: "an environment not configured in tak-gitops.yaml",
    NOT_ENABLED: "a system used in an environment it is not enabled for",
    NOT_OWNED: "a system not owned by the organisation in ownership.yaml",
    ROUTING_CONFLICT: "the same (logical address, contract) routed to different producers, URLs or profiles",
    UNKNOWN_SET: "a reference to an address set that is not defined",
    CSV_MISSING: "a CSV address set file that does not exist",
    GRANT_NOT_ROUTED: "a grant whose producer does not route the granted addresses or contracts",
    UNKNOWN_ORGANISATION: "a desired/ folder that is not an organisation in ownership.yaml",
    UNDECLARED_SYSTEM: "a system used in an environment file but not described in organisation.yaml",
    DUPLICATE_SYSTEM: "the same system described twice, or owned by two organisations",
    MISSING_ORGANISATION_FILE: "an organisation folder without organisation.yaml",
    UNEXPECTED_FILE: "a file in an organisation folder that is not a desired file",
    NEAR_DUPLICATE_ID: "warning: systems whose HSA-ids differ only in letter case",
    NEAR_DUPLICATE_NAME: "warning: systems whose names differ only in letter case or spacing",
    REPEATED_DECLARATION: "warning: the same routing declared twice with the same value",
    COMMENT_TOO_LONG: "warning: a comment longer than the 254 characters TAK keeps",
    ADDRESS_NAME_DIFFERS: "warning: the same logical address named differently in two places",
    LISTED_TWICE: "warning: an address set or address list that names the same HSA-id twice",
}
"""Every code with its one-line meaning (listed in docs/desired-format.md)."""
