#!/usr/bin/env bash
# Measure a fine-tune as it is served (llama.cpp, the base as F16 + the GGUF LoRA at run time):
# the MiniWoB++ development subset, held-out real pages and held-out synthetic families, each
# beside the untuned base and the first-candidate floor, with and without binding.
#
#   bash scripts/evaluate-default-model.sh        # the shipped adapter, data of runs/default
#
# Writes $OUT/miniwob (summary.json, episodes.jsonl, success.png) and $OUT/eval/{real,synth}
# (report.json, report.html, report.png); scripts/model_card.py reads them.
set -euo pipefail
cd "$(dirname "$0")/.."

ADAPTER=${ADAPTER:-models/scribeagent-smol.lora.gguf}
DATA=${DATA:-runs/default/data}
OUT=${OUT:-runs/default/measured}
BUDGET=${BUDGET:-500}
SYNTH_LIMIT=${SYNTH_LIMIT:-10}
SA=.venv/bin/scribeagent
F16=$(.venv/bin/python -c 'from backend.model.default_model import served_default_model as s; print(s())')
mkdir -p "$OUT"

# Two lanes, one thread each: the 2-core machines here run two single-thread jobs side by side.
$SA bench miniwob --episodes 10 --seed 0 --threads 1 --lora "$ADAPTER" --no-floor --json \
    --report "$OUT/miniwob" > "$OUT/miniwob.json" 2> "$OUT/miniwob.log" &
lane=$!
$SA eval "$DATA/ground_heldout.jsonl" --model "$F16" --adapter "$ADAPTER" --base "$F16" --compare-binding \
    --budget "$BUDGET" --threads 1 --out "$OUT/eval/real"
$SA eval "$DATA/synth_heldout.jsonl" --limit "$SYNTH_LIMIT" --model "$F16" --adapter "$ADAPTER" --base "$F16" \
    --compare-binding --budget "$BUDGET" --threads 1 --out "$OUT/eval/synth"
wait "$lane"
echo "measured: $OUT"
