using SparseDsl.Experiments.Sweep;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Sweep;

/// <summary>
/// μTransfer across sparsity, the paper's central claim (Dey et al. 2024, Fig. 1), on a small seeded grid that runs in
/// CI time: under SμPar the best base LR stays put as sparsity goes from 0 to 0.9375, under SP it moves, and at the
/// high sparsity SμPar's best run beats SP's. The full-size sweep is the `sweep` command (docs/sweep/).
/// </summary>
[Trait("Category", "Slow")]
public sealed class MuTransferTests
{
    // Width 64 (two heads), one block, 60 steps of 8 × 32 bytes: about 0.4 s a run, 40 runs.
    private static readonly SweepSettings Grid = new()
    {
        Parameterizations = [Parameterization.Standard, Parameterization.SuPar],
        Sparsities = [0, 0.9375],
        Widths = [64],
        Log2LearningRates = [-12, -11, -10, -9, -8, -7, -6, -5, -4, -3],
        Steps = 60,
        Depth = 1,
        Batch = 8,
        Context = 32,
    };

    [Fact]
    public void SuPar_keeps_the_optimal_learning_rate_across_sparsity_and_SP_does_not()
    {
        using var corpus = SparseDsl.Experiments.BundledCorpus.Open();
        var records = new List<SweepRecord>();
        SweepRunner.RunAll(Grid, Grid.Runs(), corpus, TestDevice.Current, parallelRuns: 1, records.Add);
        var optima = SweepAnalysis.Optima(records);
        string table = SweepAnalysis.Markdown(optima);

        int suParDrift = SweepAnalysis.Drift(optima, Parameterization.SuPar, 64);
        int spDrift = SweepAnalysis.Drift(optima, Parameterization.Standard, 64);
        Assert.True(suParDrift <= 1, $"SμPar's optimal LR moved {suParDrift} powers of 2 across sparsity:\n{table}");
        Assert.True(spDrift >= 2, $"SP's optimal LR moved only {spDrift} powers of 2 across sparsity:\n{table}");

        double suParBest = optima.Single(o => o.Parameterization == Parameterization.SuPar && o.Sparsity == 0.9375).Loss;
        double spBest = optima.Single(o => o.Parameterization == Parameterization.Standard && o.Sparsity == 0.9375).Loss;
        Assert.True(suParBest < spBest, $"At sparsity 0.9375 SμPar's best loss {suParBest} is not below SP's {spBest}:\n{table}");
    }
}
