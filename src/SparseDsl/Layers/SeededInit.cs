using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Reproducible initialisation. Every tensor draws from its own generator, seeded from the model seed, the layer
/// name and a stream name, so one layer's draws do not depend on which other layers exist or their order, and
/// a model built with the same seed is identical on every worker and device (draws happen on the CPU).
/// </summary>
internal static class SeededInit
{
    /// <summary>A 64-bit seed stable across processes (FNV-1a; <see cref="string.GetHashCode()"/> is randomised).</summary>
    public static ulong DeriveSeed(long seed, string layer, string stream)
    {
        ulong hash = 14695981039346656037UL;
        void Mix(byte b) { hash ^= b; hash *= 1099511628211UL; }
        foreach (byte b in BitConverter.GetBytes(seed)) Mix(b);
        foreach (char ch in layer + "\0" + stream) { Mix((byte)ch); Mix((byte)(ch >> 8)); }
        return hash;
    }

    /// <summary>A float32 CPU tensor of the given shape drawn from N(0, std²).</summary>
    public static Tensor Normal(long[] shape, double std, long seed, string layer, string stream)
    {
        using var generator = new Generator(DeriveSeed(seed, layer, stream), CPU);
        var t = empty(shape, ScalarType.Float32, CPU);
        if (std == 0) return t.zero_();
        return t.normal_(0.0, std, generator);
    }

    /// <summary>
    /// A 0/1 float32 CPU mask with exactly <c>round(density · numel)</c> ones at uniformly random positions
    /// (sampling without replacement), so the layer's density is exact rather than Bernoulli-distributed.
    /// </summary>
    public static Tensor ExactMask(long[] shape, double density, long seed, string layer)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        long keep = (long)Math.Round(density * numel, MidpointRounding.ToEven);
        if (keep < 1)
            throw new ArgumentException($"Layer '{layer}': density {density} keeps no weight of {numel}; lower the sparsity or raise the width.");
        using var generator = new Generator(DeriveSeed(seed, layer, "mask"), CPU);
        using var order = randperm(numel, ScalarType.Int64, CPU, generator: generator);
        using var kept = order.narrow(0, 0, keep);
        // The flat tensor is disposed here and the shaped view keeps its storage: left to the finalizer, the flat handle
        // would hold every layer's mask memory until a GC (about 0.4 GB for a width-1024 GPT built with sparse storage).
        using var flat = zeros(numel, ScalarType.Float32, CPU);
        flat.index_fill_(0, kept, 1.0);
        return flat.reshape(shape);
    }
}
