#!/usr/bin/env bash
# Builds the fake libnvidia-ml.so.1 used by the NVML tests. Without a C compiler it says so and builds nothing;
# the NVML tests then skip with the same message.
set -eu
out="$1"
mkdir -p "$(dirname "$out")"
if ! command -v gcc >/dev/null 2>&1; then
  echo "[fake-nvml] no gcc on this machine: NVML tests will be skipped (apt-get install gcc to run them)"
  exit 0
fi
gcc -shared -fPIC -O1 -Wall -Werror -o "$out" "$(dirname "$0")/fake_nvml.c"
echo "[fake-nvml] built $out"
