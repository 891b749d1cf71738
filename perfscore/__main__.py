"""``python -m perfscore`` runs the command line."""

from .cli import main

main()
