"""The reference TAK's TAK-api v2: the model of a published version, its endpoints by resource family.

:mod:`.api` dispatches (and documents what the real API does), :mod:`.build` and :mod:`.model` hold the data,
:mod:`.components`, :mod:`.catalogue` and :mod:`.relations` the endpoints, :mod:`.render` and :mod:`.wire` the JSON.
"""

from tak_gitops.sim.takapi.api import ENDPOINTS, V1_GONE, V1_PREFIX, V2_PREFIX, TakApi
from tak_gitops.sim.takapi.build import build_model, parse_stamp
from tak_gitops.sim.takapi.model import Model
from tak_gitops.sim.takapi.query import ApiError
from tak_gitops.sim.takapi.wire import non_empty, obfuscate

__all__ = [
    "ENDPOINTS",
    "V1_GONE",
    "V1_PREFIX",
    "V2_PREFIX",
    "ApiError",
    "Model",
    "TakApi",
    "build_model",
    "non_empty",
    "obfuscate",
    "parse_stamp",
]
