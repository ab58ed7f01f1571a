using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Cli;

/// <summary>
/// The Llama LM through the example CLI, in process: chosen by its short name, trained and sampled from its checkpoint
/// (LanguageModelsTests resumes it), described, coordinate-checked and swept; a sweep folder of one model refuses a
/// sweep of the other.
/// </summary>
public sealed class LlamaCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-llama-cli-");

    public void Dispose() => _folder.Dispose();

    private string Run(string folderName) => _folder.File(folderName);

    // Width 128 is the smallest the Llama takes: width/4 = 32 holds one key/value head for its 4 query heads.
    private static readonly string[] Tiny = ["--model", "llama", "--width", "128", "--depth", "1"];

    [Fact]
    public void Train_by_short_name_then_sample_from_the_checkpoint()
    {
        string folder = Run("tiny");
        var (code, output, error) = Invoke(["train", .. Tiny, "--batch", "2", "--context", "16", "--sample-length", "12", "--steps", "3", "--log-every", "1", "--out", folder]);
        Assert.True(code == 0, error);
        Assert.Contains("LlamaLm: width 128 (base 256, m_d 0.5), SμPar", output);
        Assert.Contains("step     3/3  loss ", output);
        Assert.Contains("sample:\nThe Congress ", output);

        string checkpoint = Path.Combine(folder, TrainingJob.CheckpointFile);
        var header = Checkpoint.ReadHeader(checkpoint);
        Assert.Equal("LlamaLm", header.Recipe.ModelType); // the recipe records the type name, never the short name
        Assert.Equal("LlamaLm", RunConfig.FromJson(header.RunConfig, checkpoint).Model);

        var sampled = Invoke("sample", "--checkpoint", checkpoint, "--prompt", "We ", "--sample-length", "10");
        Assert.True(sampled.Code == 0, sampled.Error);
        Assert.StartsWith("We ", sampled.Output);
    }

    [Fact]
    public void Describe_shows_the_grouped_query_key_and_value_rows()
    {
        var (code, output, error) = Invoke("describe", "--model", "LLAMA", "--width", "512", "--sparsity", "0.75");
        Assert.True(code == 0, error);
        Assert.StartsWith("LlamaLm: width 512 (base 256, m_d 2), SμPar", output);
        // Hidden, 128×512, fan-in 512, density 0.25: init σ/√(m_d·ρ) = 0.0866/√0.5, LR × 1/(m_d·ρ) = 2.
        Assert.Matches(@"blocks\.1\.attention\.key\.weight\s+Hidden\s+128x512\s+512\s+0\.25 normal\s+0\.1225\d*\s+2\s+1\s+yes", output);
        Assert.Matches(@"blocks\.1\.attention\.value\.weight\s+Hidden\s+128x512\s+512\s+0\.25 normal\s+0\.1225\d*\s+2\s+1\s+yes", output);
        Assert.Contains("16 heads x d_head 32 (4 key/value heads), logits x 0.03125, RoPE", output);
        Assert.Contains("Training memory at batch", output);

        var gpt = Invoke("describe", "--model", "Gpt", "--width", "128");
        Assert.True(gpt.Code == 0, gpt.Error);
        Assert.StartsWith("GptLm: width 128", gpt.Output);

        var narrow = Invoke("describe", "--model", "llama", "--width", "64");
        Assert.Equal(ExitCodes.BadInput, narrow.Code);
        Assert.StartsWith("error: ", narrow.Error);
        Assert.Single(narrow.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Coordinate_check_of_the_Llama_is_flat_across_density_for_SuPar_only()
    {
        string folder = Run("coord");
        var (code, output, error) = Invoke("coord-check", "--model", "llama", "--densities", "1", "0.0625", "--width", "128", "--widths", "128",
            "--width-density", "1", "--steps", "1", "--seeds", "1", "--depth", "1", "--out", folder);
        Assert.True(code == 0, error);
        Assert.Contains("Coordinate check of LlamaLm: 6 runs", output);
        var rows = CoordinateCheckCsv.ReadCsv(Path.Combine(folder, "coord-check.csv"));
        Assert.Equal(3 * 2 * 2, rows.Count); // parameterizations × densities × blocks, one step
        Assert.True(File.Exists(Path.Combine(folder, "coord-check-density.png")));

        // At initialisation: SμPar's m_ρ keeps each block's output the same at density 1/16; SP and μP lose a factor of several.
        double Ratio(string p, string block) =>
            rows.Single(r => r.Parameterization == p && r.Block == block && r.Density == 1).MeanAbsActivation
            / rows.Single(r => r.Parameterization == p && r.Block == block && r.Density == 0.0625).MeanAbsActivation;
        foreach (string block in new[] { LanguageModelFamily.Attention, LanguageModelFamily.Mlp })
        {
            Assert.InRange(Ratio("SuPar", block), 0.5, 2.0);
            Assert.True(Ratio("SP", block) > 3, $"SP {block}: {Ratio("SP", block):0.00}");
            Assert.True(Ratio("muP", block) > 3, $"μP {block}: {Ratio("muP", block):0.00}");
        }
    }

    [Fact]
    public void A_sweep_records_its_model_and_a_folder_of_one_model_refuses_the_other()
    {
        string[] grid = ["--parameterizations", "supar", "--sparsities", "0.5", "--log2-lrs", "-7", "--steps", "2", "--batch", "2", "--context", "16", "--depth", "1"];
        string gptFolder = Run("gpt-sweep"), llamaFolder = Run("llama-sweep");

        var gpt = Invoke(["sweep", .. grid, "--widths", "32", "--out", gptFolder]);
        Assert.True(gpt.Code == 0, gpt.Error);
        Assert.Contains("Sweep of GptLm: 1 runs", gpt.Output);
        // A GPT sweep's settings file is what it always was: no model line.
        Assert.Equal("steps=2\ndepth=1\nbatch=2\ncontext=16\ndata=bundled\n", File.ReadAllText(Path.Combine(gptFolder, LearningRateSweep.SettingsFile)));

        var llama = Invoke(["sweep", .. grid, "--model", "llama", "--widths", "128", "--out", llamaFolder]);
        Assert.True(llama.Code == 0, llama.Error);
        Assert.Contains("Sweep of LlamaLm: 1 runs", llama.Output);
        Assert.EndsWith("model=LlamaLm\n", File.ReadAllText(Path.Combine(llamaFolder, LearningRateSweep.SettingsFile)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(llamaFolder, LearningRateSweep.CsvFile)).Length);

        string gptCsv = File.ReadAllText(Path.Combine(gptFolder, LearningRateSweep.CsvFile));
        var mixed = Invoke(["sweep", .. grid, "--model", "llama", "--widths", "128", "--out", gptFolder]);
        Assert.Equal(ExitCodes.BadInput, mixed.Code);
        Assert.Contains("records a sweep of GptLm, not LlamaLm", mixed.Error);
        Assert.Equal(gptCsv, File.ReadAllText(Path.Combine(gptFolder, LearningRateSweep.CsvFile)));

        var back = Invoke(["sweep", .. grid, "--widths", "32", "--out", llamaFolder]);
        Assert.Equal(ExitCodes.BadInput, back.Code);
        Assert.Contains("records a sweep of LlamaLm, not GptLm", back.Error);

        var narrow = Invoke(["sweep", .. grid, "--model", "llama", "--widths", "64", "--out", Run("narrow")]);
        Assert.Equal(ExitCodes.BadInput, narrow.Code);
        Assert.False(Directory.Exists(Run("narrow")));
    }
}
