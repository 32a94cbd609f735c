"""`scribeagent serve | prune | suggest | token`: the backend's commands.

`prune` and `suggest` run the same pipeline as the server, in-process, for people without the
extension and for scripting.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.config import help_for
from backend.errors import ScribeAgentError
from backend.model.model_files import check_gguf
from backend.model.served_format import MODEL_FORMATS

if TYPE_CHECKING:
    from backend.config import Settings


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = sub.add_parser("serve", help="run the local backend for the extension")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765)
    _model_flags(serve)
    serve.add_argument("--scripted", type=Path, help="deterministic rules file instead of a model (tests, demos)")
    serve.add_argument("--models-dir", type=Path, default=None, help=help_for("models_dir"))
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    p = sub.add_parser("prune", help="print a page pruned the way the model sees it")
    p.add_argument("page", type=Path, help="HTML file")
    p.add_argument("--budget", type=int, default=None, help=help_for("budget"))
    p.add_argument("--objective", default=None, help="steer which elements survive a tight budget")
    p.add_argument("--json", action="store_true", help="print html, candidates, tokens, dropped as JSON")
    p.set_defaults(func=cmd_prune)

    s = sub.add_parser("suggest", help="suggest the next step for a page, streaming the answer")
    s.add_argument("--objective", required=True)
    s.add_argument("--html", type=Path, required=True, help="HTML file of the page")
    s.add_argument("--url", default="")
    s.add_argument("--history", type=Path, help="JSON list of previous steps")
    _model_flags(s)
    s.add_argument("--json", action="store_true", help="print the step object instead of the stream")
    s.set_defaults(func=cmd_suggest)

    t = sub.add_parser("token", help="print the pairing token for the extension (created on first use)")
    t.set_defaults(func=cmd_token)


def _model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, help="GGUF model (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--lora", type=Path, help="GGUF LoRA adapter to apply")
    p.add_argument("--lora-scale", type=float, default=1.0)
    p.add_argument("--adapter", action=argparse.BooleanOptionalAction, default=None,
                   help="apply the shipped fine-tune to the embedded model (default); --no-adapter serves the bare base")
    p.add_argument("--merge-adapter", action=argparse.BooleanOptionalAction, default=None, help=help_for("merge_adapter"))
    p.add_argument("--model-format", choices=MODEL_FORMATS, default=None, help=help_for("model_format"))
    p.add_argument("--n-ctx", type=int, default=None, help=help_for("n_ctx"))
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")
    p.add_argument("--gpu-layers", type=int, default=0, help="layers to offload with a CUDA/Metal build (-1 = all)")
    p.add_argument("--budget", type=int, default=None, dest="page_budget", help=help_for("budget"))
    p.add_argument("--small-budget", type=int, default=None, help=help_for("small_budget"))


def _settings(args: argparse.Namespace, **extra: Any) -> "Settings":
    """Settings from env vars overridden by the flags given; model files checked before any load."""
    from backend.config import Settings

    values: dict[str, Any] = {
        "model": args.model, "lora": args.lora, "lora_scale": args.lora_scale, "adapter": args.adapter,
        "merge_adapter": args.merge_adapter, "model_format": args.model_format, "n_ctx": args.n_ctx,
        "n_threads": args.threads, "gpu_layers": args.gpu_layers, "budget": args.page_budget,
        "small_budget": args.small_budget, **extra,
    }
    settings = Settings(**{k: v for k, v in values.items() if v is not None})
    if settings.model:
        check_gguf(settings.model)
    if settings.lora:
        check_gguf(settings.lora, what="LoRA adapter")
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backend.serve.server import create_app

    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        raise ScribeAgentError(f"refusing to bind {args.host}: the backend only serves this machine (use 127.0.0.1)")
    settings = _settings(args, host=args.host, port=args.port, scripted=args.scripted, models_dir=args.models_dir)
    if settings.scripted and not settings.scripted.is_file():
        raise ScribeAgentError(f"scripted rules file not found: {settings.scripted}")
    app = create_app(settings)
    print(f"ScribeAgent backend on http://{args.host}:{args.port} (pair the extension with `scribeagent token`)",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                ws_max_size=4 * settings.max_message_bytes, h11_max_incomplete_event_size=64 * 1024)
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from backend.dom import prune

    page = prune(_read(args.page), budget=args.budget, objective=args.objective)
    if args.json:
        print(json.dumps({"html": page.html, "candidates": page.candidates, "tokens": page.tokens,
                          "dropped": page.dropped}, ensure_ascii=False))
    else:
        print(page.html)
        print(f"-- {page.tokens} tokens, {len(page.candidates)} candidates, {page.dropped} left out by the budget",
              file=sys.stderr)
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from backend.serve.suggester_loader import load_suggester

    settings = _settings(args)
    history = json.loads(args.history.read_text(encoding="utf-8")) if args.history else []
    suggester = load_suggester(settings)

    def echo(text: str) -> None:
        if not args.json:
            sys.stdout.write(text)
            sys.stdout.flush()

    def restart() -> None:
        if not args.json:
            sys.stdout.write("\n(withdrawn: that click would send the form before the objective's values are in it)\n")

    result = suggester.suggest(objective=args.objective, url=args.url, html=_read(args.html), history=history,
                               on_token=echo, on_restart=restart)
    if args.json:
        print(json.dumps({"type": "step", **result.to_message()}, ensure_ascii=False))
    else:
        print(f"\n-- confidence {result.confidence:.2f}, {result.timings.prompt_tokens} prompt tokens, "
              f"first token {result.timings.ttft_ms:.0f} ms, total {result.timings.total_ms:.0f} ms", file=sys.stderr)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from backend.config import Settings
    from backend.serve.security import load_or_create_token

    print(load_or_create_token(Settings().config_dir))
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScribeAgentError(f"cannot read {path}: {exc.strerror}") from exc
