"""Vault App: a desktop vault for developers' API tokens."""

__version__ = "0.1.0"
