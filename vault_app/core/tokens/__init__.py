"""Token intelligence: recognise a pasted token offline and read what it carries.

Pure logic: no I/O, no network. ``detect`` never raises and runs in bounded time on any input.
"""

from vault_app.core.tokens.detection import Detection, detect

__all__ = ["Detection", "detect"]
