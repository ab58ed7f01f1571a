namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// The grid of a coordinate check across depth (docs/depth.md §4.1, after CompleteP's Fig. 7 at CPU scale): for each
/// depth rule and density, train the LM for a few steps at each depth (fixed width), recording the mean |output| of
/// the residual stream after the last block and of every attention and MLP branch at every step.
/// </summary>
public sealed record DepthCoordinateCheckSettings
{
    /// <summary>The LM, by its name in <see cref="Gpt.LanguageModels"/> (default: the paper's tied <c>GptLm</c>, base depth 2).</summary>
    public string Model { get; init; } = Gpt.LanguageModels.Default.Name;

    /// <summary>The width/density parameterization every run uses (default SμPar).</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;

    /// <summary>Depth rules to compare (default none, depth-μP, CompleteP).</summary>
    public IReadOnlyList<DepthRule> DepthRules { get; init; } = [DepthRule.None, DepthRule.DepthMuP, DepthRule.CompleteP];

    /// <summary>Depths (blocks) of the sweep (default 2, 4, 8, 16: m_L 1…8 over the example's base depth 2).</summary>
    public IReadOnlyList<int> Depths { get; init; } = [2, 4, 8, 16];

    /// <summary>The width every run uses (default 256, the base width, so only depth varies).</summary>
    public int Width { get; init; } = 256;

    /// <summary>Densities, one depth sweep each (default 1; the committed check adds 1/8).</summary>
    public IReadOnlyList<double> Densities { get; init; } = [1];

    /// <summary>Training steps recorded per run (default 10, as in CompleteP's check).</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Seeds per cell (default 3).</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Sequences per step (default 8).</summary>
    public int Batch { get; init; } = 8;

    /// <summary>Sequence length (default 64).</summary>
    public int Context { get; init; } = 64;

    /// <summary>Base hyperparameters (default: the paper's), used at a constant learning rate.</summary>
    public BaseHyperparameters Hyperparameters { get; init; } = BaseHyperparameters.Paper;

    /// <summary>Every (rule, density, depth, seed) run, shallow first.</summary>
    public IReadOnlyList<(DepthRule Rule, double Density, int Depth, int Seed)> Runs() =>
        (from density in Densities
         from rule in DepthRules
         from depth in Depths.Order()
         from seed in Enumerable.Range(0, Seeds)
         select (rule, density, depth, seed)).ToList();

    /// <summary>The model options of one run.</summary>
    public ModelOptions Options(DepthRule rule, double density, int depth) => new()
    {
        Parameterization = Parameterization,
        DepthRule = rule,
        Hyperparameters = Hyperparameters,
        Sparsity = 1 - density,
        Depth = depth,
    };
}
