#!/bin/sh
# Builds the C oracles from the llama.cpp sources bundled with node-llama-cpp and regenerates the golden files.
# Usage: sh test/quant/oracle/build.sh [workdir]   (needs gcc; prints the SHA-256 sums used in golden.test.ts)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
W=${1:-/tmp/pocketlm-quant-oracle}
mkdir -p "$W"
[ -d "$W/llama.cpp" ] || git clone -q "$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$W/llama.cpp"
G="$W/llama.cpp/ggml"
INC="-I$G/include -I$G/src -I$G/src/ggml-cpu"
# ggml-base as a generic x86-64 build (no FMA contraction); NDEBUG like a release build
gcc -O2 -DNDEBUG -c "$G/src/ggml-quants.c" $INC -o "$W/ggml-quants.o"
gcc -O2 -DNDEBUG -c "$G/src/ggml-cpu/quants.c" $INC -o "$W/cpu-quants.o"
gcc -O2 -DNDEBUG -mavx2 -mfma -mf16c -c "$G/src/ggml-cpu/arch/x86/quants.c" $INC -o "$W/x86-quants.o"
gcc -O2 -c "$(dirname "$0")/golden-harness.c" $INC -o "$W/harness.o"
gcc -O2 -c "$(dirname "$0")/qtool.c" $INC -o "$W/qtool.o"
gcc "$W/harness.o" "$W/ggml-quants.o" "$W/cpu-quants.o" "$W/x86-quants.o" -lm -o "$W/golden-harness"
gcc "$W/qtool.o" "$W/ggml-quants.o" "$W/x86-quants.o" -lm -o "$W/qtool"
mkdir -p "$W/out"
(cd "$W/out" && ../golden-harness && sha256sum ./*.q ./*.dq ./*.a)
echo "qtool: $W/qtool TYPE in.f32 out.q  (types q4_0 q4_1 q5_0 q5_1 q8_0 q8_1 q4_K q5_K q6_K q8_K x86q8_0 x86q8_1)"
