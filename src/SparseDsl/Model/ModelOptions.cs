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

    /// <summary>Per-layer sparsity overrides by layer name (the property name); applied after <see cref="Sparsity"/>.</summary>
    public IReadOnlyDictionary<string, double>? LayerSparsity { get; init; }

    /// <summary>The default options: SμPar with the paper's hyperparameters and the declared sparsities.</summary>
    public static ModelOptions Default { get; } = new();
}
