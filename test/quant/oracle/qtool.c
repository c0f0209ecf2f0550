// Quantizes a float32 file with one of ggml's quantizers (qtool TYPE in.f32 out.q); see build.sh.
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "ggml-quants.h"
#include "ggml-impl.h"
float ggml_table_f32_f16[1 << 16]; float ggml_table_f32_e8m0_half[256]; float ggml_table_f32_ue4m3[256];
size_t ggml_type_size(enum ggml_type t){return 0;}
size_t ggml_row_size(enum ggml_type t, int64_t n){return 0;}
const char * ggml_type_name(enum ggml_type t){return "";}
void ggml_abort(const char *file, int line, const char *fmt, ...) { exit(1); }
void quantize_row_q8_0(const float * x, void * y, int64_t k);
void quantize_row_q8_1(const float * x, void * y, int64_t k);
typedef void (*qfn)(const float *, void *, int64_t);
int main(int argc, char **argv) {
  // usage: qtool TYPE in.f32 out.q
  struct { const char *name; qfn q; int bs, qk; } ts[] = {
    {"q4_0", (qfn)quantize_row_q4_0_ref, 18, 32}, {"q4_1", (qfn)quantize_row_q4_1_ref, 20, 32},
    {"q5_0", (qfn)quantize_row_q5_0_ref, 22, 32}, {"q5_1", (qfn)quantize_row_q5_1_ref, 24, 32},
    {"q8_0", (qfn)quantize_row_q8_0_ref, 34, 32}, {"q8_1", (qfn)quantize_row_q8_1_ref, 36, 32},
    {"q4_K", (qfn)quantize_row_q4_K_ref, 144, 256}, {"q5_K", (qfn)quantize_row_q5_K_ref, 176, 256},
    {"q6_K", (qfn)quantize_row_q6_K_ref, 210, 256}, {"q8_K", (qfn)quantize_row_q8_K_ref, 292, 256},
    {"x86q8_0", quantize_row_q8_0, 34, 32}, {"x86q8_1", quantize_row_q8_1, 36, 32},
  };
  FILE *f = fopen(argv[2], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f) / 4; fseek(f, 0, SEEK_SET);
  float *x = malloc(n * 4); fread(x, 4, n, f); fclose(f);
  for (int t = 0; t < 12; t++) if (!strcmp(ts[t].name, argv[1])) {
    size_t nb = n / ts[t].qk * ts[t].bs; uint8_t *y = calloc(nb, 1); ts[t].q(x, y, n);
    f = fopen(argv[3], "wb"); fwrite(y, 1, nb, f); fclose(f); return 0; }
  return 2;
}
