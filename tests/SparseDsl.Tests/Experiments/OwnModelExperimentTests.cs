using SparseDsl.Experiments;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Sweep;
using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Tests.Experiments;

/// <summary>
/// The library API on a model the library has never seen: a two-cell LR sweep and a coordinate check of
/// <see cref="OwnLm"/>, as the README's console example runs them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OwnModelExperimentTests : IDisposable
{
    // As the README's program makes it: outside the model's type, whose generated statics are then set.
    private static readonly LanguageModelEntry Entry = LanguageModelEntry.Of(OwnLm.Declaration, OwnLm.BaseWidth, OwnLm.FromRecipe, OwnLm.Trainer.Resume);

    // The sweep sets torch's process-wide thread count for its runs: keeping the current one leaves the tests running
    // beside this one undisturbed.
    private static int Threads => TorchSharp.torch.get_num_threads();

    private readonly TempFolder _folder = new("sparsedsl-own-");

    public OwnModelExperimentTests() => LanguageModels.Add(Entry);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_user_model_added_by_name_runs_a_two_cell_sweep_that_resumes()
    {
        var settings = new SweepSettings
        {
            Model = nameof(OwnLm),
            Parameterizations = [Parameterization.SuPar],
            Sparsities = [0.875],
            Widths = [64],
            Log2LearningRates = [-8, -6],
            Seeds = 1,
            Steps = 3,
            Batch = 2,
            Context = 16,
        };
        var log = new StringWriter();
        Assert.Equal(0, LearningRateSweep.Run(settings, _folder.Path, "cpu", parallelRuns: 1, threadsPerRun: Threads, log));

        var rows = File.ReadAllLines(Path.Combine(_folder.Path, LearningRateSweep.CsvFile));
        Assert.Equal(3, rows.Length); // header and the two cells
        Assert.Contains("model=OwnLm", File.ReadAllText(Path.Combine(_folder.Path, LearningRateSweep.SettingsFile)));
        Assert.Contains("Sweep of OwnLm: 2 runs", log.ToString());
        Assert.True(File.Exists(Path.Combine(_folder.Path, LearningRateSweep.SummaryFile)));

        // The same call again finds both cells done: the folder resumes by the model's name.
        var again = new StringWriter();
        Assert.Equal(0, LearningRateSweep.Run(settings, _folder.Path, "cpu", parallelRuns: 1, threadsPerRun: Threads, again));
        Assert.Contains("2 already done, 0 to run", again.ToString());
    }

    [Fact]
    public void A_user_model_runs_a_coordinate_check_across_width_and_density()
    {
        var settings = new CoordinateCheckSettings
        {
            Steps = 2,
            Seeds = 1,
            Densities = [1, 0.25],
            DensitySweepWidth = 64,
            Widths = [64, 128],
            WidthSweepDensity = 0.25,
            Batch = 2,
            Context = 16,
        };
        using var corpus = TrainingCorpus.Open(null, null);
        var log = new StringWriter();
        Assert.Equal(0, CoordinateCheckJob.Run(settings, new LanguageModelFamily(Entry, corpus), _folder.Path, TestDevice.Current, log));

        var rows = File.ReadAllLines(Path.Combine(_folder.Path, "coord-check.csv")).Skip(1).ToList();
        // 3 parameterizations × 3 cells (64 at density 1 and 0.25, 128 at 0.25) × 2 steps × 2 blocks.
        Assert.Equal(3 * 3 * 2 * 2, rows.Count);
        Assert.All(rows, r => Assert.True(double.Parse(r.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Contains("Coordinate check of OwnLm", log.ToString());
    }

    [Fact]
    public void A_second_model_under_a_known_name_is_refused()
    {
        var impostor = LanguageModelEntry.Of(OwnLm.Declaration, 128, OwnLm.FromRecipe, OwnLm.Trainer.Resume);
        var refused = Assert.Throws<ArgumentException>(() => LanguageModels.Add(impostor));
        Assert.Contains("A model named OwnLm is already known", refused.Message);
        LanguageModels.Add(Entry); // the same entry again: harmless
        Assert.Single(LanguageModels.All, m => m.Name == nameof(OwnLm));
    }
}
