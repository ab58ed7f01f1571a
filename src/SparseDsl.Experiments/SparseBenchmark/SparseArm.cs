using System.Text.Json.Serialization;

namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>One arm of the sparse-storage benchmark: a model, its storage and the run it times.</summary>
/// <param name="Model">The LM (<see cref="Gpt.LanguageModels"/> name).</param>
/// <param name="Width">Model width.</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="Sparsity">Every sparse layer's sparsity.</param>
/// <param name="Storage">Dense (masked) or sparse storage of the masked weights; Auto leaves it to the dispatch rule.</param>
/// <param name="Batch">Sequences per step.</param>
/// <param name="Context">Tokens per sequence.</param>
/// <param name="Steps">Timed optimizer steps.</param>
/// <param name="Warmup">Untimed steps first (allocator, caches, page faults).</param>
/// <param name="Seed">Weights, masks and batches.</param>
/// <param name="Threads">Torch threads.</param>
/// <param name="Checkpoint">Also save a checkpoint (model and optimizer) and report its size.</param>
/// <param name="Recompute">Recompute each block's activations in the backward pass (<see cref="ModelOptions.RecomputeBlocks"/>).</param>
public sealed record SparseArm(string Model, int Width, int Depth, double Sparsity, WeightStorage Storage, int Batch, int Context,
    long Steps, long Warmup, long Seed, int Threads, bool Checkpoint, bool Recompute = false)
{
    /// <summary>Tokens trained per step.</summary>
    public long TokensPerStep => (long)Batch * Context;
}

/// <summary>What one arm measured.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="WallSeconds">Wall time of the timed steps.</param>
/// <param name="CpuSeconds">Process CPU time of the timed steps (all threads).</param>
/// <param name="Losses">The training loss of every step, warm-up included.</param>
/// <param name="PeakRssBytes">The process's peak resident set (VmHWM), or -1 where the OS does not report it.</param>
/// <param name="CheckpointBytes">The checkpoint's size, or -1 when none was written.</param>
/// <param name="SparseLayers">Masked layers stored sparse.</param>
/// <param name="MaskedLayers">Masked layers.</param>
/// <param name="MatmulIdeal">Dense MACs per token over the MACs left when every sparse-stored layer does only its kept products (ModelCost).</param>
/// <param name="Load">The load average before and after the arm.</param>
/// <param name="Machine">CPU and threads.</param>
public sealed record SparseArmResult(SparseArm Arm, double WallSeconds, double CpuSeconds, double[] Losses, long PeakRssBytes, long CheckpointBytes,
    int SparseLayers, int MaskedLayers, double MatmulIdeal, string[] Load, string Machine)
{
    /// <summary>Training tokens per wall-clock second over the timed steps.</summary>
    [JsonIgnore]
    public double TokensPerSecond => Arm.Steps * Arm.TokensPerStep / WallSeconds;

    /// <summary>Training tokens per CPU second: the work a step costs, which other processes on the machine barely change.</summary>
    [JsonIgnore]
    public double TokensPerCpuSecond => Arm.Steps * Arm.TokensPerStep / CpuSeconds;
}

[JsonSerializable(typeof(SparseArm))]
[JsonSerializable(typeof(SparseArmResult))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class SparseBenchmarkJsonContext : JsonSerializerContext;
