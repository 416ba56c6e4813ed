"""``python -m sume_async.cli``: the ``sume-async`` console script."""

from ._main import main

main(prog_name="sume-async")
