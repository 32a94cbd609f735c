"""MiniWoB++ in the loop: `scribeagent bench miniwob` runs the product's own path on its tasks.

The task pages come from the installed `miniwob` package and are served on 127.0.0.1
(`server`); headless Chromium opens them, and the extension's content scripts, injected unchanged
into an isolated world, serialize each page and perform each step (`browser`); an agent chooses
the steps — the backend's pipeline in process, or the random floor (`agents`); `run` plays the
episodes and `report` prints and saves what they scored.
"""
