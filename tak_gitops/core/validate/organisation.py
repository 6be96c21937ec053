"""Rules of ``organisation.yaml``: its systems (owned, enabled environments, described once) and its address
sets."""

from __future__ import annotations

from tak_gitops.core import codes
from tak_gitops.core.desired import Contact, System
from tak_gitops.core.desired_model import OrganisationFile
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import did_you_mean
from tak_gitops.core.validate.address_sets import AddressSetRules
from tak_gitops.core.validate.diagnostics import loc_of
from tak_gitops.core.validate.inputs import ORGANISATION_FILE, OrgInput, seq
from tak_gitops.core.validate.shape import check_shape


class OrganisationRules(AddressSetRules):
    """The rules of one organisation's ``organisation.yaml``."""

    def organisation(self, org: OrgInput) -> dict[str, tuple[str, ...]]:
        """Check organisation.yaml; register its systems and addresses; return its address sets (ids)."""
        root = org.organisation
        sets: dict[str, tuple[str, ...]] = {}
        if root is None or root.kind != "map":
            # Without a readable organisation.yaml, references to its systems and sets are not checked
            # (that would repeat one problem at every use).
            self._broken.add(org.key)
        if root is None:
            if not org.organisation_present:
                self.diags.error(
                    (org.folder, 0, 0),
                    codes.MISSING_ORGANISATION_FILE,
                    f"organisation folder {org.key!r} has no {ORGANISATION_FILE}",
                )
            return sets
        check_shape(root, OrganisationFile, self.diags)
        if root.kind != "map":
            return sets
        env_names = sorted(self.config.environments)
        org_name = self.registry.organisations[org.key].name if org.key in self.registry.organisations else org.key
        for item in seq(root.get("systems")):
            hsa_node = item.get("hsa_id")
            hsa = self._hsa(hsa_node, "system")
            if hsa is None or hsa_node is None:
                continue
            written = hsa_node.value
            self._owned(hsa, hsa_node, "system", org.key, " in ownership.yaml")
            name_node = item.get("name")
            name = (name_node.str_value() if name_node is not None else None) or ""
            self.system_spellings.append((written, name, hsa_node, org.key))
            envs: set[str] = set()
            for env_node in seq(item.get("environments")):
                env = env_node.str_value()
                if env is None:
                    continue
                if env not in self.config.environments:
                    self.diags.error(
                        env_node,
                        codes.UNKNOWN_ENVIRONMENT,
                        f"environment {env!r} is not configured in tak-gitops.yaml{did_you_mean(env, env_names)}",
                    )
                envs.add(env)
            if hsa in self.systems:
                first = self.system_nodes[hsa]
                if first.value == written:
                    self.diags.error(
                        hsa_node,
                        codes.DUPLICATE_SYSTEM,
                        f"system {written} is already described at {loc_of(first)}",
                    )
                continue
            description_node = item.get("description")
            description = description_node.str_value() if description_node is not None else None
            contacts = item.get("contacts")
            self.systems[hsa] = System(
                hsa_id=hsa,
                name=name,
                org=org.key,
                description=description or f"{org_name} -- {name}",
                environments=frozenset(envs),
                main_responsible=contact(contacts.get("main_responsible") if contacts else None),
                technical_contact=contact(contacts.get("technical") if contacts else None),
                support=contact(contacts.get("support") if contacts else None),
            )
            self.system_nodes[hsa] = hsa_node

        sets_node = root.get("address_sets")
        for set_name, _key_node, set_node in sets_node.items() if sets_node is not None else ():
            sets[set_name] = self._address_set(org, set_node)
        return sets


def contact(node: Node | None) -> Contact | None:
    """The contact described at ``node`` (None when there is none)."""
    if node is None or node.kind != "map":
        return None

    def text(key: str) -> str | None:
        value = node.get(key)
        return value.str_value() if value is not None else None

    return Contact(name=text("name"), email=text("email"), phone=text("phone"))
