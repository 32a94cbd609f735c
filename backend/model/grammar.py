"""A llama.cpp GBNF grammar per page, so every answer parses and names a node that exists.

The grammar covers the answer after its number line (the number is part of the prompt, see
`backend.pipeline`) up to and including the node id's newline, in two parts: `head_grammar`
through the `Node:` label, then `node_grammar` over the nodes the description may point at
(`backend.binding`). The `Target:` line is not
generated: it is fully determined by the node, so the pipeline appends the node's opening tag
itself instead of spending one decode step per forced token. Typing is only offered on nodes that
can take text; key presses and clicks on any candidate.

Between the model's choices the head grammar dictates text ("Action:", the rest of
`mouse_click_action` once it wrote `mouse`, "Node:"): `head_forced` says what, so the engine can
evaluate those tokens in one batch instead of one decode step each (`backend.model.engine`).
Every grammar here ends in a fixed literal, so an answer is complete the moment its grammar may
end, and the engine stops there without decoding further.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence

from backend.constants import KEY_NAMES, MODEL_ACTION_NAMES, ActionKind
from backend.format import ACTION, DESCRIPTION, NODE, TEXT

#: Longest description the model may write, in characters (a sentence, never a paragraph).
MAX_DESCRIPTION_CHARS = 120
#: Longest text a `type` step may carry, in JSON characters (an escape counts as one).
MAX_TYPED_CHARS = 120
#: How the training data's typing steps begin ("Type 'x' into 'y'", 'Enter "x" in the "y" field',
#: "Write 'x' in 'y'", "Fill 'y' with 'x'": training/synth/generate.py, training/grounding.py).
TYPING_VERBS = ("Type", "Enter", "Write", "Fill")
#: How the training data's clicks on a named element begin ("Click 'Sports'").
CLICK_VERB = "Click"
#: Tokens that always suffice for a whole answer under this grammar (one token per character in
#: the worst case, two per escape, plus the fixed labels), so generation never stops mid-answer.
MAX_ANSWER_TOKENS = MAX_DESCRIPTION_CHARS + 2 * MAX_TYPED_CHARS + 40

_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)")
_ATTR = re.compile(r"""\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

#: input types that take typed text (others are clicked: checkbox, radio, button, file...).
_TEXT_INPUT_TYPES = frozenset(
    {"", "text", "search", "email", "url", "tel", "password", "number", "date", "datetime-local",
     "month", "week", "time"}
)
_TEXT_ROLES = frozenset({"textbox", "searchbox", "combobox", "spinbutton"})


def takes_text(opening_tag: str) -> bool:
    """True if the element in `opening_tag` accepts typed text (input, textarea, editable...).

    A `<select>` counts: choosing an option is typing its text into it, as the recorder records
    it and `extension/content/actions.js` performs it."""
    name, attrs = _parsed_tag(opening_tag)
    if name in ("textarea", "select"):
        return True
    if name == "input":
        return attrs.get("type", "").lower() in _TEXT_INPUT_TYPES
    if attrs.get("role", "").lower() in _TEXT_ROLES:
        return True
    return _editable(attrs)


def takes_sentences(opening_tag: str) -> bool:
    """True for a field made for free text: a textarea or an editable element (a comment box, a
    message body), where a value may hold commas and full stops (`backend.typed_value`)."""
    name, attrs = _parsed_tag(opening_tag)
    return name == "textarea" or (name not in ("input", "select") and _editable(attrs))


def _parsed_tag(opening_tag: str) -> tuple[str, dict[str, str]]:
    """The tag name (lower case, '' when `opening_tag` is none) and its attributes."""
    m = _TAG.match(opening_tag)
    if not m:
        return "", {}
    return m.group(1).lower(), {a.lower(): (v1 if v1 is not None else v2 if v2 is not None else v3 or "")
                                for a, v1, v2, v3 in _ATTR.findall(opening_tag)}


def _editable(attrs: dict[str, str]) -> bool:
    return attrs.get("contenteditable", "false").lower() in ("", "true", "plaintext-only")


def _literal(text: str) -> str:
    """A GBNF string literal for `text`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _alternatives(options: list[str]) -> str:
    return " | ".join(_literal(o) for o in options)


def build_grammar(targets: Mapping[str, str]) -> str:
    """GBNF for one whole answer on a page whose candidates are `targets` (node id -> opening tag).

    The language `head_grammar` followed by `node_grammar` of all allowed nodes generates: the
    reference that two-part decoding is checked against. Raises ValueError when there is no
    candidate: there is nothing the answer could point at.
    """
    return _answer_grammar(targets, with_node=True)


def head_grammar(targets: Mapping[str, str], actions: Collection[ActionKind] | None = None) -> str:
    """GBNF for the answer up to and including the `Node:` label; `node_grammar` continues it.

    Splitting there lets the pipeline bind the written description to the candidates it names
    (`backend.binding`) before the node id is chosen. Same language as `build_grammar` once the
    two are joined. `actions` narrows the kinds of step offered (default: `offered_actions`); a
    head for typing alone also makes the description start as the training data's typing steps
    do (`TYPING_VERBS`): told only that it must type, the model still has to say what and where.
    """
    return _answer_grammar(targets, with_node=False, actions=actions)


def named_head_grammar(targets: Mapping[str, str], names: Mapping[str, str]) -> str:
    """GBNF for a head whose description names a candidate exactly as the page names it:
    "Click '<name>'" on any named candidate, or "Type '<text>' into '<name>'" on a named field.

    For an answer that quoted an element the page does not have (`backend.binding.names_missing`):
    a small model asked to "book 18 November at 5:30 PM" may write "Click 'Confirm booking'" on
    the screen before that button exists. Asked again with only the page's own names to quote, it
    chooses among what is there by its own probabilities, token by token; the node is then bound
    to the name as usual. Same language shape as `head_grammar` (the description fixes the kind
    of step), so the rest of decoding is unchanged. Raises ValueError when no candidate is named.
    """
    quotable = quotable_names(names, targets)
    if not quotable:
        raise ValueError("no candidate has a name to quote")
    fields = quotable_names(names, {node: targets[node] for node in text_nodes(targets)})
    quote = _literal("'")
    click = _literal(f"\n{ACTION}{MODEL_ACTION_NAMES[ActionKind.CLICK]}\n{NODE.rstrip()}")
    clicking, typing_verb = _literal(f"{CLICK_VERB} '"), _literal(f"{TYPING_VERBS[0]} '")
    branches = [f"{clicking} cname {quote} {click}"]
    rules = [f"cname ::= {_alternatives(quotable)}"]
    if fields:
        typing = _literal(f"\n{ACTION}{MODEL_ACTION_NAMES[ActionKind.TYPE]}\n{TEXT}")
        into = _literal("' into '")
        branches.append(f"{typing_verb} [^'\\n]{{1,{MAX_TYPED_CHARS}}} {into} tname "
                        f"{quote} {typing} typed {_literal(chr(10) + NODE.rstrip())}")
        rules += [f"tname ::= {_alternatives(fields)}", *_TYPED_RULES]
    return "\n".join([f"root ::= {_literal(DESCRIPTION)} ({' | '.join(branches)})", *rules]) + "\n"


#: A typed value's JSON string, as every grammar here spells it.
_TYPED_RULES = [f'typed ::= "\\"" tchar{{0,{MAX_TYPED_CHARS}}} "\\""', 'tchar ::= [^"\\\\\\x00-\\x1f] | "\\\\" ["\\\\/nt]']
#: Longest name a retried description may quote, in characters (it must fit in a description).
_MAX_QUOTED_NAME = MAX_DESCRIPTION_CHARS - 40


def quotable_names(names: Mapping[str, str], targets: Mapping[str, str]) -> list[str]:
    """The distinct names of `targets` a description can quote (`named_head_grammar`): one line,
    short, no quote mark that would end the quotation early."""
    found: dict[str, None] = {}
    for node in targets:
        name = " ".join(names.get(node, "").split())
        if name and len(name) <= _MAX_QUOTED_NAME and "'" not in name:
            found[name] = None
    return list(found)


def offered_actions(targets: Mapping[str, str]) -> tuple[ActionKind, ...]:
    """The kinds of step `head_grammar` offers on a page: typing only where a candidate takes text."""
    typable = bool(text_nodes(targets))
    return (ActionKind.CLICK, *((ActionKind.TYPE,) if typable else ()), ActionKind.KEY)


def node_grammar(nodes: Sequence[str]) -> str:
    """GBNF for what follows the `Node:` label: a space, one of `nodes`, the newline."""
    if not nodes:
        raise ValueError("no candidate nodes to point at")
    return f'root ::= " " ({_alternatives([f"{node}{chr(10)}" for node in nodes])})\n'


def text_nodes(targets: Mapping[str, str]) -> list[str]:
    """The candidates a `type` step may point at."""
    return [node for node, tag in targets.items() if takes_text(tag)]


def head_forced(written: str, *, actions: Collection[ActionKind]) -> str:
    """The text `head_grammar` dictates right after `written` (the answer so far, after its number
    line), up to the model's next choice; '' when the model chooses now.

    It stops before a trailing space: the model writes that space as part of the next word's token
    (" Click", " mouse"), so forcing it alone would feed the model a tokenization it never saw.
    `actions`: the kinds of step the grammar offers (`offered_actions`, or fewer).
    """
    kinds = [kind for kind in (ActionKind.CLICK, ActionKind.TYPE, ActionKind.KEY) if kind in actions]
    if not written.startswith(DESCRIPTION):
        return _rest_of([DESCRIPTION], written)
    description_end = written.find("\n", len(DESCRIPTION))
    if description_end < 0:
        return ""  # the description is the model's, and so is where it ends
    after = written[description_end:]
    heads = {kind: f"\n{ACTION}{MODEL_ACTION_NAMES[kind]}\n" + (NODE if kind is ActionKind.CLICK else TEXT).rstrip()
             for kind in kinds}
    chosen = [kind for kind, head in heads.items() if after.startswith(head)]
    if not chosen:
        return _rest_of(list(heads.values()), after)
    kind = chosen[0]
    value = after[len(heads[kind]):]
    if kind is ActionKind.CLICK:
        return ""  # the head is complete
    end = "\n" + NODE.rstrip()
    if kind is ActionKind.KEY:
        return _rest_of([f" {json.dumps(k)}{end}" for k in KEY_NAMES], value)
    closed = _TYPED.match(value)
    return _rest_of([end], value[closed.end():]) if closed else ""


#: A complete typed value as the grammar spells it (` "…"`, JSON escapes inside).
_TYPED = re.compile(r' "(?:[^"\\\x00-\x1f]|\\["\\/nt])*"')


def _rest_of(options: Sequence[str], written: str) -> str:
    """What every option that `written` is the start of still has in common, trailing space cut
    (see `head_forced`); '' when `written` already completes or leaves all of them."""
    rests = [o[len(written):] for o in options if o.startswith(written) and len(o) > len(written)]
    if not rests:
        return ""
    common = rests[0]
    for rest in rests[1:]:
        while not rest.startswith(common):
            common = common[:-1]
    return common.rstrip(" ")


def _answer_grammar(targets: Mapping[str, str], *, with_node: bool,
                    actions: Collection[ActionKind] | None = None) -> str:
    if not targets:
        raise ValueError("no candidate nodes to point at")
    offered = [kind for kind in offered_actions(targets) if actions is None or kind in actions]
    if not offered:
        raise ValueError(f"the page offers none of the actions {sorted(a.value for a in actions or ())}")
    label = NODE if with_node else NODE.rstrip()
    node, textnode = (" node", " textnode") if with_node else ("", "")
    choices = {
        ActionKind.CLICK: f"{_literal(MODEL_ACTION_NAMES[ActionKind.CLICK] + chr(10) + label)}{node}",
        ActionKind.TYPE: f"{_literal(MODEL_ACTION_NAMES[ActionKind.TYPE] + chr(10) + TEXT)} typed "
                         f"{_literal(chr(10) + label)}{textnode}",
        ActionKind.KEY: f"{_literal(MODEL_ACTION_NAMES[ActionKind.KEY] + chr(10) + TEXT)} key "
                        f"{_literal(chr(10) + label)}{node}",
    }
    if offered == [ActionKind.TYPE]:
        verbs = _alternatives([f"{verb} " for verb in TYPING_VERBS])
        desc = f"desc ::= ({verbs}) [^\\n]{{1,{MAX_DESCRIPTION_CHARS - max(map(len, TYPING_VERBS)) - 1}}}"
    else:
        desc = f"desc ::= [^\\n]{{1,{MAX_DESCRIPTION_CHARS}}}"
    rules = [
        f"root ::= {_literal(DESCRIPTION)} desc {_literal(chr(10) + ACTION)} action",
        "action ::= " + " | ".join(choices[kind] for kind in offered),
        desc,
    ]
    if ActionKind.KEY in offered:
        rules.append(f"key ::= {_alternatives([json.dumps(k) for k in KEY_NAMES])}")
    if with_node:
        rules.append(f"node ::= {_alternatives([f'{n}{chr(10)}' for n in targets])}")
    if ActionKind.TYPE in offered:
        if with_node:
            rules.append(f"textnode ::= {_alternatives([f'{n}{chr(10)}' for n in text_nodes(targets)])}")
        rules += _TYPED_RULES
    return "\n".join(rules) + "\n"
