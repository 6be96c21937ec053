"""Runs `tak-gitops` in a subprocess for the kill tests.

The desired-state loader is not part of this package yet, so the one function that reads the desired files'
digest answers the digest given in TEST_DESIRED_DIGEST; everything else is the real command.
"""

from __future__ import annotations

import os
import sys

import tak_gitops.cli.apply as apply_module
from tak_gitops.cli import main

apply_module.current_desired_digest = lambda root, config, env: os.environ["TEST_DESIRED_DIGEST"]

if __name__ == "__main__":
    main(sys.argv[1:])
