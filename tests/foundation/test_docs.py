"""docs/desired-format.md stays true: its examples parse and fit the models, and it lists every code."""

from __future__ import annotations

import re

from pydantic import BaseModel

from tak_gitops.adapters.yaml_loader import load_yaml_text
from tak_gitops.core.codes import CODES
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired_model import EnvironmentFile, OrganisationFile
from tak_gitops.core.validate import Diagnostics, check_shape
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "desired-format.md").read_text(encoding="utf-8")


def test_examples_parse_and_fit_the_models() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)
    models: list[type[BaseModel]] = [ProjectConfig, OwnershipRegistry, OrganisationFile, EnvironmentFile]
    assert len(blocks) == len(models)
    for block, model in zip(blocks, models, strict=True):
        root, problems = load_yaml_text(block, "doc.yaml")
        assert problems == []
        assert root is not None
        diags = Diagnostics()
        assert check_shape(root, model, diags) is not None, [str(d) for d in diags.items]


def test_every_code_is_listed() -> None:
    for code, meaning in CODES.items():
        assert f"| {code} | {meaning} |" in DOC
