"""BS JSON orders: a plan's orders as the documents TAK-web executes, and their lines read back.

:func:`build_orders` is the entry point (``builder``); the sections and their duplicate rules are in
``sections``, TAK-web's field rules in ``fields``, the header (kommentar, time stamps) in ``header``.
"""

from tak_gitops.core.orders.builder import BuiltOrder, build_orders, idempotency_key
from tak_gitops.core.orders.fields import HSA_RE, NAMESPACE_RE, PROFILE_RE, URL_RE
from tak_gitops.core.orders.header import (
    GENOMFORANDE_HOUR,
    KOMMENTAR_MAX,
    OrderMeta,
    build_kommentar,
    clean_kommentar,
    execution_date,
    format_timestamp,
)
from tak_gitops.core.orders.sections import SECTION_ARRAYS, document_lines

__all__ = [
    "GENOMFORANDE_HOUR",
    "HSA_RE",
    "KOMMENTAR_MAX",
    "NAMESPACE_RE",
    "PROFILE_RE",
    "SECTION_ARRAYS",
    "URL_RE",
    "BuiltOrder",
    "OrderMeta",
    "build_kommentar",
    "build_orders",
    "clean_kommentar",
    "document_lines",
    "execution_date",
    "format_timestamp",
    "idempotency_key",
]
