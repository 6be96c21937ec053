"""Address rules: address sets (listed in organisation.yaml or read from CSV) and the names, kinds and care
givers every address is known by."""

from __future__ import annotations

import re
import sys
from itertools import compress, repeat
from operator import attrgetter

from tak_gitops.core import codes
from tak_gitops.core.desired import Address, Location
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import hsa_id_problem, match_hsa_id
from tak_gitops.core.validate.diagnostics import loc_of
from tak_gitops.core.validate.inputs import CsvSet, OrgInput, seq
from tak_gitops.core.validate.values import ValueRules, csv_path_problem

_intern = sys.intern
_HSA_COLUMN_RE = re.compile(r"[0-9a-zA-Z_\-]{1,255}(?:\n[0-9a-zA-Z_\-]{1,255})*")
"""HSA-ids one a line, each as :data:`~tak_gitops.core.rules.HSA_ID_PATTERN` allows."""
_name_of = attrgetter("name")


class AddressSetRules(ValueRules):
    """Address sets and address notes; a plain CSV set is checked a column at a time."""

    def _note_address(self, hsa_id: str, name: str | None, kind: str | None, vg: str | None, where: Location) -> None:
        known = self.addresses.get(hsa_id)
        if known is None:
            self.addresses[hsa_id] = Address(hsa_id, name, kind, vg)
            if name:
                self.address_names[hsa_id] = (name, where.path, where.line, where.col)
            return
        if name and known.name and name != known.name:
            first_name, path, line, col = self.address_names[hsa_id]
            self.diags.warning(
                where,
                codes.ADDRESS_NAME_DIFFERS,
                f"address {hsa_id} is named {name!r} here but {first_name!r} at {path}:{line}:{col}",
            )
        if (name and not known.name) or (kind and not known.kind) or (vg and not known.vg):
            self.addresses[hsa_id] = Address(hsa_id, known.name or name, known.kind or kind, known.vg or vg)
            if name and not known.name:
                self.address_names[hsa_id] = (name, where.path, where.line, where.col)

    def _address_spec(self, node: Node, what: str) -> str | None:
        """A bare HSA-id or ``{hsa_id, name, kind, vg}`` node: check, note the address, return the id."""
        if node.kind == "map":
            hsa = self._hsa(node.get("hsa_id"), what)
            if hsa is None:
                return None
            name_node, kind_node, vg_node = node.get("name"), node.get("kind"), node.get("vg")
            vg = self._hsa(vg_node, "vg")
            name = name_node.str_value() if name_node is not None else None
            kind = kind_node.str_value() if kind_node is not None else None
            self._note_address(hsa, name, kind if kind in ("VG", "VE") else None, vg, loc_of(node))
            return hsa
        hsa = self._hsa(node, what)
        if hsa is not None:
            self._note_address(hsa, None, None, None, loc_of(node))
        return hsa

    def _address_set(self, org: OrgInput, node: Node) -> tuple[str, ...]:
        ids: dict[str, None] = {}
        csv_node = node.get("csv")
        if csv_node is not None and csv_node.str_value() is not None:
            path = csv_node.value
            problem = csv_path_problem(path)
            if problem is not None:
                self.diags.error(csv_node, codes.BAD_CSV_PATH, problem)
                return ()
            parsed = org.csv_sets.get(path)
            if parsed is None:
                return ()
            fast = self._plain_csv_set(parsed)
            if fast is not None:
                return fast
            shown = parsed.path
            addresses = self.addresses
            for hsa_id, name, kind, vg_written, line, col_vg in parsed.rows:
                if match_hsa_id(hsa_id) is None:
                    problem = hsa_id_problem(hsa_id)
                    if problem is not None:
                        self.diags.error(Location(shown, line, 1), codes.BAD_HSA_ID, problem)
                        continue
                hsa = _intern(hsa_id.upper())
                vg = None
                if vg_written:
                    vg_problem = hsa_id_problem(vg_written)
                    if vg_problem is not None:
                        self.diags.error(Location(shown, line, col_vg), codes.BAD_HSA_ID, f"vg: {vg_problem}")
                    else:
                        vg = _intern(vg_written.upper())
                if hsa in ids:
                    self.diags.warning(
                        Location(shown, line, 1), codes.LISTED_TWICE, f"address {hsa} is listed twice in this set"
                    )
                    continue
                ids[hsa] = None
                known = addresses.get(hsa)
                if known is None or (name and name != known.name) or (kind and not known.kind) or (vg and not known.vg):
                    self._note_address(hsa, name, kind, vg, Location(shown, line, 1))
            return tuple(ids)
        for item in seq(node.get("addresses")):
            member = self._address_spec(item, "address")
            if member is None:
                continue
            if member in ids:
                self.diags.warning(item, codes.LISTED_TWICE, f"address {member} is listed twice in this set")
                continue
            ids[member] = None
        return tuple(ids)

    def _plain_csv_set(self, parsed: CsvSet) -> tuple[str, ...] | None:
        """The ids of a CSV set whose HSA-ids are all well formed and distinct and that names no care giver
        (``vg``), checked a column at a time; None for any other set (checked row by row, with diagnostics).

        Noting the addresses is what :meth:`_note_address` does row by row, in bulk where it can be: when every
        address is new, and when every one is known by these names already (and the set gives no kind), there
        is nothing to compare row by row. A name or kind, once known, never changes, so rows noted that way
        note nothing when they come again."""
        if not parsed.rows:
            return None
        written, names, kinds, vgs, lines, _cols = zip(*parsed.rows, strict=True)
        if any(vgs):
            return None
        joined = "\n".join(written)
        noted = self._noted_columns.get(joined)
        if noted is not None and noted[1] == names and noted[2] == kinds:
            return noted[0]
        if _HSA_COLUMN_RE.fullmatch(joined) is None:
            return None
        hsa_ids = list(map(_intern, joined.upper().split("\n")))
        unique = dict.fromkeys(hsa_ids)
        if len(unique) != len(hsa_ids) or len(hsa_ids) != len(written):  # listed twice, or a quoted line break
            return None
        ids = tuple(unique)
        addresses, shown = self.addresses, parsed.path
        present = list(map(addresses.__contains__, hsa_ids))
        if not any(present):
            addresses.update(zip(hsa_ids, map(Address, hsa_ids, names, kinds), strict=True))
            where = zip(names, repeat(shown), lines, repeat(1))
            self.address_names.update(compress(zip(hsa_ids, where, strict=True), names))
            self._noted_columns[joined] = (ids, names, kinds)
            return ids
        if all(present) and not any(kinds) and list(map(_name_of, map(addresses.__getitem__, hsa_ids))) == list(names):
            self._noted_columns[joined] = (ids, names, kinds)
            return ids
        for hsa, name, kind, line in zip(hsa_ids, names, kinds, lines, strict=True):
            known = addresses.get(hsa)
            if known is None or (name and name != known.name) or (kind and not known.kind):
                self._note_address(hsa, name, kind, None, Location(shown, line, 1))
        return ids
