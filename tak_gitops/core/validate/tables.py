"""CSV routing and authorization tables of an ``<ENV>.yaml``: which contract entry of a producer each routing
row adds its address to, and the authorization rows of a consumer grouped by contract."""

from __future__ import annotations

from collections.abc import Mapping

from tak_gitops.core import codes
from tak_gitops.core.desired import Location
from tak_gitops.core.nodes import Node
from tak_gitops.core.validate.diagnostics import Diagnostics
from tak_gitops.core.validate.inputs import CsvTable, TableRow, seq
from tak_gitops.core.validate.values import csv_path_problem

ROUTING_TABLE = "routing_table"
AUTHORIZATION_TABLE = "authorization_table"


def table_references(root: Node | None) -> list[tuple[str, Node, bool]]:
    """The CSV tables an environment file names: ``(path as written, value node, is a routing table)``, for the
    loader to read. Paths that are absolute or leave the organisation folder are left out (validation reports
    them)."""
    out: list[tuple[str, Node, bool]] = []
    if root is None or root.kind != "map":
        return out
    for section, key in (("producers", ROUTING_TABLE), ("consumers", AUTHORIZATION_TABLE)):
        for system in seq(root.get(section)):
            node = system.get(key)
            path = node.str_value() if node is not None else None
            if node is not None and path is not None and csv_path_problem(path) is None:
                out.append((path, node, key == ROUTING_TABLE))
    return out


def _table(node: Node | None, tables: Mapping[str, CsvTable | None], diags: Diagnostics) -> CsvTable | None:
    path = node.str_value() if node is not None else None
    if node is None or path is None:
        return None
    problem = csv_path_problem(path)
    if problem is not None:
        diags.error(node, codes.BAD_CSV_PATH, problem)
        return None
    return tables.get(path)


def routing_rows(
    producer: Node, tables: Mapping[str, CsvTable | None], diags: Diagnostics
) -> dict[int, tuple[str, list[TableRow]]]:
    """The rows of a producer's routing table by the index of the one entry of their contract under
    ``contracts``: ``index -> (table path, rows)``. Rows whose contract the producer lists not exactly once, and
    entries left without addresses, are reported."""
    table = _table(producer.get(ROUTING_TABLE), tables, diags)
    items = seq(producer.get("contracts"))
    added: dict[int, tuple[str, list[TableRow]]] = {}
    if table is not None:
        by_contract: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            contract = item.get("contract")
            namespace = contract.str_value() if contract is not None else None
            if namespace is not None:
                by_contract.setdefault(namespace.lower(), []).append(i)
        system = producer.get("system")
        name = system.value if system is not None else "this producer"
        for row in table.rows:
            found = by_contract.get(row.contract.lower(), [])
            if len(found) == 1:
                added.setdefault(found[0], (table.path, []))[1].append(row)
                continue
            why = (
                f"is not among the contracts of producer {name}"
                if not found
                else f"is listed {len(found)} times under producer {name} (with different URLs or profiles): "
                "write the addresses of each under its `addresses`"
            )
            diags.error((table.path, row.line, 1), codes.TABLE_CONTRACT, f"contract {row.contract} {why}")
    for i, item in enumerate(items):
        if item.kind != "map" or item.get("addresses") is not None or i in added:
            continue
        contract = item.get("contract")
        what = f"contract {contract.value}" if contract is not None else "this contract"
        message = "missing required key 'addresses'"  # as the shape check says it without a table
        if table is not None:
            message = f"{what} has no addresses: list them under `addresses` or in {table.path}"
        diags.error(item, codes.MISSING_KEY, message)
    return added


def authorization_rows(
    consumer: Node, tables: Mapping[str, CsvTable | None], diags: Diagnostics
) -> list[tuple[str, Location, list[TableRow]]]:
    """The rows of a consumer's authorization table grouped by contract, in the order of their first row:
    ``(contract as written, where the first row is, rows)``. A consumer with neither ``authorizations`` nor a
    table is reported."""
    table_node = consumer.get(AUTHORIZATION_TABLE)
    if table_node is None:
        if consumer.get("authorizations") is None:
            diags.error(consumer, codes.MISSING_KEY, "missing required key 'authorizations'")
        return []
    table = _table(table_node, tables, diags)
    groups: dict[str, tuple[str, Location, list[TableRow]]] = {}
    for row in table.rows if table is not None else ():
        group = groups.get(row.contract)
        if group is None:
            assert table is not None
            group = groups[row.contract] = (row.contract, Location(table.path, row.line, 1), [])
        group[2].append(row)
    return list(groups.values())
