#!/usr/bin/env bash
# Distributed training with torchrun (DDP through MMEngine): tools/dist_train.sh CONFIG NUM_PROCS [train.py args]
# PYTHON selects the interpreter (default: python on PATH, e.g. the activated .venv); PORT the master port;
# TOOL another tools/ script with the same CONFIG --launcher arguments (tools/dist_build_gallery.sh).
set -euo pipefail
CONFIG=$1
NPROCS=$2
shift 2
cd "$(dirname "$0")/.."
PYTHONPATH="$(pwd):${PYTHONPATH:-}" exec "${PYTHON:-python}" -m torch.distributed.run \
  --nnodes=1 --nproc_per_node="$NPROCS" --master_port="${PORT:-29500}" \
  "${TOOL:-tools/train.py}" "$CONFIG" --launcher pytorch "$@"
