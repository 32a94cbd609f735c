"""The extension's fixed Chrome id, so the backend can allow exactly our origin by default.

Chrome derives an unpacked extension's id from the `key` in its manifest: the first 32 hex digits
of sha256(DER public key), each digit 0-f written as a letter a-p. Keeping the id as a literal here
(instead of reading the manifest at import) keeps the server independent of the extension folder
being installed; `tests/test_extension_id.py` recomputes it from the manifest so the two cannot
drift apart.
"""

from __future__ import annotations

import base64
import hashlib

#: Id of the extension whose public key is `extension/manifest.json`'s `key`.
EXTENSION_ID = "lhfddpploikbdmkklojfggieaekobppb"


def extension_id_from_key(key_b64: str) -> str:
    """Chrome's id for a manifest `key` (base64 DER SubjectPublicKeyInfo)."""
    der = base64.b64decode(key_b64, validate=True)
    digest = hashlib.sha256(der).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)
