#!/usr/bin/env bash
# Distributed gallery encoding with torchrun, as tools/dist_train.sh:
#   tools/dist_build_gallery.sh CONFIG NUM_PROCS [WEIGHTS] IMAGES --out INDEX [build_gallery.py args]
# PYTHON selects the interpreter (default: python on PATH); PORT the master port.
set -euo pipefail
CONFIG=$1
NPROCS=$2
shift 2
cd "$(dirname "$0")/.."
PYTHONPATH="$(pwd):${PYTHONPATH:-}" exec "${PYTHON:-python}" -m torch.distributed.run \
  --nnodes=1 --nproc_per_node="$NPROCS" --master_port="${PORT:-29500}" \
  tools/build_gallery.py "$CONFIG" --launcher pytorch "$@"
