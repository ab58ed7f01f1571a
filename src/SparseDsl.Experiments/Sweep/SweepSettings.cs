using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// A learning-rate sweep (Dey et al. 2024, Fig. 1/6, at CPU scale): parameterization × sparsity × width × base LR
/// (powers of 2) × seed, each cell one short training run of one of the example's LMs with its generated trainer and
/// the paper's schedule. The other base hyperparameters are the paper's. The defaults are the committed GPT sweep
/// (docs/sweep), about half an hour on 2 cores.
/// </summary>
public sealed record SweepSettings
{
    /// <summary>The LM every run trains, by its name in <see cref="LanguageModels"/> (default: the paper's tied <c>GptLm</c>).</summary>
    public string Model { get; init; } = LanguageModels.Default.Name;

    /// <summary>Parameterizations to compare (default SP, μP, SμPar).</summary>
    public IReadOnlyList<Parameterization> Parameterizations { get; init; } = [Parameterization.Standard, Parameterization.MuP, Parameterization.SuPar];

    /// <summary>Sparsities of every sparse layer (default 0 … 0.96875, densities 2⁰ … 2⁻⁵).</summary>
    public IReadOnlyList<double> Sparsities { get; init; } = [0, 0.5, 0.75, 0.875, 0.9375, 0.96875];

    /// <summary>Model widths (default 64 and 128, CPU scale; multiples of the head dimension, 32).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 128];

    /// <summary>Base learning rates as powers of 2: η_base = 2^k (default 2⁻¹² … 2⁻⁴).</summary>
    public IReadOnlyList<int> Log2LearningRates { get; init; } = [-12, -11, -10, -9, -8, -7, -6, -5, -4];

    /// <summary>Seeds per cell (default 1); seed k builds the model and draws the batches.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Optimizer steps per run, under the paper's schedule (10% warm-up, linear decay to 1/10).</summary>
    public long Steps { get; init; } = 200;

    /// <summary>Transformer blocks (default 2) when the sweep has no depth axis.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>The depth axis (null: every run at <see cref="Depth"/>, and the results file has no depth columns).</summary>
    public IReadOnlyList<int>? Depths { get; init; }

    /// <summary>Depth rules to compare (default none alone).</summary>
    public IReadOnlyList<DepthRule> DepthRules { get; init; } = [DepthRule.None];

    /// <summary>Whether runs differ in depth or depth rule: the results carry depth columns and the summary compares depths.</summary>
    public bool HasDepthAxis => Depths is not null || DepthRules.Count != 1 || DepthRules[0] != DepthRule.None;

    /// <summary>Sequences per step (default 16).</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Sequence length in bytes (default 64).</summary>
    public int Context { get; init; } = 64;

    /// <summary>Training text (null: the bundled corpus, unless <see cref="Tokens"/> is set).</summary>
    public string? Data { get; init; }

    /// <summary>A token file made by <c>prepare</c> to train on instead of text (null: text, one token per byte).</summary>
    public string? Tokens { get; init; }

    /// <summary>The tokenizer that made <see cref="Tokens"/> (<c>bytes</c> for text).</summary>
    public string Tokenizer { get; init; } = Tokenization.Tokenizers.Default;

    /// <summary>The models' vocabulary when it is not the declared 256 bytes (from the token file), else null.</summary>
    public int? Vocabulary { get; init; }

    /// <summary>Every run of the grid, in a fixed order (cheapest widths first, so early results come soon).</summary>
    public IReadOnlyList<SweepRun> Runs() =>
        (from width in Widths.Order()
         from depth in Depths?.Order().ToList() ?? [0]
         from parameterization in Parameterizations
         from rule in DepthRules
         from sparsity in Sparsities
         from log2 in Log2LearningRates
         from seed in Enumerable.Range(1, Seeds)
         select new SweepRun(parameterization, sparsity, width, log2, seed) { Depth = depth, DepthRule = rule }).ToList();

    /// <summary>The train settings of one run: this sweep's shared settings with the run's own cell.</summary>
    public RunConfig Config(SweepRun run) => new()
    {
        Model = Model,
        Parameterization = run.Parameterization,
        Sparsity = run.Sparsity,
        Width = run.Width,
        LearningRate = run.LearningRate,
        Seed = run.Seed,
        Steps = Steps,
        Depth = run.Depth > 0 ? run.Depth : Depth,
        DepthRule = run.DepthRule,
        Batch = Batch,
        Context = Context,
        Data = Data,
        Tokens = Tokens,
        Tokenizer = Tokenizer,
        Vocabulary = Vocabulary,
        Sat = false, // the sweep measures SμPar's LR transfer alone; SAT would change the trained sub-networks
    };

    /// <summary>Refuses grids that cannot run, naming the offending value.</summary>
    public void Validate()
    {
        if (Parameterizations.Count == 0 || Sparsities.Count == 0 || Widths.Count == 0 || Log2LearningRates.Count == 0)
            throw new ArgumentException("Every sweep axis needs at least one value.");
        foreach (double sparsity in Sparsities)
        {
            if (sparsity is < 0 or >= 1) throw new ArgumentException($"Sparsity {sparsity} is outside [0, 1).");
        }
        foreach (int width in Widths)
        {
            if (width <= 0 || width % 32 != 0) throw new ArgumentException($"Width {width} is not a positive multiple of the head dimension 32.");
        }
        if (Seeds <= 0 || Steps <= 0 || Depth <= 0 || Batch <= 0 || Context <= 0)
            throw new ArgumentException("Seeds, steps, depth, batch and context must be positive.");
        if (Depths is { } depths && (depths.Count == 0 || depths.Any(d => d <= 0)))
            throw new ArgumentException("The depth axis needs positive depths.");
        if (DepthRules.Count == 0) throw new ArgumentException("Every sweep axis needs at least one value.");
        // The model's own rules (the Llama's width/4 key/value heads need widths that are multiples of 128): its plan says.
        var model = LanguageModels.Named(Model);
        foreach (int width in Widths)
            foreach (int depth in Depths ?? [Depth])
                foreach (var rule in DepthRules)
                    model.Plan(width, new ModelOptions { Depth = depth, DepthRule = rule, Vocabulary = Vocabulary });
    }
}

/// <summary>One cell of the sweep: one training run.</summary>
public sealed record SweepRun(Parameterization Parameterization, double Sparsity, int Width, int Log2LearningRate, int Seed)
{
    /// <summary>The run's depth on a depth axis; 0: the sweep's shared <see cref="SweepSettings.Depth"/>.</summary>
    public int Depth { get; init; }

    /// <summary>The run's depth rule (none unless the sweep compares rules).</summary>
    public DepthRule DepthRule { get; init; }

    /// <summary>η_base = 2^<see cref="Log2LearningRate"/>.</summary>
    public double LearningRate => Math.Pow(2, Log2LearningRate);

    /// <summary>A stable identity for resuming: the CSV row of a finished run carries it (sweeps without a depth axis keep their old keys).</summary>
    public string Key => FormattableString.Invariant($"{Parameterization.Token()}|{Sparsity:R}|{Width}|{Log2LearningRate}|{Seed}")
        + (Depth == 0 && DepthRule == DepthRule.None ? "" : FormattableString.Invariant($"|{Depth}|{DepthRule.Token()}"));
}
