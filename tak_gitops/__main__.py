"""`python -m tak_gitops` runs the command line."""

from tak_gitops.cli import main

main()
