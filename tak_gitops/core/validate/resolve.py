"""Resolution of the validated folders into the :class:`~tak_gitops.core.desired.DesiredState`."""

from __future__ import annotations

from tak_gitops.core.desired import DesiredState, EnvironmentState, Grant, Organisation
from tak_gitops.core.validate.cross_file import CrossFileRules


class _Validator(CrossFileRules):
    """Every rule family over one set of folders, and the desired state they resolve to."""

    def state(self) -> DesiredState:
        organisations = {
            key: Organisation(key=key, name=o.name, number=o.number, team=o.team)
            for key, o in sorted(self.registry.organisations.items())
        }
        environments = {
            name: EnvironmentState(
                env=name,
                routings=b.routings,
                routing_orgs=b.routing_orgs,
                authorization_orgs=b.authorization_orgs,
                grants=tuple(sorted(b.grants, key=_grant_key)),
                orgs=dict(sorted(b.orgs.items())),
                locations=b.locations,
            )
            for name, b in self.envs.items()
        }
        return DesiredState(
            organisations=organisations,
            owners=dict(sorted(self.owners.items())),
            systems=dict(sorted(self.systems.items())),
            addresses=dict(sorted(self.addresses.items())),
            environments=environments,
        )


def _grant_key(g: Grant) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]:
    return (g.org, g.producer, g.contract, tuple(sorted(g.consumers)), tuple(sorted(g.addresses)), g.manage)
