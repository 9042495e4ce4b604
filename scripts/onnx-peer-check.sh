#!/usr/bin/env bash
# onnx-peer-check.sh: checks a package's model.onnx with the ONNX project's own Python tools.
#
#   scripts/onnx-peer-check.sh PKG DATA [--patients ID,...]
#
# The Java side (`segment agreement`) runs the package on the TensorFlow and the ONNX Runtime backends over DATA's
# labelled frames, compares them, and writes the fitted pixels, the network input and both backends' probabilities
# as .npy files; the Python side (scripts/onnx_peer_check.py) runs onnx.checker on the file, normalises the pixels
# itself from the metadata, runs Python's onnxruntime, and compares with TensorFlow: max |dp| <= 1e-4 and identical
# arg-max masks, or it fails.
#
# Python: $PYTHON (default python3) with onnx, onnxruntime and numpy; keep them in a virtual environment outside
# the repository, e.g.
#   python3 -m venv ~/.venvs/onnx-check && ~/.venvs/onnx-check/bin/pip install onnx onnxruntime numpy
#   PYTHON=~/.venvs/onnx-check/bin/python scripts/onnx-peer-check.sh PKG DATA
# Environment: SEGMENT_MVN_OPTS, SEGMENT_JAVA_OPTS as for bin/segment.
set -euo pipefail
ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 2 ]; then
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
fi
PKG="$1"
DATA="$2"
shift 2
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import onnx, onnxruntime, numpy' 2>/dev/null; then
  echo "onnx-peer-check: $PY lacks onnx, onnxruntime or numpy; make a virtual environment outside the repository:" >&2
  echo "  python3 -m venv ~/.venvs/onnx-check && ~/.venvs/onnx-check/bin/pip install onnx onnxruntime numpy" >&2
  echo "  PYTHON=~/.venvs/onnx-check/bin/python $0 PKG DATA" >&2
  exit 2
fi
if [ ! -f "$PKG/model.onnx" ]; then
  echo "onnx-peer-check: $PKG/model.onnx: missing (export the package with segment export --onnx)" >&2
  exit 2
fi
TENSORS="$(mktemp -d "${TMPDIR:-/tmp}/onnx-peer-check.XXXXXX")"
trap 'rm -rf "$TENSORS"' EXIT
echo "== Java: segment agreement (TensorFlow Java vs ONNX Runtime Java)"
"$ROOT/bin/segment" agreement --model "$PKG" --data "$DATA" --tensors "$TENSORS" "$@"
echo "== Python: onnx.checker and onnxruntime"
"$PY" "$ROOT/scripts/onnx_peer_check.py" --model "$PKG/model.onnx" --tensors "$TENSORS"
