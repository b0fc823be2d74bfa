#!/usr/bin/env bash
# Distributed gallery encoding with torchrun, through tools/dist_train.sh (PYTHON, PORT as there):
#   tools/dist_build_gallery.sh CONFIG NUM_PROCS [WEIGHTS] IMAGES --out INDEX [build_gallery.py args]
set -euo pipefail
TOOL=tools/build_gallery.py exec bash "$(dirname "$0")/dist_train.sh" "$@"
