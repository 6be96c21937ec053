"""Renderings of a plan document: text, markdown (pull-request comments) and GitHub annotations.

``plans`` holds the three renderers, ``env`` the jinja2 environment and the filters that put names beside ids.
"""

from tak_gitops.adapters.render.plans import Footer, color_wanted, render_github, render_markdown, render_text
from tak_gitops.core.review import short_contract

__all__ = ["Footer", "color_wanted", "render_github", "render_markdown", "render_text", "short_contract"]
