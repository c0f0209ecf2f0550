// Writes the golden outputs of ggml (llama.cpp C) used by test/quant/golden.test.ts; see build.sh.
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "ggml-quants.h"
#include "ggml-cpu/quants.h"
#include "ggml-impl.h"
float ggml_table_f32_f16[1 << 16]; float ggml_table_f32_e8m0_half[256]; float ggml_table_f32_ue4m3[256];
void quantize_row_q8_0(const float * x, void * y, int64_t k);
void quantize_row_q8_1(const float * x, void * y, int64_t k);
size_t ggml_type_size(enum ggml_type t){return 0;}
size_t ggml_row_size(enum ggml_type t, int64_t n){return 0;}
const char * ggml_type_name(enum ggml_type t){return "";}

static uint32_t s;
static float rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return (float)(s >> 8) / 16777216.0f * 2.0f - 1.0f; }
static void gen(float *x, int n, uint32_t seed) {
  s = seed;
  for (int i = 0; i < n; i++) {
    float u = rnd();
    int mode = (i >> 8) % 7;
    float v;
    switch (mode) {
      case 0: v = u; break;
      case 1: v = u * 0.01f + 0.5f; break;
      case 2: v = 0.0f; break;
      case 3: v = u * u * u * 50.0f; break;
      case 4: v = (i % 7 == 0) ? u * 1000.0f : u * 0.001f; break;
      case 5: v = u * 1e-5f; break;
      default: v = 0.25f; break;
    }
    x[i] = v;
  }
}
#define N 3584
typedef void (*qfn)(const float *, void *, int64_t);
typedef void (*dqfn)(const void *, float *, int64_t);
typedef void (*dotfn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);
static void dump(const char *name, const void *p, size_t n) { FILE *f = fopen(name, "wb"); fwrite(p, 1, n, f); fclose(f); }
static void dq8_1(const void *v, float *y, int64_t k) { const block_q8_1 *b = v; for (int i = 0; i < k/32; i++) for (int j = 0; j < 32; j++) y[i*32+j] = b[i].qs[j] * ggml_compute_fp16_to_fp32(b[i].d); }
void ggml_abort(const char *file, int line, const char *fmt, ...) { fprintf(stderr, "abort %s:%d\n", file, line); exit(1); }
struct T { const char *name; qfn q; dqfn dq; size_t bs; int qk; dotfn dot; qfn aq; size_t abs; };
int main(void) {
  for (int i = 0; i < 65536; i++) ggml_table_f32_f16[i] = ggml_compute_fp16_to_fp32((uint16_t)i);
  static float x[N], a[N], y[N];
  static uint8_t buf[N * 4], abuf[N * 4];
  gen(x, N, 12345);
  gen(a, N, 777);
  // activation input: shuffle mode order by using a different seed; also rotate by 512 so modes differ from weights
  for (int i = 0; i < N; i++) a[i] = a[(i + 512) % N] ;
  dump("x.f32", x, sizeof x); dump("a.f32", a, sizeof a);
  struct T ts[] = {
    {"q4_0", (qfn)quantize_row_q4_0_ref, (dqfn)dequantize_row_q4_0, 18, 32, ggml_vec_dot_q4_0_q8_0_generic, (qfn)quantize_row_q8_0_ref, 34},
    {"q4_1", (qfn)quantize_row_q4_1_ref, (dqfn)dequantize_row_q4_1, 20, 32, ggml_vec_dot_q4_1_q8_1_generic, (qfn)quantize_row_q8_1_ref, 36},
    {"q5_0", (qfn)quantize_row_q5_0_ref, (dqfn)dequantize_row_q5_0, 22, 32, ggml_vec_dot_q5_0_q8_0_generic, (qfn)quantize_row_q8_0_ref, 34},
    {"q5_1", (qfn)quantize_row_q5_1_ref, (dqfn)dequantize_row_q5_1, 24, 32, ggml_vec_dot_q5_1_q8_1_generic, (qfn)quantize_row_q8_1_ref, 36},
    {"q8_0", (qfn)quantize_row_q8_0_ref, (dqfn)dequantize_row_q8_0, 34, 32, ggml_vec_dot_q8_0_q8_0_generic, (qfn)quantize_row_q8_0_ref, 34},
    {"q8_1", (qfn)quantize_row_q8_1_ref, dq8_1, 36, 32, 0, 0, 0},
    {"q4_K", (qfn)quantize_row_q4_K_ref, (dqfn)dequantize_row_q4_K, 144, 256, ggml_vec_dot_q4_K_q8_K_generic, (qfn)quantize_row_q8_K_ref, 292},
    {"q5_K", (qfn)quantize_row_q5_K_ref, (dqfn)dequantize_row_q5_K, 176, 256, ggml_vec_dot_q5_K_q8_K_generic, (qfn)quantize_row_q8_K_ref, 292},
    {"q6_K", (qfn)quantize_row_q6_K_ref, (dqfn)dequantize_row_q6_K, 210, 256, ggml_vec_dot_q6_K_q8_K_generic, (qfn)quantize_row_q8_K_ref, 292},
    {"q8_K", (qfn)quantize_row_q8_K_ref, (dqfn)dequantize_row_q8_K, 292, 256, 0, 0, 0},
  };
  char fn[64];
  for (size_t t = 0; t < sizeof ts / sizeof ts[0]; t++) {
    struct T *T = &ts[t];
    size_t nb = (size_t)N / T->qk * T->bs;
    memset(buf, 0, sizeof buf);
    T->q(x, buf, N);
    snprintf(fn, sizeof fn, "%s.q", T->name); dump(fn, buf, nb);
    T->dq(buf, y, N);
    snprintf(fn, sizeof fn, "%s.dq", T->name); dump(fn, y, sizeof y);
    if (T->dot) {
      memset(abuf, 0, sizeof abuf);
      T->aq(a, abuf, N);
      snprintf(fn, sizeof fn, "%s.a", T->name); dump(fn, abuf, (size_t)N / T->qk * T->abs);
      float r[8]; int nr = 0;
      // dots over chunks of 512 elements, then whole row
      for (int c = 0; c < N / 512; c++) {
        T->dot(512, &r[nr++], 0, buf + (size_t)c * 512 / T->qk * T->bs, 0, abuf + (size_t)c * 512 / (T->abs == 292 ? 256 : 32) * T->abs, 0, 1);
      }
      T->dot(N, &r[nr++], 0, buf, 0, abuf, 0, 1);
      snprintf(fn, sizeof fn, "%s.dot", T->name); dump(fn, r, nr * sizeof(float));
    }
  }
  memset(abuf, 0, sizeof abuf); quantize_row_q8_0(a, abuf, N); dump("x86q8_0.a", abuf, N / 32 * 34);
  memset(abuf, 0, sizeof abuf); quantize_row_q8_1(a, abuf, N); dump("x86q8_1.a", abuf, N / 32 * 36);
  // fp16 / bf16 conversions of x and a
  static uint16_t h[N * 2];
  for (int i = 0; i < N; i++) { h[i] = ggml_compute_fp32_to_fp16(x[i]); h[N + i] = ggml_compute_fp32_to_fp16(a[i]); }
  dump("f16.q", h, sizeof h);
  for (int i = 0; i < N; i++) { h[i] = ggml_compute_fp32_to_bf16(x[i]).bits; h[N + i] = ggml_compute_fp32_to_bf16(a[i]).bits; }
  dump("bf16.q", h, sizeof h);
  return 0;
}
