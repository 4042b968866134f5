"""All-reduce timing with torch.distributed over Gloo, one process per netloom node.

Run by Labs/torch-gloo.yaml through netloom's exec plugin, which sets RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT and GLOO_SOCKET_IFNAME (the env:// rendezvous torchrun uses).
Prints one line per iteration and, on rank 0, the nccl-tests figures algbw and busbw.
"""
import argparse
import os
import time

import torch
import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--size-mib", type=float, default=64)
parser.add_argument("--iterations", type=int, default=10)
parser.add_argument("--warmup", type=int, default=2)
args = parser.parse_args()

dist.init_process_group("gloo", init_method="env://")
rank, world = dist.get_rank(), dist.get_world_size()
tensor = torch.ones(int(args.size_mib * 2**20 / 4), dtype=torch.float32)
size = tensor.numel() * tensor.element_size()
print(f"rank {rank}/{world} on {os.environ.get('NETLOOM_NODE')} via {os.environ.get('GLOO_SOCKET_IFNAME')}", flush=True)

times = []
for i in range(args.warmup + args.iterations):
    dist.barrier()
    start = time.perf_counter()
    dist.all_reduce(tensor)
    elapsed = time.perf_counter() - start
    if i >= args.warmup:
        times.append(elapsed)
        print(f"iteration {i - args.warmup} {elapsed * 1e3:.2f} ms", flush=True)

mean = sum(times) / len(times)
algbw = size / mean / 1e9
if rank == 0:
    print(f"all_reduce {size} bytes x {world} ranks: {mean * 1e3:.2f} ms, algbw {algbw:.3f} GB/s, "
          f"busbw {algbw * 2 * (world - 1) / world:.3f} GB/s")
dist.destroy_process_group()
