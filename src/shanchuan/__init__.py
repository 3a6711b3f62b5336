"""shanchuan application layer: scenarios, CLI, archives, exports."""

__version__ = "0.1.0"
