"""ScribeAgent backend: page → pruned HTML → prompt → llama.cpp → next step."""

__version__ = "0.1.0"
