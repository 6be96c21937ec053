"""CSV routing and authorization tables of an ``<ENV>.yaml``: their rows become address entries of the file's
producers' contracts and authorization entries of its consumers, positioned at the table's own lines."""

from __future__ import annotations

from collections.abc import Mapping

from tak_gitops.core import codes
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


def _scalar(value: str, path: str, line: int, col: int) -> Node:
    return Node("scalar", value, path, line, col)


def _address(row: TableRow, path: str) -> Node:
    """The address entry a row stands for: a bare HSA-id, or ``{hsa_id, name}`` when the row names it."""
    hsa = _scalar(row.address, path, row.line, row.col_address)
    if not row.name:
        return hsa
    key = _scalar("hsa_id", path, row.line, row.col_address)
    name = _scalar(row.name, path, row.line, row.col_address + len(row.address) + 1)
    return Node("map", {"hsa_id": (key, hsa), "name": (_scalar("name", path, name.line, name.col), name)}, *_at(hsa))


def _at(node: Node) -> tuple[str, int, int]:
    return node.path, node.line, node.col


def _with(node: Node, key: str, value: Node) -> Node:
    """A copy of mapping ``node`` with ``key`` set to ``value`` (a new key goes last, positioned at ``value``)."""
    items = dict(node.value)
    old = items.get(key)
    items[key] = (old[0] if old is not None else _scalar(key, *_at(value)), value)
    return Node("map", items, *_at(node))


def _table(node: Node | None, tables: Mapping[str, CsvTable | None], diags: Diagnostics) -> CsvTable | None:
    path = node.str_value() if node is not None else None
    if node is None or path is None:
        return None
    problem = csv_path_problem(path)
    if problem is not None:
        diags.error(node, codes.BAD_CSV_PATH, problem)
        return None
    return tables.get(path)


def _producer(producer: Node, tables: Mapping[str, CsvTable | None], diags: Diagnostics) -> Node:
    table = _table(producer.get(ROUTING_TABLE), tables, diags)
    contracts_node = producer.get("contracts")
    items = list(seq(contracts_node))
    added: dict[int, list[Node]] = {}
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
                added.setdefault(found[0], []).append(_address(row, table.path))
                continue
            why = (
                f"is not among the contracts of producer {name}"
                if not found
                else f"is listed {len(found)} times under producer {name} (with different URLs or profiles): "
                "write the addresses of each under its `addresses`"
            )
            diags.error((table.path, row.line, 1), codes.TABLE_CONTRACT, f"contract {row.contract} {why}")
    merged: list[Node] = []
    for i, item in enumerate(items):
        if item.kind != "map":
            merged.append(item)
            continue
        inline = item.get("addresses")
        rows = added.get(i)
        if rows:
            first = rows[0]
            entries = (*seq(inline), *rows)
            item = _with(item, "addresses", Node("seq", entries, *(_at(inline) if inline is not None else _at(first))))
        elif inline is None:
            contract = item.get("contract")
            what = f"contract {contract.value}" if contract is not None else "this contract"
            message = "missing required key 'addresses'"  # as the shape check says it without a table
            if table is not None:
                message = f"{what} has no addresses: list them under `addresses` or in {table.path}"
            diags.error(item, codes.MISSING_KEY, message)
        merged.append(item)
    if not added or contracts_node is None:
        return producer
    return _with(producer, "contracts", Node("seq", tuple(merged), *_at(contracts_node)))


def _consumer(consumer: Node, tables: Mapping[str, CsvTable | None], diags: Diagnostics) -> Node:
    table_node = consumer.get(AUTHORIZATION_TABLE)
    table = _table(table_node, tables, diags)
    inline = consumer.get("authorizations")
    if table is None or not table.rows:
        if inline is None and table_node is None:
            diags.error(consumer, codes.MISSING_KEY, "missing required key 'authorizations'")
        return consumer
    by_contract: dict[str, tuple[Node, list[Node]]] = {}
    for row in table.rows:
        entry = by_contract.get(row.contract)
        if entry is None:
            entry = by_contract[row.contract] = (_scalar(row.contract, table.path, row.line, 1), [])
        entry[1].append(_address(row, table.path))
    entries: list[Node] = list(seq(inline))
    for contract, addresses in by_contract.values():
        where = _at(contract)
        value = {
            "contracts": (_scalar("contracts", *where), Node("seq", (contract,), *where)),
            "addresses": (_scalar("addresses", *where), Node("seq", tuple(addresses), *where)),
        }
        entries.append(Node("map", value, *where))
    at = _at(inline) if inline is not None else _at(table_node) if table_node is not None else _at(consumer)
    return _with(consumer, "authorizations", Node("seq", tuple(entries), *at))


def merge_tables(root: Node, tables: Mapping[str, CsvTable | None], diags: Diagnostics) -> Node:
    """``root`` (an environment file) with the rows of the tables its producers and consumers name merged in:
    a routing row adds its address to the producer's one entry of that contract, an authorization row adds
    its address to an entry of that contract. Problems (a bad path, a contract the producer does not list
    exactly once, a contract or consumer left with nothing) go to ``diags``."""
    if root.kind != "map":
        return root
    for section, merge in (("producers", _producer), ("consumers", _consumer)):
        node = root.get(section)
        if node is None or node.kind != "seq":
            continue
        merged = tuple(merge(item, tables, diags) if item.kind == "map" else item for item in node.seq())
        if any(new is not old for new, old in zip(merged, node.seq(), strict=True)):
            root = _with(root, section, Node("seq", merged, *_at(node)))
    return root
