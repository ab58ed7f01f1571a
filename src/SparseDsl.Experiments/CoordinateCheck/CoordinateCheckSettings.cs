namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// The grid of a coordinate check (Dey et al. 2024, Fig. 5, at CPU scale): for each parameterization, train the model
/// (an <see cref="ICoordinateCheckFamily"/>) for a few steps at each density (at <see cref="DensitySweepWidth"/>) and at
/// each width (at <see cref="WidthSweepDensity"/>), recording the mean |output| of the family's probed blocks at every
/// step. The defaults are the LMs' grid; <see cref="Vision.VisionFamily.Defaults"/> gives the vision models'.
/// </summary>
public sealed record CoordinateCheckSettings
{
    /// <summary>Parameterizations to compare (default SP, μP, SμPar).</summary>
    public IReadOnlyList<Parameterization> Parameterizations { get; init; } = [Parameterization.Standard, Parameterization.MuP, Parameterization.SuPar];

    /// <summary>Densities ρ = 1 − sparsity of the density sweep (default 2⁰…2⁻⁴, the paper's range).</summary>
    public IReadOnlyList<double> Densities { get; init; } = [1, 0.5, 0.25, 0.125, 0.0625];

    /// <summary>Width of the density sweep (default 256, the base width).</summary>
    public int DensitySweepWidth { get; init; } = 256;

    /// <summary>Widths of the width sweep (default 64…512). Must be widths the model takes: multiples of the head dimension (32) for the GPT, of 128 for the Llama.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512];

    /// <summary>Density of the width sweep (default 1/16: the sparse regime SμPar is for).</summary>
    public double WidthSweepDensity { get; init; } = 0.0625;

    /// <summary>Training steps recorded per run (default 10, as in the paper).</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Seeds per cell (default 3); seed k builds the model and draws the batches from seed k.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Transformer blocks of an LM or a ViT (default 2); the ConvNet has none to set.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Sequences (or images) per step (default 8).</summary>
    public int Batch { get; init; } = 8;

    /// <summary>Sequence length of an LM (default 64).</summary>
    public int Context { get; init; } = 64;

    /// <summary>Base hyperparameters (default: the paper's), used at a constant learning rate.</summary>
    public BaseHyperparameters Hyperparameters { get; init; } = BaseHyperparameters.Paper;

    /// <summary>The distinct (width, density) cells of both sweeps, density sweep first (a cell in both runs once).</summary>
    public IReadOnlyList<(int Width, double Density)> Cells() =>
        Densities.Select(d => (DensitySweepWidth, d)).Concat(Widths.Select(w => (w, WidthSweepDensity))).Distinct().ToList();

    /// <summary>Number of training runs the grid makes.</summary>
    public int RunCount => Parameterizations.Count * Cells().Count * Seeds;
}
