"""The subcommands of ``tools/benchmark.py``, one module per head (registry in ``common``)."""
