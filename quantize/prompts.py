"""Real prompts for parity checks: pruned real-world pages in the shared prompt format.

Parity measured on "Hello world" says little about a model that will read 500 tokens of pruned
HTML; these prompts are what the server sends, built by the same functions (`backend.format`,
`backend.dom.prune`) from the saved pages in `../shared/pages`.
"""

from __future__ import annotations

from pathlib import Path

from backend.errors import DataError
from backend.format import build_messages

#: Default page corpus, relative to the repository root (see `../shared/pages/README.md`).
DEFAULT_PAGES_DIR = Path(__file__).resolve().parents[2] / "shared" / "pages"

#: Objectives rotated over the pages; generic tasks any news/portal page could serve.
_OBJECTIVES = (
    "Open the search and look for today's weather",
    "Sign in to my account",
    "Read the main article on this page",
    "Go to the contact page",
    "Subscribe to the newsletter",
    "Open the 'About us' section",
    "Share this page by email",
    "Go back to the home page",
)


def page_files(pages_dir: Path = DEFAULT_PAGES_DIR) -> list[Path]:
    """The corpus pages in a stable order."""
    files = sorted(pages_dir.glob("*.html"))
    if not files:
        raise DataError(f"no .html pages in {pages_dir}; pass --pages DIR")
    return files


def parity_messages(n: int, *, budget: int, pages_dir: Path = DEFAULT_PAGES_DIR) -> list[list[dict[str, str]]]:
    """`n` chat conversations (system + user) over the first `n` pages, pruned to `budget` tokens."""
    from backend.dom import prune

    files = page_files(pages_dir)
    if n > len(files):
        raise DataError(f"asked for {n} prompts but {pages_dir} has only {len(files)} pages")
    conversations = []
    for i, page in enumerate(files[:n]):
        html = page.read_bytes().decode("utf-8", errors="replace")
        objective = _OBJECTIVES[i % len(_OBJECTIVES)]
        observation = prune(html, budget=budget, objective=objective).html
        conversations.append(build_messages(objective, f"https://{page.stem}.example/", observation))
    return conversations


def render_prompt(tokenizer, messages: list[dict[str, str]]) -> str:
    """The prompt text exactly as the model's chat template renders it for generation."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
