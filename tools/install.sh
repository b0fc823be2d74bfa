#!/usr/bin/env bash
# Idempotent install of ovseg into a virtual environment inside the checkout.
#
#   OVSEG_VENV        venv folder (default: .venv in the checkout)
#   OVSEG_WHEELHOUSE  folder holding a prebuilt mmcv-2.1.0 wheel for this Python + torch;
#                     without it (or without a matching wheel in it) mmcv is built from the PyPI sdist.
#   OVSEG_INSTALL_LOG output of pip and the mmcv build (default: <venv>/install.log); one line
#                     per step on the terminal, the log's tail only when a step fails.
#   OVSEG_NO_CHROMIUM set to skip installing Debian's chromium (the web demo's browser test is
#                     then skipped, saying why).
#
# A second run with unchanged requirements installs nothing (a stamp file records what was installed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${OVSEG_VENV:-$root/.venv}"
python_bin="${OVSEG_PYTHON:-python3.11}"
torch_pins="torch==2.14.1 torchvision==0.29.1"
mmcv_version="2.1.0"
# shellcheck source=tools/install_log.sh
source "$root/tools/install_log.sh"

stamp_key() {
  cat "$root/requirements.txt" "$root/requirements-app.txt" "$root/setup.py" \
    "$root/tools/install.sh" | sha256sum | cut -d' ' -f1
}

stamp="$venv/.ovseg-install-stamp"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$(stamp_key)" ]]; then
  exit 0
fi

install_log="${OVSEG_INSTALL_LOG:-$venv/install.log}"
mkdir -p "$(dirname "$install_log")"
: >"$install_log"
echo "[install] creating/updating venv at $venv"
# Debian's chromium for the web demo's browser test (Playwright launches this binary; it never
# downloads a browser): about 80 s with apt-get update on 2 cores, checked on every install (it
# lives outside the venv). Without root or apt the test is skipped, saying why.
if [[ -z "${OVSEG_NO_CHROMIUM:-}" ]] && ! command -v chromium >/dev/null \
    && command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
  run_logged "chromium (apt-get, for the web demo's browser test)" env \
    DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -qq && apt-get install -y -qq chromium' \
    || echo "[install] chromium could not be installed; the browser test will be skipped" >&2
fi

[[ -x "$venv/bin/python" ]] || run_logged "creating venv" "$python_bin" -m venv "$venv"
py="$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check)
run_logged "pip, setuptools<82, wheel" "${pip[@]}" install -q --upgrade pip "setuptools<82" wheel
run_logged "torch: $torch_pins" "${pip[@]}" install -q $torch_pins

run_logged "requirements.txt" "${pip[@]}" install -q -r "$root/requirements.txt" $torch_pins
run_logged "requirements-app.txt (web demo)" "${pip[@]}" install -q -r "$root/requirements-app.txt" \
  $torch_pins

if ! "$py" -c "import mmcv, mmcv._ext; assert mmcv.__version__ == '$mmcv_version'" 2>/dev/null; then
  whl=""
  if [[ -n "${OVSEG_WHEELHOUSE:-}" ]]; then
    tag="cp$("$py" -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')"
    whl="$(ls "$OVSEG_WHEELHOUSE"/mmcv-${mmcv_version}-${tag}-*.whl 2>/dev/null | head -n1 || true)"
    [[ -n "$whl" ]] || echo "[install] no mmcv-${mmcv_version}-${tag} wheel in OVSEG_WHEELHOUSE=$OVSEG_WHEELHOUSE; building from source"
  fi
  if [[ -n "$whl" ]]; then
    run_logged "mmcv from wheelhouse: $whl" "${pip[@]}" install -q --no-deps --force-reinstall "$whl"
  else
    # mmcv 2.1.0 has no wheel for this torch. Its sdist needs: setuptools<82 (pkg_resources),
    # no build isolation (else it silently skips the ops), and C++20 (torch >= 2.14 headers).
    echo "[install] building mmcv $mmcv_version from the PyPI sdist (about 16 min on 2 cores)"
    build="$(mktemp -d)"
    trap 'rm -rf "$build"' EXIT
    run_logged "ninja, psutil" "${pip[@]}" install -q ninja psutil
    run_logged "downloading the mmcv $mmcv_version sdist" "${pip[@]}" download -q --no-deps \
      --no-binary :all: --no-build-isolation -d "$build" "mmcv==$mmcv_version"
    tar -xzf "$build/mmcv-$mmcv_version.tar.gz" -C "$build"
    sed -i 's/-std=c++17/-std=c++20/' "$build/mmcv-$mmcv_version/setup.py"
    run_logged "compiling mmcv $mmcv_version" env MMCV_WITH_OPS=1 FORCE_CUDA=0 \
      CUDA_VISIBLE_DEVICES= MAX_JOBS="$(nproc)" \
      "${pip[@]}" install --no-deps --no-build-isolation --no-cache-dir "$build/mmcv-$mmcv_version"
  fi
fi
if ! "$py" -c "import mmcv._ext" 2>/dev/null; then
  echo "[install] ERROR: mmcv is installed without its compiled ops (import mmcv._ext fails)." >&2
  echo "[install] Rebuild it with --no-build-isolation, or point OVSEG_WHEELHOUSE at a folder with a matching wheel." >&2
  "$py" -c "import mmcv._ext" || true
  exit 1
fi

run_logged "ovseg (editable)" "${pip[@]}" install -q --no-deps --no-build-isolation -e "$root"
run_logged "checking imports" "$py" -c "import mmcv._ext, mmseg, mmdet, open_clip, segment_anything, ovseg"
stamp_key > "$stamp"
echo "[install] done: $venv"
