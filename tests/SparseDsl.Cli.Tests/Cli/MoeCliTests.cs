using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Cli;

/// <summary>
/// The mixture-of-experts LM through the example CLI, in process: trained by its short name with the expert load in its
/// output and metrics, described with its router rows, coordinate-checked with its router logits, and swept.
/// </summary>
public sealed class MoeCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-moe-cli-");

    public void Dispose() => _folder.Dispose();

    private string Run(string folderName) => _folder.File(folderName);

    private static readonly string[] Tiny = ["--model", "moe", "--width", "64", "--depth", "1"];

    [Fact]
    public void Train_by_short_name_prints_and_logs_the_expert_load()
    {
        string folder = Run("tiny");
        var (code, output, error) = Invoke(["train", .. Tiny, "--batch", "2", "--context", "16", "--sample-length", "0", "--steps", "3", "--log-every", "1", "--out", folder]);
        Assert.True(code == 0, error);
        Assert.Contains("MoeLm: width 64 (base 256, m_d 0.25), SμPar", output);
        Assert.Contains("blocks.0.mlp: 8 experts, top-2 (k/E 0.25), dropless", output);
        Assert.Matches(@"expert load at step 3 \(share of the routing slots per expert; uniform is 0\.125\):\n  blocks\.0\.mlp:( \d\.\d{3}){8}  balance loss", output);
        var lines = File.ReadAllLines(Path.Combine(folder, TrainingJob.MetricsFile));
        Assert.Equal(3, lines.Count(l => l.Contains("\"expert_load\":{\"blocks.0.mlp\":[", StringComparison.Ordinal)));
        Assert.Equal("MoeLm", Checkpoint.ReadHeader(Path.Combine(folder, TrainingJob.CheckpointFile)).Recipe.ModelType);
    }

    [Fact]
    public void Describe_shows_the_router_as_output_like_and_the_experts_as_hidden()
    {
        var (code, output, error) = Invoke("describe", "--model", "moe", "--width", "512", "--router-alpha", "0.5");
        Assert.True(code == 0, error);
        // Router 8×512: init σ, LR × 1, logits × α_router/m_d = 0.5/2. Expert up 1024×512 at density 1/8: σ/√(2/8), LR × 4.
        Assert.Matches(@"blocks\.1\.mlp\.router\.weight\s+Router\s+8x512\s+512\s+1 normal\s+0\.08666\s+1\s+0\.25\s+yes", output);
        Assert.Matches(@"blocks\.1\.mlp\.experts\.7\.up\.weight\s+Hidden\s+1024x512\s+512\s+0\.125 normal\s+0\.17331\s+4\s+1\s+yes", output);
        Assert.Matches(@"blocks\.1\.mlp\.experts\.7\.down\.weight\s+Hidden\s+512x1024\s+1024\s+0\.125 normal\s+0\.17331\s+4\s+1\s+yes", output);
        Assert.DoesNotContain("experts.8.", output);
    }

    [Fact]
    public void Balance_loss_replaces_the_declared_coefficient_and_is_kept_in_the_checkpoint()
    {
        var (code, output, error) = Invoke("describe", "--model", "moe", "--width", "64", "--balance-loss", "0.05");
        Assert.True(code == 0, error);
        Assert.Contains("blocks.1.mlp: 8 experts, top-2 (k/E 0.25), dropless, balance loss x 0.05, z-loss x 0.001", output);

        // A resumed run rebuilds the model from its checkpoint's recipe, so it keeps the run's coefficient.
        string folder = Run("balance");
        (code, _, error) = Invoke(["train", .. Tiny, "--balance-loss", "0.05", "--batch", "2", "--context", "16", "--sample-length", "0", "--steps", "1", "--out", folder]);
        Assert.True(code == 0, error);
        Assert.Equal(0.05, Checkpoint.ReadHeader(Path.Combine(folder, TrainingJob.CheckpointFile)).Recipe.Options.BalanceLoss);

        AssertBadInput(Invoke("describe", "--model", "moe", "--balance-loss", "-1"), "--balance-loss");
    }

    [Fact]
    public void Moe_balance_runs_each_coefficient_and_router_multiplier_and_writes_the_table()
    {
        string path = _folder.File("balance.md");
        var (code, output, error) = Invoke("moe-balance", "--width", "64", "--depth", "1", "--batch", "2", "--context", "16", "--steps", "3",
            "--window", "2", "--balance-losses", "0", "0.5", "--router-alphas", "1", "2", "--seeds", "1", "2", "--out", path);
        Assert.True(code == 0, error);
        Assert.Contains("machine: ", output);
        string table = File.ReadAllText(path);
        // 2 × 2 × 2 runs, one row each, then the summary over the two seeds.
        var lines = table.Split('\n');
        int Rows(string pattern) => lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, pattern));
        Assert.Equal(8, Rows(@"^\| (0|0\.5) \| (1|2) \| [12] \| \d\.\d{3} \| \d\.\d\d / \d\.\d\d \| \d\.\d{3}( \d\.\d{3}){7} \|")); // a load per expert
        Assert.Equal(4, Rows(@"^\| (0|0\.5) \| (1|2) \| 2 \| \d\.\d{3} \| \d\.\d\d / \d\.\d\d \| \d\.\d{3} \(\d\.\d{3} … \d\.\d{3}\) \|$"));
        Assert.Contains("Width 64, depth 1, 3 steps of 2 × 16 tokens, seeds 1 2", table);

        AssertBadInput(Invoke("moe-balance", "--steps", "3", "--window", "5"), "--window 5");
    }

    [Fact]
    public void Coordinate_check_records_the_router_logits_beside_attention_and_experts()
    {
        string folder = Run("coord");
        var (code, output, error) = Invoke("coord-check", "--model", "moe", "--densities", "1", "0.0625", "--width", "64", "--widths", "64",
            "--width-density", "1", "--steps", "1", "--seeds", "1", "--depth", "1", "--out", folder);
        Assert.True(code == 0, error);
        var rows = CoordinateCheckCsv.ReadCsv(Path.Combine(folder, "coord-check.csv"));
        Assert.Equal(3 * 2 * 3, rows.Count); // parameterizations × densities × (attention, mlp, router), one step
        Assert.Contains(rows, r => r.Block == LanguageModelFamily.Router);
        // At initialisation SμPar's m_ρ keeps the experts' output the same at density 1/16; SP loses a factor of several.
        double Ratio(string p) =>
            rows.Single(r => r.Parameterization == p && r.Block == LanguageModelFamily.Mlp && r.Density == 1).MeanAbsActivation
            / rows.Single(r => r.Parameterization == p && r.Block == LanguageModelFamily.Mlp && r.Density == 0.0625).MeanAbsActivation;
        Assert.InRange(Ratio("SuPar"), 0.5, 2.0);
        Assert.True(Ratio("SP") > 3, $"SP experts: {Ratio("SP"):0.00}");
    }

    [Fact]
    public void A_sweep_of_the_moe_records_its_model()
    {
        string folder = Run("sweep");
        var (code, output, error) = Invoke("sweep", "--model", "moe", "--parameterizations", "supar", "--sparsities", "0.875", "--log2-lrs", "-7",
            "--steps", "2", "--batch", "2", "--context", "16", "--depth", "1", "--widths", "64", "--out", folder);
        Assert.True(code == 0, error);
        Assert.Contains("Sweep of MoeLm: 1 runs", output);
        Assert.EndsWith("model=MoeLm\n", File.ReadAllText(Path.Combine(folder, LearningRateSweep.SettingsFile)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(folder, LearningRateSweep.CsvFile)).Length);
    }
}
