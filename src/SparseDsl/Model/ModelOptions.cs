namespace SparseDsl;

/// <summary>Run-time choices for building a declared model, so sweeps need not edit attributes.</summary>
public sealed record ModelOptions
{
    /// <summary>SP, μP or SμPar (default).</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;

    /// <summary>The base hyperparameters to transfer (default: the paper's).</summary>
    public BaseHyperparameters Hyperparameters { get; init; } = BaseHyperparameters.Paper;

    /// <summary>When set, replaces the declared sparsity of every <see cref="SparseLinearAttribute"/> layer.</summary>
    public double? Sparsity { get; init; }

    /// <summary>
    /// Per-layer sparsity overrides, applied after <see cref="Sparsity"/>. A key is a layer's full state-dict name
    /// (<c>blocks.0.mlp.up</c>) or a dotted suffix of it (<c>mlp.up</c> or <c>up</c>: every block's <c>up</c> layer);
    /// where several keys match a layer, the longest wins. A key that matches no sparse layer is an error.
    /// </summary>
    public IReadOnlyDictionary<string, double>? LayerSparsity { get; init; }

    /// <summary>When set, replaces the declared depth of every <see cref="RepeatAttribute"/> stack (at least 1).</summary>
    public int? Depth { get; init; }

    /// <summary>
    /// How hyperparameters transfer across depth (default <see cref="SparseDsl.DepthRule.None"/>, today's SμPar):
    /// depth-μP or CompleteP scale each <see cref="RepeatAttribute"/> stack's residual branches and in-branch tensors
    /// by its <c>m_L = depth / base depth</c> (docs/depth.md).
    /// </summary>
    public DepthRule DepthRule { get; init; } = DepthRule.None;

    /// <summary>
    /// When set, the size of the dimension <c>"vocab"</c> (e.g. a tokenizer's vocabulary), in place of
    /// <see cref="WidthAttribute.Vocab"/>. Positive; finite, so it changes no scaling multiplier.
    /// </summary>
    public int? Vocabulary { get; init; }

    /// <summary>
    /// How masked weights are stored: <see cref="WeightStorage.Auto"/> (default) lets <see cref="SparseDispatch"/> pick
    /// per layer from its measured crossover; <see cref="WeightStorage.Dense"/> or <see cref="WeightStorage.Sparse"/>
    /// force one path. Checkpoints written before sparse storage existed resume with <see cref="WeightStorage.Dense"/>.
    /// </summary>
    public WeightStorage Storage { get; init; } = WeightStorage.Auto;

    /// <summary>
    /// Whether blocks run through <see cref="BlockRecompute.Call{TBlock}"/> keep only their input for the backward pass
    /// and recompute their activations during it (activation checkpointing): a training step then holds one block's
    /// activations at a time rather than every block's, for about one more forward pass of compute. Gradients are those of
    /// the plain forward. Off by default; a model with an <see cref="ExpertsAttribute"/> bank refuses it, because its
    /// balance loss is taken from the forward pass.
    /// </summary>
    public bool RecomputeBlocks { get; init; }

    /// <summary>
    /// When set, replaces the declared balance-loss coefficient (<see cref="ExpertsAttribute.BalanceLoss"/>) of every
    /// <see cref="ExpertsAttribute"/> bank: finite and non-negative. A model without an expert bank refuses it.
    /// </summary>
    public double? BalanceLoss { get; init; }

    /// <summary>The default options: SμPar with the paper's hyperparameters and the declared sparsities and depths.</summary>
    public static ModelOptions Default { get; } = new();
}
