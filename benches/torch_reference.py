"""PyTorch reference for `initlab bench`: the benchmark workloads, all models stacked and trained
with batched matmuls (torch.bmm) and Adam -- the fastest PyTorch variant in the benchmark spec
(../shared/bench/reference.md). Used to measure initlab and PyTorch side by side in one run on
the same machine:

    python3 benches/torch_reference.py --workload digits-8x3 --threads 1 --runs 3
    python3 benches/torch_reference.py --workload synthetic-100k --csv synthetic_100k.csv
    python3 benches/torch_reference.py --workload depth-sweep --threads 2

Prints wall seconds of training (data preparation excluded, as in initlab bench) per run and the
median. Needs torch and numpy.
"""
import argparse
import math
import time

import numpy as np
import torch


def load(path, target):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    t = header.index(target)
    y = data[:, t].astype(np.int64)
    x = np.delete(data, t, axis=1)
    return x, y


def split(x, y, val_fraction=0.2, seed=0):
    n = len(y)
    perm = np.random.default_rng(seed).permutation(n)
    n_train = int(math.floor(n * (1 - val_fraction)))
    tr, va = perm[:n_train], perm[n_train:]
    mean = x[tr].mean(0)
    std = x[tr].std(0)
    std[std == 0] = 1.0
    xs = ((x - mean) / std).astype(np.float32)
    return (torch.from_numpy(xs[tr]), torch.from_numpy(y[tr]), torch.from_numpy(xs[va]), torch.from_numpy(y[va]))


def init_weight(name, fan_in, fan_out, gen):
    w = torch.empty(fan_out, fan_in)
    if name == "zeros":
        torch.nn.init.zeros_(w)
    elif name.startswith("normal:"):
        torch.nn.init.normal_(w, 0.0, float(name.split(":")[1]), generator=gen)
    elif name == "xavier-uniform":
        torch.nn.init.xavier_uniform_(w, generator=gen)
    elif name == "xavier-normal":
        torch.nn.init.xavier_normal_(w, generator=gen)
    elif name == "kaiming-uniform":
        torch.nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=gen)
    elif name == "kaiming-normal":
        torch.nn.init.kaiming_normal_(w, nonlinearity="relu", generator=gen)
    elif name == "orthogonal":
        torch.nn.init.orthogonal_(w, generator=gen)
    elif name == "pytorch-default":
        torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=gen)
    else:
        raise ValueError(name)
    return w.t().contiguous()  # [in, out]


WORKLOADS = {
    "digits-8x3": dict(
        data="datasets/digits.csv", target="digit", hidden=[128, 128], act="tanh",
        inits=["zeros", "normal:0.01", "normal:1", "xavier-uniform", "xavier-normal",
               "kaiming-uniform", "kaiming-normal", "orthogonal"],
        seeds=3, epochs=20, batch=64),
    "synthetic-100k": dict(
        data="synthetic_100k.csv", target="label", hidden=[256, 256], act="relu",
        inits=["xavier-uniform", "kaiming-normal", "orthogonal", "normal:1"],
        seeds=2, epochs=3, batch=256),
    # One stacked run per depth (L = 2, 4, 8, 16, 32 hidden layers of 128), as initlab stacks
    # the 12 networks of a depth; the depths run one after the other.
    "depth-sweep": dict(
        data="datasets/digits.csv", target="digit", hidden=[128], act="relu",
        inits=["xavier-normal", "kaiming-normal", "orthogonal", "pytorch-default"],
        seeds=3, epochs=5, batch=64, depths=[2, 4, 8, 16, 32]),
}


def run(w, xtr, ytr, xva, yva):
    start = time.perf_counter()  # model construction included, as initlab's timing includes it
    arms = [(i, s) for i in w["inits"] for s in range(w["seeds"])]
    a = len(arms)
    n_cls = int(max(ytr.max(), yva.max())) + 1
    dims = [xtr.shape[1]] + w["hidden"] + [n_cls]
    params = []
    for l in range(len(dims) - 1):
        ws = []
        for k, (name, s) in enumerate(arms):
            gen = torch.Generator().manual_seed(1000 * s + l)
            ws.append(init_weight(name, dims[l], dims[l + 1], gen))
        params.append(torch.stack(ws).requires_grad_())                     # [A, in, out]
        params.append(torch.zeros(a, 1, dims[l + 1], requires_grad=True))   # [A, 1, out]
    try:
        opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, fused=True)
    except (RuntimeError, TypeError):
        opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=True)
    act = torch.tanh if w["act"] == "tanh" else torch.relu
    seed_of_arm = torch.tensor([s for _, s in arms])
    n = len(ytr)

    def forward(x):  # x: [A, B, in]
        h = x
        layers = len(params) // 2
        for l in range(layers):
            h = torch.baddbmm(params[2 * l + 1], h, params[2 * l])
            if l + 1 < layers:
                h = act(h)
        return h

    for epoch in range(w["epochs"]):
        orders = [torch.randperm(n, generator=torch.Generator().manual_seed(epoch * 100 + s)) for s in range(w["seeds"])]
        order = torch.stack([orders[int(s)] for s in seed_of_arm])        # [A, n]: same order per seed
        for b0 in range(0, n, w["batch"]):
            idx = order[:, b0:b0 + w["batch"]]
            xb = xtr[idx]                                                   # [A, B, in]
            yb = ytr[idx]                                                   # [A, B]
            logits = forward(xb)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, n_cls), yb.reshape(-1), reduction="none")
            loss = loss.view(a, -1).mean(1).sum()                          # sum of per-arm means
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        with torch.no_grad():
            logits = forward(xva.unsqueeze(0).expand(a, -1, -1))
            val_loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, n_cls), yva.repeat(a), reduction="none").view(a, -1).mean(1)
            val_acc = (logits.argmax(2) == yva.unsqueeze(0)).float().mean(1)
    wall = time.perf_counter() - start
    return wall, val_loss, val_acc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="digits-8x3", choices=WORKLOADS)
    p.add_argument("--csv", help="data file (default: the workload's)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    w = WORKLOADS[args.workload]
    x, y = load(args.csv or w["data"], w["target"])
    xtr, ytr, xva, yva = split(x, y)
    walls = []
    points = [dict(w, hidden=w["hidden"] * d) for d in w["depths"]] if "depths" in w else [w]
    for r in range(args.runs):
        wall, finals = 0.0, []
        for point in points:
            t, val_loss, val_acc = run(point, xtr, ytr, xva, yva)
            wall += t
            finals.append((len(point["hidden"]), val_loss, val_acc))
        walls.append(wall)
        print(f"{args.workload} torch {torch.__version__} stacked bmm, {args.threads} thread(s), run {r + 1}: {wall:.2f} s")
    print(f"{args.workload} torch median: {sorted(walls)[len(walls) // 2]:.2f} s")
    for depth, val_loss, val_acc in finals:
        loss = val_loss.view(len(w["inits"]), -1).mean(1)
        acc = val_acc.view(len(w["inits"]), -1).mean(1)
        print(f"depth {depth}: final val loss / accuracy per initializer:", ", ".join(
            f"{i} {l:.3f}/{a:.3f}" for i, l, a in zip(w["inits"], loss.tolist(), acc.tolist())))


if __name__ == "__main__":
    main()
