#!/usr/bin/env python3
"""PyTorch CPU training throughput for bench/train.ts: the same phi3 forward (scripts/train-vs-torch.py),
cross-entropy backward, grad clipping and AdamW. Argument: JSON {cfg, B, T, steps, threads}; prints {"tok_s": N, "cpu_tok_s": N}."""
import importlib.util
import json
import os
import sys
import time

a = json.loads(sys.argv[1])
# OpenBLAS (Debian's torch uses the system BLAS) has its own thread pool: give it the same thread count
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a["threads"]))
os.environ.setdefault("OMP_NUM_THREADS", str(a["threads"]))

import torch  # noqa: E402

spec = importlib.util.spec_from_file_location("tvt", os.path.join(os.path.dirname(__file__), "train-vs-torch.py"))
tvt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tvt)

torch.set_num_threads(a["threads"])
cfg, B, T = a["cfg"], a["B"], a["T"]
E, F, V, Hkv, H = cfg["nEmbd"], cfg["nFf"], cfg["nVocab"], cfg["nHeadKv"], cfg["nHead"]
D = E // H
shapes = {"token_embd.weight": (V, E), "output_norm.weight": (E,)}
if not cfg["tiedEmbeddings"]:
    shapes["output.weight"] = (V, E)
for l in range(cfg["nLayer"]):
    shapes[f"blk.{l}.attn_norm.weight"] = (E,)
    shapes[f"blk.{l}.attn_qkv.weight"] = (E + 2 * Hkv * D, E)
    shapes[f"blk.{l}.attn_output.weight"] = (E, E)
    shapes[f"blk.{l}.ffn_norm.weight"] = (E,)
    shapes[f"blk.{l}.ffn_up.weight"] = (2 * F, E)
    shapes[f"blk.{l}.ffn_down.weight"] = (E, F)
p = {k: (torch.randn(s) * 0.02 if len(s) == 2 else torch.ones(s)).requires_grad_(True) for k, s in shapes.items()}
opt = torch.optim.AdamW(list(p.values()), lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
inp = torch.randint(0, V, (B * T,))
tgt = torch.randint(0, V, (B * T,))


def step():
    logits = tvt.forward(p, cfg, inp, B, T)
    loss = torch.nn.functional.cross_entropy(logits.view(B * T, -1), tgt)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(p.values()), 1.0)
    opt.step()


step()
t0 = time.perf_counter()
c0 = time.process_time()
for _ in range(a["steps"]):
    step()
dt = time.perf_counter() - t0
cpu = time.process_time() - c0
# tok_s: wall clock; cpu_tok_s: per second of this process's CPU time (all its threads), steadier on a shared machine
print(json.dumps({"tok_s": a["steps"] * B * T / dt, "cpu_tok_s": a["steps"] * B * T / cpu}))
