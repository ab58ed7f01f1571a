using SparseDsl.Data;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Vision;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Vision;

/// <summary>The <c>vision</c> and <c>vision-sweep</c> commands, and <c>coord-check</c> of the vision models, on the embedded subset, and their errors.</summary>
public sealed class VisionCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-vision-cli-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Vision_trains_the_convnet_on_the_subset_and_reports_each_epoch()
    {
        var (code, output, error) = Invoke("vision", "--model", "convnet", "--data", VisionData.Directory, "--width", "16", "--epochs", "2",
            "--batch", "50", "--train-limit", "500", "--seed", "3", "--log-every", "5", "--threads", "1");
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("500 training and 500 test images", output);
        Assert.Contains("ConvNet width 16, SμPar, sparsity 0.875, 2 epochs of batch 50, AdamW η 2e-3", output);
        Assert.Contains("  step 5/20  loss", output);
        Assert.Matches(@"epoch 1/2  train loss \d+\.\d{4}  test loss \d+\.\d{4}  test accuracy 0\.\d{4}  [\d,]+ images/s  elapsed \d+:\d\d", output);
        Assert.Matches(@"Test accuracy 0\.\d{4} \(loss \d\.\d{4}\) on 500 images after 2 epochs", output);
        Assert.Matches(@"Parameters: [\d,]+ \([\d,]+ kept by the masks\)", output);
    }

    [Fact]
    public void Vision_trains_the_vit()
    {
        var (code, output, error) = Invoke("vision", "--model", "vit", "--data", VisionData.Directory, "--width", "32", "--depth", "1",
            "--epochs", "1", "--batch", "50", "--train-limit", "200", "--test-limit", "100", "--threads", "1");
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("Vit width 32 depth 1, SμPar", output);
        Assert.Contains("on 100 images after 1 epochs", output);
    }

    [Fact]
    public void A_missing_data_folder_says_how_to_get_fashion_mnist_and_exits_2()
    {
        string missing = _folder.File("no-data-here");
        var (code, output, error) = Invoke("vision", "--data", missing, "--epochs", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: no Fashion-MNIST at '" + missing + "'", error);
        Assert.Contains("apt-get install dataset-fashion-mnist", error);
        Assert.Contains("github.com/zalandoresearch/fashion-mnist", error);
        Assert.Contains("--data DIR", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal("", output);
    }

    [WithoutDebianFashionMnistFact]
    public void Without_data_it_reads_the_debian_package_folder()
    {
        var (code, _, error) = Invoke("vision", "--epochs", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"no Fashion-MNIST at '{FashionMnist.DebianDirectory}'", error);
    }

    public static TheoryData<string[], string> BadInputs() => new()
    {
        { ["--model", "resnet"], "resnet" },
        { ["--sparsity", "1"], "--sparsity expects a number in [0, 1), got '1'." },
        { ["--epochs", "0"], "--epochs expects a positive integer, got '0'." },
        { ["--model", "vit", "--width", "40"], "is not divisible by the head dimension 16" },
        { ["--model", "convnet", "--depth", "2"], "--depth does not apply to vision --model convnet, whose layers are fixed, only to vision --model vit; remove --depth." },
        { ["--batch", "5000"], "--batch 5000 is larger than the 1,000 training images." },
        { ["--parameterization", "ntk"], "--parameterization expects sp, mup or supar, got 'ntk'." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_error_line_and_exit_code_2(string[] args, string message)
    {
        var (code, _, error) = Invoke(["vision", "--data", VisionData.Directory, .. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Coord_check_of_the_vit_is_flat_across_density_for_SuPar_only()
    {
        string folder = _folder.File("coord");
        var (code, output, error) = Invoke("coord-check", "--model", "vit", "--data", VisionData.Directory, "--densities", "1", "0.0625",
            "--width", "32", "--widths", "32", "--width-density", "1", "--steps", "1", "--seeds", "1", "--depth", "1", "--batch", "16", "--out", folder);
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("Coordinate check of FashionVit: 6 runs of 1 steps on Fashion-MNIST training set in", output);
        var rows = CoordinateCheckCsv.ReadCsv(Path.Combine(folder, "coord-check.csv"));
        Assert.Equal(3 * 2 * 3, rows.Count); // parameterizations × densities × blocks (attention, mlp, logits), one step
        Assert.True(File.Exists(Path.Combine(folder, "coord-check-density.png")));
        Assert.True(File.Exists(Path.Combine(folder, "coord-check-width.png")));

        // The zero-initialised readout: no logits before the first update.
        Assert.All(rows.Where(r => r.Block == VisionFamily.Logits), r => Assert.Equal(0, r.MeanAbsActivation));
        // At initialisation: SμPar's m_ρ keeps each sub-block's output the same at density 1/16; under SP and μP the
        // attention output passes two sparse projections (value, output) and the MLP's two (up, down), each √ρ = 1/4.
        double Ratio(string p, string block) =>
            rows.Single(r => r.Parameterization == p && r.Block == block && r.Density == 1).MeanAbsActivation
            / rows.Single(r => r.Parameterization == p && r.Block == block && r.Density == 0.0625).MeanAbsActivation;
        foreach (string block in new[] { VisionFamily.Attention, VisionFamily.Mlp })
        {
            Assert.InRange(Ratio("SuPar", block), 0.5, 2.0);
            Assert.True(Ratio("SP", block) > 4, $"SP {block}: {Ratio("SP", block):0.00}");
            Assert.True(Ratio("muP", block) > 4, $"μP {block}: {Ratio("muP", block):0.00}");
        }
    }

    public static TheoryData<string[], string> CoordCheckBadInputs() => new()
    {
        { ["--model", "resnet"], "--model expects one of GptLm" },
        { ["--model", "convnet", "--depth", "2"], "--depth does not apply to coord-check --model convnet, only to coord-check of an LM or coord-check --model vit; remove --depth." },
        { ["--model", "vit", "--widths", "40"], "is not divisible by the head dimension 16" },
        { ["--model", "convnet", "--batch", "5000"], "--batch 5000 is larger than the 1,000 training images." },
    };

    [Theory]
    [MemberData(nameof(CoordCheckBadInputs))]
    public void Coord_check_bad_input_gives_one_error_line_and_exit_code_2_before_writing(string[] args, string message)
    {
        string folder = _folder.File("bad-coord");
        var (code, _, error) = Invoke(["coord-check", "--data", VisionData.Directory, "--out", folder, .. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Coord_check_without_fashion_mnist_says_how_to_get_it()
    {
        string missing = _folder.File("no-data-here");
        var (code, _, error) = Invoke("coord-check", "--model", "convnet", "--data", missing);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: no Fashion-MNIST at '" + missing + "'", error);
    }

    [Fact]
    public void The_sweep_writes_its_table_and_plot_and_resumes_without_rerunning()
    {
        string output = _folder.File("sweep");
        string[] args = ["vision-sweep", "--data", VisionData.Directory, "--out", output, "--width", "16", "--batch", "50",
            "--train-limit", "200", "--test-limit", "100", "--sparsities", "0", "0.75", "--log2-lrs", "-9", "-8", "--threads", "1"];
        var (code, log, error) = Invoke(args);
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("Sweep: 8 runs, 0 already in", log);
        string[] rows = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(9, rows.Length);
        Assert.StartsWith("parameterization,sparsity,density,width,log2_lr,lr,seed,train_loss,test_loss,test_accuracy", rows[0]);
        string summary = File.ReadAllText(Path.Combine(output, "summary.md"));
        Assert.Contains("| 16 | SP |", summary);
        Assert.Contains("| 16 | SμPar |", summary);
        Assert.Contains("| SμPar | 0.75 |", summary);
        Assert.True(new FileInfo(Path.Combine(output, "sweep.png")).Length > 1000);

        var (again, secondLog, _) = Invoke(args);
        Assert.Equal(ExitCodes.Success, again);
        Assert.Contains("Sweep: 8 runs, 8 already in", secondLog);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(output, "sweep.csv")).Length);

        var (changed, _, changedError) = Invoke([.. args.Select(a => a == "50" ? "25" : a)]);
        Assert.Equal(ExitCodes.BadInput, changed);
        Assert.Contains("records a sweep with other shared settings", changedError);
    }

    [Theory]
    [InlineData("convnet", "--batch", "1000000000")]
    [InlineData("vit", "--widths", "1048576")]
    public void Coord_check_of_a_vision_model_larger_than_the_machine_is_refused_before_writing(string model, string option, string value)
    {
        string folder = _folder.File("huge");
        var result = Invoke("coord-check", "--model", model, "--data", VisionData.Directory, option, value, "--width", option == "--widths" ? value : "16",
            "--densities", "1", "--steps", "1", "--seeds", "1", "--out", folder);
        AssertBadInput(result, "This run needs about");
        Assert.False(Path.Exists(folder));
    }

    // Eight runs of two steps; the ConvNet at width 16 on 100 images, one thread, so every invocation takes the same code paths.
    private static readonly string[] VisionGrid =
    [
        "vision-sweep", "--model", "convnet", "--data", VisionData.Directory, "--parameterizations", "supar", "sp", "--sparsities", "0", "0.5",
        "--log2-lrs", "-8", "-6", "--width", "16", "--epochs", "1", "--batch", "50", "--train-limit", "100", "--test-limit", "50", "--threads", "1",
    ];

    // Everything but the wall time (the last field), which no two runs share.
    private static string[] Results(string folder) =>
        File.ReadAllLines(Path.Combine(folder, VisionSweep.CsvFile)).Select(l => l[..l.LastIndexOf(',')]).ToArray();

    [Fact]
    public void A_sharded_vision_sweep_merges_into_the_unsharded_sweeps_files()
    {
        string whole = _folder.File("whole"), sharded = _folder.File("sharded"), merged = _folder.File("merged");
        var unsharded = Invoke([.. VisionGrid, "--out", whole]);
        Assert.True(unsharded.Code == ExitCodes.Success, unsharded.Error);
        foreach (string part in new[] { "1/2", "2/2" })
        {
            var run = Invoke([.. VisionGrid, "--shard", part, "--out", sharded]);
            Assert.True(run.Code == ExitCodes.Success, run.Error);
            Assert.Contains($"Shard {part}: ", run.Output);
        }
        var rows = Results(Path.Combine(sharded, "shard-1-of-2")).Length + Results(Path.Combine(sharded, "shard-2-of-2")).Length;
        Assert.Equal(8 + 2, rows); // every run once, a header per part

        var merge = Invoke("vision-sweep", "merge", sharded, "--out", merged);
        Assert.True(merge.Code == ExitCodes.Success, merge.Error);
        Assert.Contains("Merged 2 parts, 8 runs", merge.Output);
        Assert.Equal(Results(whole), Results(merged));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, VisionSweep.SummaryFile)), File.ReadAllText(Path.Combine(merged, VisionSweep.SummaryFile)));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, VisionSweep.SettingsFile)), File.ReadAllText(Path.Combine(merged, VisionSweep.SettingsFile)));

        // One part alone is not the sweep: refused, naming what is missing.
        AssertBadInput(Invoke("vision-sweep", "merge", Path.Combine(sharded, "shard-1-of-2"), "--out", _folder.File("half")), "runs missing");
    }
}

/// <summary>A fact about a host without Debian's <c>dataset-fashion-mnist</c>; where it is installed, the default finds data, so the run reports the fact as skipped.</summary>
public sealed class WithoutDebianFashionMnistFactAttribute : FactAttribute
{
    public WithoutDebianFashionMnistFactAttribute()
    {
        if (Directory.Exists(FashionMnist.DebianDirectory)) Skip = $"{FashionMnist.DebianDirectory} exists on this host, so the default finds data.";
    }
}
