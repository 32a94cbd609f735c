#!/usr/bin/env bash
# Reproduce the shipped fine-tune (models/scribeagent-smol.lora.gguf) on a CPU, end to end:
# synthetic workflows and real-page grounding, both serialized by the extension's own serializer
# in headless Chromium, examples at small page budgets, LoRA on the embedded SmolLM2-135M, export.
#
#   bash scripts/train-default-model.sh            # OUT=runs/default; each finished stage is kept
#   RESUME=1 bash scripts/train-default-model.sh   # continue an interrupted training run
#   INIT=models/scribeagent-smol.lora.gguf OUT=runs/next SEED=1 bash scripts/train-default-model.sh   # warm start
#     (INIT: the committed GGUF adapter, imported back to peft, or any peft adapter directory)
#
# The shipped adapter is four legs (models/README.md has each leg's command):
#   bash scripts/train-default-model.sh
#   OUT=runs/leg2 SEED=1 WORKFLOWS=375 INIT=runs/default/lora/adapter MAX_STEPS=40 STOP_AFTER=40 \
#       LR=2e-4 WARMUP=0 EVAL_FRACTION=0 bash scripts/train-default-model.sh
#   then two drill legs (FAMILIES=…, MIX_WORKFLOWS=…), warm-started from the leg before.
#
# Needs `make test`'s environment (.venv with the train extras, Debian Chromium) and ../shared/pages.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-runs/default}
PAGES=${PAGES:-../shared/pages}
WORKFLOWS=${WORKFLOWS:-500}
SEED=${SEED:-0}          # synthetic workflows and training order
# A drill leg draws its synthetic workflows from some training families only (no held-out share)
# and adds MIX_WORKFLOWS from all of them, so the skills already learned keep being seen.
FAMILIES=${FAMILIES:-}
MIX_WORKFLOWS=${MIX_WORKFLOWS:-0}
MIX_SEED=${MIX_SEED:-$((SEED + 1))}
LR=${LR:-4e-4}
WARMUP=${WARMUP:-8}
EVAL_FRACTION=${EVAL_FRACTION:-0.02}
MAX_STEPS=${MAX_STEPS:-200}
# The shipped adapter is the first STOP_AFTER steps of the MAX_STEPS schedule (one CPU session);
# a later session continues it to MAX_STEPS with RESUME=1 STOP_AFTER=200 (or warm-starts new data with INIT).
STOP_AFTER=${STOP_AFTER:-90}
# One torch thread: on this workplace's 2-core machines two threads trained 3-4x slower than one
# (35 vs 135 tokens/s, bf16) as soon as anything else ran; see bench/bench_train.py.
THREADS=${THREADS:-1}
SA=.venv/bin/scribeagent
BASE=$(.venv/bin/python -c 'from backend.model.model_files import bundled_model_path as b; print(b())')
D=$OUT/data
mkdir -p "$D"

stage() {  # stage OUTPUT COMMAND...: run COMMAND unless OUTPUT exists (outputs are written atomically)
    local out=$1; shift
    if [ -e "$out" ]; then echo "kept $out"; else "$@"; fi
}

stage "$D/synth/train.jsonl" $SA data synth --out "$D/synth" --workflows "$WORKFLOWS" --seed "$SEED" \
    ${FAMILIES:+--families "$FAMILIES" --heldout-fraction 0}
stage "$D/synth_train.jsonl" $SA data render "$D/synth/train.jsonl" --out "$D/synth_train.jsonl"
MIX=()
if [ "$MIX_WORKFLOWS" -gt 0 ]; then
    stage "$D/mix/train.jsonl" $SA data synth --out "$D/mix" --workflows "$MIX_WORKFLOWS" --seed "$MIX_SEED" --heldout-fraction 0
    stage "$D/mix_train.jsonl" $SA data render "$D/mix/train.jsonl" --out "$D/mix_train.jsonl"
    MIX=("$D/mix_train.jsonl")
fi
stage "$D/pages" $SA data render "$PAGES" --out "$D/pages"
stage "$D/ground_train.jsonl" $SA data ground "$D/pages" --split train --per-page 24 --seed 0 --out "$D/ground_train.jsonl"
stage "$D/train" $SA data build "$D/synth_train.jsonl" "${MIX[@]}" "$D/ground_train.jsonl" --out "$D/train" \
    --max-tokens 2048 --budget 300,300,500,800,1500 --num-proc 2

$SA train --model "$BASE" --data "$D/train" --output-dir "$OUT/lora" \
    --lora-r 16 --lora-alpha 32 --lora-dropout 0.05 --learning-rate "$LR" --warmup "$WARMUP" --seed "$SEED" \
    --batch-size 1 --grad-accum 4 --max-steps "$MAX_STEPS" --max-length 2048 \
    --bf16 --no-gradient-checkpointing --save-steps 10 --eval-fraction "$EVAL_FRACTION" --eval-steps 80 \
    --threads "$THREADS" --logging-steps 5 --no-progress --stop-after "$STOP_AFTER" \
    ${INIT:+--init-adapter "$INIT"} ${RESUME:+--resume}

$SA export-adapter --base "$BASE" --adapter "$OUT/lora/adapter" --out "$OUT/scribeagent-smol.lora.gguf" \
    --training-data "$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['training_data'])" "$OUT/lora/adapter/training_summary.json")"
echo "adapter: $OUT/scribeagent-smol.lora.gguf"

# Held-out evaluation data (families and pages never trained on), for `scribeagent eval`.
stage "$D/synth_heldout.jsonl" $SA data render "$D/synth/heldout.jsonl" --out "$D/synth_heldout.jsonl"
stage "$D/ground_heldout.jsonl" $SA data ground "$D/pages" --split heldout --per-page 8 --seed 1 --out "$D/ground_heldout.jsonl"
