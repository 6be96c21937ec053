"""The reference TAK over HTTP: :mod:`.routes` (routing and the server), :mod:`.takweb` and :mod:`.coop`
(the handlers), :mod:`.plumbing`, :mod:`.state` and :mod:`.faults` (what they share)."""

from tak_gitops.sim.server.faults import FaultPlan, FaultRule
from tak_gitops.sim.server.plumbing import SESSION_COOKIE
from tak_gitops.sim.server.routes import SimServer
from tak_gitops.sim.server.state import ReceivedOrder, SimConfig, SimState

__all__ = ["SESSION_COOKIE", "FaultPlan", "FaultRule", "ReceivedOrder", "SimConfig", "SimServer", "SimState"]
