"""Pull-request comments as a product: markdown splitting, sticky-comment planning and plan labels.

Everything here is pure. The GitHub client (``adapters/github.py``) lists and writes comments; this package
decides what the comments say (``split``, ``packer``, ``blocks``), which existing comment each part goes to
(``sticky``), which labels the pull request carries (``labels``) and the created-orders comment
(``orders_comment``).
"""

from tak_gitops.core.comment.labels import (
    LABEL_CASCADE,
    LABEL_NO_CHANGES,
    LABEL_REFUSED,
    LABEL_REMOVALS,
    MANAGED_LABELS,
    env_labels_from_comments,
    label_changes,
    labels_for_plan,
    pull_request_labels,
)
from tak_gitops.core.comment.orders_comment import record_id, render_orders_comment
from tak_gitops.core.comment.packer import Budget, SplitError
from tak_gitops.core.comment.split import (
    DEFAULT_BYTE_LIMIT,
    DEFAULT_LIMIT,
    GITHUB_MAX_BODY,
    part_header,
    split_markdown,
)
from tak_gitops.core.comment.sticky import (
    MAX_PARTS,
    ExistingComment,
    StickyMarker,
    StickyPlan,
    TooManyParts,
    parse_marker,
    plan_sticky,
    sticky_parts,
    too_long_notice,
)

__all__ = [
    "DEFAULT_BYTE_LIMIT",
    "DEFAULT_LIMIT",
    "GITHUB_MAX_BODY",
    "LABEL_CASCADE",
    "LABEL_NO_CHANGES",
    "LABEL_REFUSED",
    "LABEL_REMOVALS",
    "MANAGED_LABELS",
    "MAX_PARTS",
    "Budget",
    "ExistingComment",
    "SplitError",
    "StickyMarker",
    "StickyPlan",
    "TooManyParts",
    "env_labels_from_comments",
    "label_changes",
    "labels_for_plan",
    "parse_marker",
    "part_header",
    "plan_sticky",
    "pull_request_labels",
    "record_id",
    "render_orders_comment",
    "split_markdown",
    "sticky_parts",
    "too_long_notice",
]
