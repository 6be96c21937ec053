"""tak-gitops: GitOps for the TAK, the routing and authorization catalogue of the Swedish service platforms."""

__version__ = "0.1.0"
__all__ = ["__version__"]
