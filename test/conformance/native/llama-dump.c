// llama.cpp eval with MUL_MAT dumps: ll MODEL NOREPACK DUMPDIR TOKENS...
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"
static const char *dumpdir; static int cnt = 0; static FILE *idx;
static bool cb(struct ggml_tensor *t, bool ask, void *ud) {
  if (ask) return t->op == GGML_OP_MUL_MAT;
  if (!dumpdir || t->op != GGML_OP_MUL_MAT) return true;
  struct ggml_tensor *a = t->src[0], *b = t->src[1];
  char p[512];
  if (b->type == GGML_TYPE_F32 && ggml_is_contiguous(b)) {
    snprintf(p, sizeof p, "%s/%03d.x", dumpdir, cnt); FILE *f = fopen(p, "wb"); fwrite(b->data, 1, ggml_nbytes(b), f); fclose(f);
  }
  if (ggml_is_contiguous(t)) { snprintf(p, sizeof p, "%s/%03d.y", dumpdir, cnt); FILE *f = fopen(p, "wb"); fwrite(t->data, 1, ggml_nbytes(t), f); fclose(f); }
  fprintf(idx, "%d %s %s %s %lld %lld %lld %lld\n", cnt, t->name, a->name, ggml_type_name(a->type), (long long)b->ne[0], (long long)b->ne[1], (long long)b->ne[2], (long long)t->ne[0]);
  cnt++;
  return true;
}
int main(int argc, char **argv) {
  llama_backend_init();
  ggml_backend_load_all_from_path(getenv("LLDIR"));
  struct llama_model_params mp = llama_model_default_params();
  mp.use_extra_bufts = atoi(argv[2]) == 0;
  struct llama_model *m = llama_model_load_from_file(argv[1], mp);
  struct llama_context_params cp = llama_context_default_params();
  cp.n_ctx = 512; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = 1; cp.n_threads_batch = 1;
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  dumpdir = strcmp(argv[3], "-") ? argv[3] : NULL;
  if (dumpdir) { char p[512]; snprintf(p, sizeof p, "%s/index.txt", dumpdir); idx = fopen(p, "w"); }
  cp.cb_eval = cb; cp.cb_eval_user_data = NULL;
  struct llama_context *ctx = llama_init_from_model(m, cp);
  int n = argc - 4; llama_token *toks = malloc(n * sizeof *toks);
  for (int i = 0; i < n; i++) toks[i] = atoi(argv[4 + i]);
  if (llama_decode(ctx, llama_batch_get_one(toks, n))) { fprintf(stderr, "decode failed\n"); return 1; }
  float *lg = llama_get_logits_ith(ctx, -1);
  int nv = llama_vocab_n_tokens(llama_model_get_vocab(m));
  fwrite(lg, sizeof(float), nv, stdout);
  if (idx) fclose(idx);
  return 0;
}
