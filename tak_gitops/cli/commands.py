"""Imports every command module so that each registers its commands on the `cli` group.

One line per module, sorted, so that adding a command touches one line.
"""

from __future__ import annotations

import tak_gitops.cli.apply
import tak_gitops.cli.codeowners
import tak_gitops.cli.comment
import tak_gitops.cli.fetch
import tak_gitops.cli.import_
import tak_gitops.cli.init
import tak_gitops.cli.orders
import tak_gitops.cli.plan
import tak_gitops.cli.schema
import tak_gitops.cli.show
import tak_gitops.cli.sim
import tak_gitops.cli.site
import tak_gitops.cli.trace
import tak_gitops.cli.validate  # noqa: F401
