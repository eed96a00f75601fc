"""Trains the shapes CNN in PyTorch (CPU) on the training stream that Node writes to disk.

Run by `train.ts --engine torch` (lib/train-torch.ts), which generates the stream
(lib/stream-shards.ts: shards of float32 NHWC inputs + int8 labels, written in order and
renamed into place when complete), starts this script, and after every epoch reads the
weights this script writes, folds batch normalisation into the convolutions and validates
and saves the TF.js model exactly as the js engine does. Needs python3 with torch and numpy
(CPU build is enough); nothing else of the project needs Python.

The network is the training form of buildShapesCnnForTraining: three 3x3 'same'
convolutions without bias, each followed by batch normalisation (eps 1e-3) and ReLU, 2x2 max
pooling after the first two, global average pooling, a dense layer to the logits. Loss:
cross-entropy on the labels alone (one object: one-hot; two objects: 1/2 each). Adam with a
cosine decay of the learning rate to 5 %, optional decoupled weight decay, optional random
flips of the training images (--flips: every class is symmetric under left-right and
top-bottom flips, and both resizes of a camera frame commute with them).

Epoch e trains on stream samples [e*P, (e+1)*P) modulo --stream-images (all fresh when that
is epochs*P), shard by shard in stream order, the images of each shard in a seeded random
order. After each epoch the BN population statistics are measured on the calibration images
(precise BN: mean = E[batch mean], variance = E[batch variance + batch mean^2] - mean^2, in
batches of --batch, training-mode forward), and all tensors are written as JSON in PyTorch's
layouts (conv OIHW, dense [K, C]); the TypeScript side converts them (lib/torch-weights.ts).

stdout carries one JSON line per epoch ({"epoch", "weights", "loss", "acc", "seconds", "lr"});
progress notes go to stderr.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-3


class ShapesCnn(nn.Module):
    """conv -> BN -> ReLU (-> 2x2 max pool) three times, GAP, dense logits."""

    def __init__(self, filters, num_classes):
        super().__init__()
        f1, f2, f3 = filters
        self.conv1 = nn.Conv2d(3, f1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(f1, eps=BN_EPS)
        self.conv2 = nn.Conv2d(f1, f2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(f2, eps=BN_EPS)
        self.last_conv = nn.Conv2d(f2, f3, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(f3, eps=BN_EPS)
        self.logits = nn.Linear(f3, num_classes)

    def stages(self, x):
        """The three BN inputs (conv outputs) of a batch, for calibration; x is NCHW."""
        c1 = self.conv1(x)
        c2 = self.conv2(F.max_pool2d(F.relu(self.bn1(c1)), 2))
        c3 = self.last_conv(F.max_pool2d(F.relu(self.bn2(c2)), 2))
        return c1, c2, c3

    def forward(self, x):
        c3 = self.stages(x)[2]
        a = F.relu(self.bn3(c3))
        return self.logits(a.mean(dim=(2, 3)))


def init_weights(net, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for conv in (net.conv1, net.conv2, net.last_conv):
            fan_in = conv.weight[0].numel()
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * math.sqrt(2.0 / fan_in))
        limit = math.sqrt(6.0 / sum(net.logits.weight.shape))
        net.logits.weight.copy_((torch.rand(net.logits.weight.shape, generator=gen) * 2 - 1) * limit)
        net.logits.bias.zero_()


class Stream:
    """Reads shards of the stream folder, waiting for the generator when one is not there yet."""

    def __init__(self, folder, wait_minutes):
        with open(os.path.join(folder, "meta.json")) as f:
            self.meta = json.load(f)
        self.folder = folder
        self.size = self.meta["size"]
        self.shard_size = self.meta["shardSize"]
        self.wait_seconds = wait_minutes * 60
        self.parent = os.getppid()

    def path(self, k):
        return os.path.join(self.folder, "shard-%06d.bin" % k)

    def shard(self, k):
        path = self.path(k)
        waited = 0.0
        while not os.path.exists(path):
            if os.getppid() != self.parent:
                raise SystemExit("the Node process that generates the stream has gone")
            if waited > self.wait_seconds:
                raise RuntimeError("shard %d did not appear within %.0f s: is the generator running?" % (k, waited))
            time.sleep(0.2)
            waited += 0.2
        return read_samples(path, self.shard_size, self.size)


def read_samples(path, n, size):
    """Inputs [n, 3, size, size] (NCHW) and soft targets [n, 5] of a shard-format file."""
    raw = np.fromfile(path, dtype=np.uint8)
    per = size * size * 3
    expected = n * per * 4 + n * 2
    if raw.size != expected:
        raise RuntimeError("%s has %d bytes, expected %d" % (path, raw.size, expected))
    x = raw[: n * per * 4].view("<f4").reshape(n, size, size, 3).transpose(0, 3, 1, 2)
    labels = raw[n * per * 4 :].view(np.int8).reshape(n, 2).astype(np.int64)
    target = np.zeros((n, 5), dtype=np.float32)
    for m in range(2):
        valid = labels[:, m] >= 0
        target[np.nonzero(valid)[0], labels[valid, m]] += 1.0
    target /= target.sum(axis=1, keepdims=True)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(target)


def random_flips(x, gen):
    """Each NCHW image flipped left-right with probability 1/2 and, independently, top-bottom."""
    n = x.shape[0]
    horizontal = torch.rand(n, generator=gen) < 0.5
    vertical = torch.rand(n, generator=gen) < 0.5
    x = torch.where(horizontal[:, None, None, None], x.flip(3), x)
    return torch.where(vertical[:, None, None, None], x.flip(2), x)


def cosine_lr(base, progress):
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


@torch.no_grad()
def calibrate(net, images, batch):
    """Sets each BN's running statistics to the population statistics of `images` (precise BN)."""
    was_training = net.training
    net.train()
    batches = images.shape[0] // batch
    if batches == 0:
        raise RuntimeError("fewer calibration images than one batch")
    sums = None
    for b in range(batches):
        outs = net.stages(images[b * batch : (b + 1) * batch])
        moments = []
        for c in outs:
            mean = c.double().mean(dim=(0, 2, 3))
            var = c.double().var(dim=(0, 2, 3), unbiased=False)
            moments.append((mean, var + mean * mean))
        if sums is None:
            sums = [(m / batches, s / batches) for m, s in moments]
        else:
            sums = [(a + m / batches, b2 + s / batches) for (a, b2), (m, s) in zip(sums, moments)]
    for bn, (mean, square) in zip((net.bn1, net.bn2, net.bn3), sums):
        bn.running_mean.copy_(mean.float())
        bn.running_var.copy_((square - mean * mean).clamp_min(0).float())
    net.train(was_training)


def export(net, path, filters):
    state = {k: {"shape": list(v.shape), "data": v.detach().float().flatten().tolist()} for k, v in net.state_dict().items() if k.split(".")[-1] != "num_batches_tracked"}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"filters": list(filters), "bnEpsilon": BN_EPS, "tensors": state}, f)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stream", required=True, help="stream folder (meta.json + shards)")
    p.add_argument("--calibration", required=True, help="calibration images, shard format")
    p.add_argument("--calibration-count", type=int, required=True)
    p.add_argument("--work", required=True, help="folder for the per-epoch weights")
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--per-epoch", type=int, required=True)
    p.add_argument("--stream-images", type=int, required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--filters", default="16,32,64")
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--init-seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--wait-minutes", type=float, default=10)
    p.add_argument("--flips", action="store_true", help="flip each training image left-right and top-bottom at random (seeded); every class is symmetric under both, and both resizes commute with them")
    p.add_argument("--init-from", help="start from the weights of an earlier run (a file this script wrote) instead of a fresh initialisation; the optimizer and schedule start afresh")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.init_seed)
    filters = [int(f) for f in a.filters.split(",")]
    stream = Stream(a.stream, a.wait_minutes)
    n = stream.shard_size
    for name, v in (("--per-epoch", a.per_epoch), ("--stream-images", a.stream_images)):
        if v % n != 0:
            raise SystemExit("%s must be a multiple of the shard size %d" % (name, n))
    if n % a.batch != 0:
        raise SystemExit("--batch must divide the shard size %d" % n)
    calib_x, _ = read_samples(a.calibration, a.calibration_count, stream.size)

    net = ShapesCnn(filters, 5)
    init_weights(net, a.init_seed)
    if a.init_from is not None:
        with open(a.init_from) as f:
            saved = json.load(f)
        if saved["filters"] != filters:
            raise SystemExit("--init-from holds filters %s, this run has %s" % (saved["filters"], filters))
        state = {k: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for k, v in saved["tensors"].items()}
        missing, unexpected = net.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise SystemExit("--init-from: missing %s, unexpected %s" % (missing, unexpected))
    decay = [p for name, p in net.named_parameters() if name.endswith("weight") and p.dim() > 1]
    other = [p for name, p in net.named_parameters() if not (name.endswith("weight") and p.dim() > 1)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": other, "weight_decay": 0.0}], lr=a.lr)
    shards_per_epoch = a.per_epoch // n
    stream_shards = a.stream_images // n
    total_steps = a.epochs * a.per_epoch // a.batch
    step = 0
    order_gen = torch.Generator().manual_seed(a.init_seed + 1)
    flip_gen = torch.Generator().manual_seed(a.init_seed + 2)
    os.makedirs(a.work, exist_ok=True)
    for epoch in range(a.epochs):
        t0 = time.time()
        net.train()
        loss_sum, correct, seen, lr = 0.0, 0, 0, a.lr
        for s in range(shards_per_epoch):
            k = (epoch * shards_per_epoch + s) % stream_shards
            x, t = stream.shard(k)
            perm = torch.randperm(n, generator=order_gen)
            for b in range(0, n, a.batch):
                idx = perm[b : b + a.batch]
                lr = cosine_lr(a.lr, step / total_steps)
                for g in opt.param_groups:
                    g["lr"] = lr
                batch_x = x[idx]
                if a.flips:
                    batch_x = random_flips(batch_x, flip_gen)
                logits = net(batch_x)
                target = t[idx]
                loss = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                loss_sum += loss.item() * len(idx)
                correct += int((logits.argmax(1) == target.argmax(1)).sum())
                seen += len(idx)
        calibrate(net, calib_x, a.batch)
        path = os.path.join(a.work, "epoch-%03d.json" % (epoch + 1))
        export(net, path, filters)
        print(json.dumps({"epoch": epoch + 1, "weights": path, "loss": loss_sum / seen, "acc": correct / seen, "seconds": time.time() - t0, "lr": lr}), flush=True)


if __name__ == "__main__":
    main()
