"""``python -m kg.cli``: the same as the ``kg`` command."""

from kg.cli.entry import main

main()
