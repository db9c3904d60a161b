"""``python -m steps`` is the ``autotune`` command (for environments without the script)."""

from steps.cli import main

main()
