"""Subcommands of the ``shanchuan`` CLI, one module each (``add_parser(sub)``, ``run(args)``)."""
