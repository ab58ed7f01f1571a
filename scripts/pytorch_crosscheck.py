#!/usr/bin/env python3
"""Cross-check a SparseDsl safetensors export of the example GPT in plain PyTorch.

A folded export (``export --fold``) is loaded into ``PlainGpt``: nn.Embedding, nn.LayerNorm, nn.Linear and causal
attention scaled by the usual 1/sqrt(d_head) with ALiBi biases; no muP machinery and no multiplier anywhere. An
unfolded export is run through the same module with the metadata's multipliers applied by hand in the forward pass
(alpha_input on the embedding, alpha_output/m_d on the readout, the logit scale on q.k, and a depth rule's
m_L^(-alpha) on each residual branch; SparseDsl refuses to fold a depth rule other than none). Either way the logits must
match the ones SparseDsl computed for the same tokens, stored in a reference file (tensors ``tokens`` and ``logits``).

    python3 scripts/pytorch_crosscheck.py --check model.safetensors reference.safetensors [--check ...] [--tolerance 1e-4]

Prints one JSON line per check and exits 0 when every check is within the tolerance: max |ours - theirs| over
max |theirs|, the largest logit difference relative to the logits' scale. Reads safetensors with the standard library
and torch only (Debian's python3-torch has no safetensors package).
"""
import argparse
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {
    "F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def load_safetensors(path):
    """The tensors and the __metadata__ map of a safetensors file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]]) if end > begin else torch.empty(0, dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors, metadata


def densify(tensors, metadata):
    """Weights written as stored (export --sparse-pattern) made dense with PyTorch's own CSR tensor."""
    for name, entry in json.loads(metadata.get("sparse_tensors", "{}")).items():
        if entry["layout"] != "csr":
            sys.exit(f"sparse tensor {name} has layout {entry['layout']}, not csr")
        crow, col, values = (tensors.pop(entry[k]) for k in ("crow_indices", "col_indices", "values"))
        dense = torch.sparse_csr_tensor(crow, col, values, entry["shape"]).to_dense()
        # A convolution's weight is stored as its [out, in*k*k] flattening; files from before that have no dense_shape.
        tensors[name] = dense.reshape(entry.get("dense_shape", entry["shape"]))
    return tensors


def alibi_slopes(heads):
    """Press et al.'s ALiBi slopes: 2^(-8i/n) for a power of two n, interleaved otherwise (as SparseDsl's)."""
    def power_of_two(n):
        return [2.0 ** (-8.0 * i / n) for i in range(1, n + 1)]
    closest = 1 << int(math.floor(math.log2(heads)))
    if closest == heads:
        return power_of_two(heads)
    return power_of_two(closest) + power_of_two(2 * closest)[0::2][: heads - closest]


class Attention(nn.Module):
    """Causal multi-head attention with ALiBi: softmax(q k^T * scale + bias) v, scale 1/sqrt(d_head) unless told."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.query = nn.Linear(width, width, bias=False)
        self.key = nn.Linear(width, width, bias=False)
        self.value = nn.Linear(width, width, bias=False)
        self.output = nn.Linear(width, width, bias=False)
        self.register_buffer("slopes", torch.tensor(alibi_slopes(heads), dtype=torch.float32), persistent=False)
        self.logit_scale = 1.0 / math.sqrt(self.head_dim)  # the plain transformer's; the unfolded check sets SparseDsl's

    def forward(self, x):
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        positions = torch.arange(t, dtype=torch.float32)
        distance = -(positions[None, :] - positions[:, None]).abs()
        bias = self.slopes.view(-1, 1, 1) * distance[None]
        bias = bias.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1)[None], float("-inf"))
        scores = q @ k.transpose(-2, -1) * self.logit_scale + bias
        context = F.softmax(scores, dim=-1) @ v
        return self.output(context.transpose(1, 2).reshape(b, t, -1))


class SwiGlu(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.gate = nn.Linear(width, 4 * width, bias=False)
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    def __init__(self, width, heads, eps):
        super().__init__()
        self.attention_norm = nn.LayerNorm(width, eps=eps)
        self.attention = Attention(width, heads)
        self.mlp_norm = nn.LayerNorm(width, eps=eps)
        self.mlp = SwiGlu(width)
        self.residual_multiplier = 1.0  # m_L^(-alpha) of a depth rule (unfolded exports only); 1 without one

    def forward(self, x):
        x = x + self.residual_multiplier * self.attention(self.attention_norm(x))
        return x + self.residual_multiplier * self.mlp(self.mlp_norm(x))


class PlainGpt(nn.Module):
    """The example GptLm as an ordinary PyTorch transformer, with state-dict names equal to SparseDsl's."""

    def __init__(self, vocab, width, depth, heads, eps):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width, heads, eps) for _ in range(depth))
        self.final_norm = nn.LayerNorm(width, eps=eps)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.input_multiplier = 1.0   # all 1 for a folded export: nothing but ordinary layers
        self.output_multiplier = 1.0

    def forward(self, ids):
        h = self.embed(ids) * self.input_multiplier
        for block in self.blocks:
            h = block(h)
        return self.lm_head(self.final_norm(h)) * self.output_multiplier


def build(tensors, metadata):
    """PlainGpt with the file's weights; for an unfolded file, SparseDsl's multipliers set from the metadata."""
    folded = metadata.get("folded") == "true"
    attention = json.loads(metadata["attention"])
    for name, a in attention.items():
        if a["positions"] != "Alibi" or not a["causal"] or a["qk_norm"] or a["key_value_heads"] != a["heads"]:
            sys.exit(f"{name}: this script implements the example GPT (causal ALiBi attention, no QK-norm, no grouped queries)")
    vocab, width = tensors["embed.weight"].shape
    depth = len(attention)
    heads = next(iter(attention.values()))["heads"]
    model = PlainGpt(vocab, width, depth, heads, float(metadata.get("norm_epsilon", "1e-5")))

    # A depth rule multiplies every residual branch of the "blocks" stack by m_L^(-alpha); files written before depth
    # rules existed have neither key, and mean none.
    depth_rule = metadata.get("depth_rule", "none")
    stacks = json.loads(metadata.get("residual_stacks", "{}"))
    if folded and depth_rule != "none":
        sys.exit(f"a folded export cannot carry depth rule {depth_rule}: SparseDsl refuses to fold it; export unfolded")
    unknown = [n for n, s in stacks.items() if n != "blocks" and s["residual_multiplier"] != 1.0]
    if unknown:
        sys.exit(f"residual multipliers of stacks this script does not know: {unknown}")
    if "blocks" in stacks:
        for block in model.blocks:
            block.residual_multiplier = stacks["blocks"]["residual_multiplier"]

    state = {name: t for name, t in tensors.items() if not name.endswith(".mask")}  # the weights already equal W * M
    ties = json.loads(metadata["tied"])
    if not folded:
        # By hand, from the metadata: the tied readout reads the embedding table, each layer's multiplier goes on its
        # output, and attention logits take SparseDsl's scale (1/d_head under muP and SmuPar) instead of 1/sqrt(d_head).
        multipliers = json.loads(metadata["multipliers"])
        for readout, table in ties.items():
            state[readout] = state[table]
        model.input_multiplier = multipliers["embed.weight"]
        model.output_multiplier = multipliers["lm_head.weight"]
        for i, block in enumerate(model.blocks):
            block.attention.logit_scale = attention[f"blocks.{i}.attention.attention"]["logit_scale"]
        unexpected = [n for n, m in multipliers.items() if m != 1.0 and n not in ("embed.weight", "lm_head.weight")]
        if unexpected:
            sys.exit(f"multipliers this script does not apply: {unexpected}")
    elif ties:
        sys.exit(f"a folded export must be untied, but its metadata ties {ties}")
    # SparseDsl's norms have no bias: the plain LayerNorms get zero biases.
    for name, module in model.named_modules():
        if isinstance(module, nn.LayerNorm) and f"{name}.bias" not in state:
            state[f"{name}.bias"] = torch.zeros(width)
    model.load_state_dict(state, strict=True)
    return model.eval()


def check(weights, reference, tolerance):
    tensors, metadata = load_safetensors(weights)
    tensors = densify(tensors, metadata)
    expected, _ = load_safetensors(reference)
    model = build(tensors, metadata)
    with torch.no_grad():
        logits = model(expected["tokens"])
    theirs = expected["logits"]
    if logits.shape != theirs.shape:
        sys.exit(f"{weights}: logits of shape {tuple(logits.shape)}, expected {tuple(theirs.shape)}")
    difference = (logits - theirs).abs().max().item()
    scale = theirs.abs().max().item()
    result = {
        "weights": weights, "folded": metadata.get("folded") == "true", "model": metadata.get("model"),
        "parameterization": metadata.get("parameterization"), "logits": list(theirs.shape),
        "max_abs_diff": difference, "max_abs_logit": scale, "relative": difference / scale, "tolerance": tolerance,
        "torch": torch.__version__,
    }
    print(json.dumps(result), flush=True)
    return result["relative"] <= tolerance


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", nargs=2, action="append", required=True, metavar=("WEIGHTS", "REFERENCE"),
                        help="a safetensors export and the reference tokens and logits SparseDsl computed")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed max|diff| / max|logit| (default 1e-4)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # deterministic and light on a shared machine
    ok = [check(weights, reference, args.tolerance) for weights, reference in args.check]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
