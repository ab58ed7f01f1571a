using SparseDsl.Experiments;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Tokenization;

/// <summary>
/// prepare → train → sample with a BPE tokenizer through the CLI, and every mismatch between tokenizer, token file and
/// checkpoint refused with one error line and exit code 2.
/// </summary>
public sealed class TokenCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-tokens-");

    public void Dispose() => _folder.Dispose();

    private string In(string name) => _folder.File(name);

    // 80 KB of the bundled corpus as a text file: enough for windows of 16 tokens in both parts, quick to tokenize.
    private string SmallText()
    {
        string path = In("small.txt");
        if (File.Exists(path)) return path;
        using var corpus = BundledCorpus.Open();
        byte[] bytes = new byte[80_000];
        corpus.Text.Read(0, bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Prepare(string tokenizer)
    {
        string path = In($"small.{tokenizer}.tokens");
        var result = Invoke("prepare", "--tokenizer", tokenizer, "--data", SmallText(), "--out", path);
        Assert.True(result.Code == 0, result.Error);
        Assert.Contains("tokenized 100%", result.Output);
        Assert.Contains($"validation {tokenizer} tokens", result.Output);
        return path;
    }

    private static readonly string[] Tiny = ["--width", "32", "--depth", "1", "--batch", "2", "--context", "16", "--steps", "4", "--log-every", "2", "--sample-length", "8"];

    [Fact]
    public void A_gpt2_run_trains_reports_per_token_and_per_byte_and_samples_with_its_tokenizer()
    {
        string tokens = Prepare("gpt2");
        string run = In("gpt2-run");
        var train = Invoke(["train", .. Tiny, "--tokens", tokens, "--out", run]);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("tokenizer gpt2, vocabulary 50,257", train.Output);
        Assert.Contains("embed.weight                     Embedding  50257x32", train.Output);
        Assert.Matches(@"validation loss \d+\.\d{4} nats/token \(\d+\.\d{4} bits/byte\) at step 4", train.Output);
        Assert.Matches(@"final validation loss \d+\.\d{4} nats/token = \d+\.\d{4} bits/byte \(uniform guess: 10\.8249 nats/token\); [\d,]+ tokens/s over 128 tokens", train.Output);

        string checkpoint = Path.Combine(run, TrainingJob.CheckpointFile);
        var header = Checkpoint.ReadHeader(checkpoint);
        Assert.Equal(50_257, header.Recipe.Options.Vocabulary);
        var config = RunConfig.FromJson(header.RunConfig, checkpoint);
        Assert.Equal(("gpt2", tokens), (config.Tokenizer, config.Tokens));

        var sample = Invoke("sample", "--checkpoint", checkpoint, "--prompt", "The Congress", "--sample-length", "5", "--tokens", tokens);
        Assert.True(sample.Code == 0, sample.Error);
        Assert.StartsWith("The Congress", sample.Output);

        // The same checkpoint against data of another tokenizer, and a resume whose token file was remade by another.
        string cl100k = Prepare("cl100k");
        AssertBadInput(Invoke("sample", "--checkpoint", checkpoint, "--tokens", cl100k), "holds a model of gpt2 tokens, but token file");
        File.Copy(cl100k, tokens, overwrite: true);
        AssertBadInput(Invoke("train", "--resume", checkpoint), "holds cl100k tokens, but checkpoint");
    }

    [Fact]
    public void Bad_tokenizer_input_gives_one_error_line_and_exit_code_2()
    {
        AssertBadInput(Invoke("prepare", "--tokenizer", "llama3", "--out", In("x.tokens")), "--tokenizer expects bytes, gpt2 or cl100k, got 'llama3'.");
        Assert.False(File.Exists(In("x.tokens")));
        AssertBadInput(Invoke("prepare", "--tokenizer", "gpt2", "--data", In("none.txt"), "--out", In("x.tokens")), "does not exist");
        AssertBadInput(Invoke(["train", .. Tiny, "--tokenizer", "gpt2", "--out", In("r1")]), "--tokenizer gpt2 reads a token file: make one with 'prepare --tokenizer gpt2");
        AssertBadInput(Invoke(["train", .. Tiny, "--tokenizer", "nope", "--out", In("r1")]), "--tokenizer expects bytes, gpt2 or cl100k, got 'nope'.");

        string gpt2 = Prepare("gpt2");
        AssertBadInput(Invoke(["train", .. Tiny, "--tokens", gpt2, "--tokenizer", "cl100k", "--out", In("r2")]), "holds gpt2 tokens, not cl100k tokens");
        AssertBadInput(Invoke(["train", .. Tiny, "--tokens", gpt2, "--data", SmallText(), "--out", In("r3")]), "not both");
        AssertBadInput(Invoke(["train", .. Tiny, "--tokens", SmallText(), "--out", In("r4")]), "is not a SparseDsl token file");
        AssertBadInput(Invoke(["coord-check", "--tokens", gpt2, "--tokenizer", "bytes", "--out", In("c1")]), "holds gpt2 tokens, not bytes tokens");
        AssertBadInput(Invoke(["sweep", "--tokens", In("missing.tokens"), "--out", In("s1")]), "does not exist");
        // The vision models read images: a token file is refused before any image is loaded.
        AssertBadInput(Invoke(["coord-check", "--model", "convnet", "--tokens", gpt2, "--data", In("no-images"), "--out", In("c2")]), "--tokens does not apply to coord-check --model convnet, only to coord-check of an LM");
        foreach (string folder in new[] { "r1", "r2", "r3", "r4", "c1", "c2", "s1" })
            Assert.False(Directory.Exists(In(folder)), $"{folder} was created");
    }

    [Fact]
    public void Coordinate_checks_and_sweeps_read_token_files()
    {
        string tokens = Prepare("gpt2");
        string coord = In("coord");
        var check = Invoke("coord-check", "--tokens", tokens, "--densities", "1", "--width", "32", "--widths", "32", "--width-density", "1",
            "--steps", "1", "--seeds", "1", "--depth", "1", "--out", coord);
        Assert.True(check.Code == 0, check.Error);
        Assert.Contains($"on {tokens}", check.Output);
        Assert.Equal(3 * 2, CoordinateCheckCsv.ReadCsv(Path.Combine(coord, "coord-check.csv")).Count);

        string sweep = In("sweep");
        string[] grid = ["sweep", "--tokens", tokens, "--parameterizations", "supar", "--sparsities", "0.5", "--log2-lrs", "-7", "--steps", "2",
            "--batch", "2", "--context", "16", "--depth", "1", "--widths", "32", "--out", sweep];
        var run = Invoke(grid);
        Assert.True(run.Code == 0, run.Error);
        Assert.EndsWith($"tokens={tokens}\ntokenizer=gpt2\n", File.ReadAllText(Path.Combine(sweep, LearningRateSweep.SettingsFile)));
        // The folder of a token-file sweep refuses the bundled text, whose settings differ.
        AssertBadInput(Invoke(["sweep", "--parameterizations", "supar", "--sparsities", "0.5", "--log2-lrs", "-7", "--steps", "2",
            "--batch", "2", "--context", "16", "--depth", "1", "--widths", "32", "--out", sweep]), "records a sweep with other shared settings");
    }

    /// <remarks>On the CPU with one thread, as ShardedSweepTests: a run is then a pure function of its cell, so the merged CSV equals the whole one bit for bit.</remarks>
    [Fact]
    public void A_sharded_sweep_of_a_token_file_merges_into_the_unsharded_sweeps_files()
    {
        string tokens = Prepare("gpt2");
        string[] grid = ["sweep", "--tokens", tokens, "--parameterizations", "supar", "--sparsities", "0.5", "--log2-lrs", "-7", "-6", "--steps", "2",
            "--batch", "2", "--context", "16", "--depth", "1", "--widths", "32", "--threads", "1", "--device", "cpu"];
        string whole = In("whole"), sharded = In("sharded");
        Assert.Equal(0, Invoke([.. grid, "--out", whole]).Code);
        for (int k = 1; k <= 2; k++)
        {
            var part = Invoke([.. grid, "--shard", $"{k}/2", "--out", sharded]);
            Assert.True(part.Code == 0, part.Error);
            var manifest = SweepManifest.Read(Path.Combine(sharded, $"shard-{k}-of-2", SweepManifest.FileName));
            Assert.Equal((tokens, "gpt2", (int?)50_257), (manifest.Settings.Tokens, manifest.Settings.Tokenizer, manifest.Settings.Vocabulary));
        }
        var merged = Invoke("sweep", "merge", sharded, "--out", sharded);
        Assert.True(merged.Code == 0, merged.Error);

        static string[] Results(string folder) =>
            File.ReadAllLines(Path.Combine(folder, LearningRateSweep.CsvFile)).Select(l => l[..l.LastIndexOf(',')]).ToArray(); // all but the wall time
        Assert.Equal(3, Results(whole).Length);
        Assert.Equal(Results(whole), Results(sharded));
        // The merge kept the token file: the same settings file, and the plot's per-token axis.
        foreach (string file in new[] { LearningRateSweep.SettingsFile, LearningRateSweep.SummaryFile, "sweep-width-32.png" })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(sharded, file))), $"{file} differs");

        // A part of the same grid on text is a part of another sweep.
        string text = In("text-part");
        Assert.Equal(0, Invoke([.. grid.Where((_, i) => i is not (1 or 2)), "--shard", "1/2", "--out", text]).Code);
        var mixed = Invoke("sweep", "merge", Path.Combine(sharded, "shard-1-of-2"), Path.Combine(text, "shard-1-of-2"), "--out", In("mixed"));
        Assert.Equal(ExitCodes.BadInput, mixed.Code);
        Assert.Contains($"tokens {tokens} vs none", mixed.Error);
    }

    [Fact]
    public void A_text_sweeps_shard_manifest_has_no_token_lines_and_reads_back_as_text()
    {
        var text = new SweepManifest(new SweepSettings(), new SweepShard(1, 2));
        Assert.DoesNotContain(text.Grid(), g => g.Key is "tokens" or "tokenizer" or "vocabulary");
        var withTokens = text with { Settings = text.Settings with { Tokens = "a.tokens", Tokenizer = "cl100k", Vocabulary = 100_277 } };
        Assert.NotEqual(text.Fingerprint, withTokens.Fingerprint);
        string folder = In("manifests");
        Directory.CreateDirectory(folder);
        foreach (var manifest in new[] { text, withTokens })
        {
            manifest.Write(folder);
            var read = SweepManifest.Read(Path.Combine(folder, SweepManifest.FileName));
            Assert.Equal(manifest.ToText(), read.ToText());
            Assert.Equal((manifest.Settings.Tokens, manifest.Settings.Tokenizer, manifest.Settings.Vocabulary), (read.Settings.Tokens, read.Settings.Tokenizer, read.Settings.Vocabulary));
        }
        Assert.Equal(["tokens none vs a.tokens", "tokenizer none vs cl100k", "vocabulary none vs 100277"], text.Differences(withTokens));
    }
}
