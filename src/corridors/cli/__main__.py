"""``python -m corridors.cli``: the command line."""

from corridors.cli import main

main()
