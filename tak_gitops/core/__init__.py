"""The pure core of tak-gitops: natural-key model, desired state, planner, orders and ledger rules.

Nothing in this package does I/O or imports httpx, click, jinja2 or ruamel.yaml; an import-linter contract
in ``pyproject.toml`` enforces it. Text and values go in, values come out.
"""
