"""Where Debian's Chromium lives and how it runs here: one definition for every harness.

Headless, as root, on a machine with no network and no GPU: without the background-networking
flags Chromium keeps trying (and failing) to reach Google's hosts.
"""

from __future__ import annotations

CHROMIUM = "/usr/lib/chromium/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]
