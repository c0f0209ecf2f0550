#!/usr/bin/env python3
"""PyTorch side of the conformance check: replays the case written by scripts/train-vs-torch.ts (same init,
batches, AdamW hyperparameters and learning rates) and compares the per-step losses with pocketlm's.
Usage: python3 scripts/train-vs-torch.py CASE.json [--tol 1e-4]   (exit status 1 when a loss differs by more)."""
import json
import math
import sys

import torch

torch.manual_seed(0)



def rmsnorm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, theta):
    # x: (B, H, T, D); NeoX style: rotate the two halves
    T, D = x.shape[-2], x.shape[-1]
    inv = theta ** (-torch.arange(0, D, 2, dtype=torch.float64) / D)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x0, x1 = x[..., : D // 2], x[..., D // 2 :]
    return torch.cat([x0 * cos - x1 * sin, x0 * sin + x1 * cos], dim=-1)


def forward(p, cfg, tokens, B, T):
    E, H, Hkv = cfg["nEmbd"], cfg["nHead"], cfg["nHeadKv"]
    D = E // H
    F = cfg["nFf"]
    x = p["token_embd.weight"][tokens].view(B, T, E)
    mask = torch.full((T, T), float("-inf")).triu(1)
    for l in range(cfg["nLayer"]):
        pre = f"blk.{l}."
        xn = rmsnorm(x, p[pre + "attn_norm.weight"], cfg["rmsEps"])
        qkv = xn @ p[pre + "attn_qkv.weight"].T
        q = qkv[..., :E].view(B, T, H, D).transpose(1, 2)  # (B, H, T, D)
        k = qkv[..., E : E + Hkv * D].view(B, T, Hkv, D).transpose(1, 2)
        v = qkv[..., E + Hkv * D :].view(B, T, Hkv, D).transpose(1, 2)
        q, k = rope(q, cfg["ropeTheta"]), rope(k, cfg["ropeTheta"])
        k = k.repeat_interleave(H // Hkv, dim=1)
        v = v.repeat_interleave(H // Hkv, dim=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + mask, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, E)
        x = x + o @ p[pre + "attn_output.weight"].T
        xn = rmsnorm(x, p[pre + "ffn_norm.weight"], cfg["rmsEps"])
        gu = xn @ p[pre + "ffn_up.weight"].T
        x = x + (torch.nn.functional.silu(gu[..., :F]) * gu[..., F:]) @ p[pre + "ffn_down.weight"].T
    x = rmsnorm(x, p["output_norm.weight"], cfg["rmsEps"])
    out = p["token_embd.weight"] if cfg["tiedEmbeddings"] else p["output.weight"]
    return x @ out.T


def main():
    path = sys.argv[1]
    tol = float(sys.argv[sys.argv.index("--tol") + 1]) if "--tol" in sys.argv else 1e-4
    case = json.load(open(path))
    cfg, B, T, hp = case["cfg"], case["B"], case["T"], case["hp"]
    p = {}
    decay, no_decay = [], []
    for t in case["init"]:
        shape = (t["cols"],) if t["kind"] == "norm" else (t["rows"], t["cols"])
        w = torch.tensor(t["data"], dtype=torch.float32).view(shape).requires_grad_(True)
        p[t["name"]] = w
        (decay if t["kind"] == "matrix" else no_decay).append(w)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": hp["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=case["lrs"][0], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
    )
    worst = 0.0
    print("| step | pocketlm loss | PyTorch loss | abs diff |")
    print("|---:|---:|---:|---:|")
    for s, batch in enumerate(case["batches"]):
        inp = torch.tensor(batch["inputs"])
        tgt = torch.tensor(batch["targets"])
        logits = forward(p, cfg, inp, B, T)
        loss = torch.nn.functional.cross_entropy(logits.view(B * T, -1), tgt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(p.values()), case["gradClip"])
        for g in opt.param_groups:
            g["lr"] = case["lrs"][s]
        opt.step()
        ours = case["losses"][s]
        d = abs(ours - loss.item())
        worst = max(worst, d)
        if s < 3 or s % 5 == 4 or s == len(case["batches"]) - 1:
            print(f"| {s + 1} | {ours:.6f} | {loss.item():.6f} | {d:.2e} |")
    print(f"\nmax |loss difference| over {len(case['batches'])} steps: {worst:.3e} (tolerance {tol:g}); torch {torch.__version__}")
    sys.exit(0 if worst <= tol else 1)


if __name__ == "__main__":
    main()
