using System.Globalization;
using System.Text.RegularExpressions;

namespace SparseDsl.PackageTests;

/// <summary>
/// A new user's project: <c>dotnet new console</c>, <c>dotnet add package SparseDsl</c> and a backend, a declared
/// model, then build and run. The repository's build is not involved, so the generator, analyzers and the
/// GLIBCXX native-load fix all have to come from the package.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackedFeedCollection.Name)]
public sealed partial class ConsumerProjectTests(PackedFeed feed)
{
    const string Program = """
        using System.CodeDom.Compiler;
        using System.Reflection;
        using SparseDsl;
        using SparseDsl.Data;
        using TorchSharp;

        torch.manual_seed(5);
        using var model = new Probe(width: 96, seed: 3);
        using (var ids = torch.randint(0, 256, [2, 8]))
        using (var logits = model.call(ids))
            Console.WriteLine($"forward [{string.Join(", ", logits.shape)}]");

        // Zero entries in the sparse projection: exactly the mask's (SμPar masks are static).
        long zeros = model.Up.Weight.eq(0).sum().item<long>();
        Console.WriteLine($"up-zeros {zeros} of {model.Up.Weight.numel()}");

        var text = new System.Text.StringBuilder();
        for (int i = 0; text.Length < 20_000; i++) text.Append("abcdefgh"[i % 8]);
        using var corpus = TextCorpus.FromBytes("pattern", System.Text.Encoding.ASCII.GetBytes(text.ToString()));
        var data = new NextTokenBatches(corpus, batchSize: 8, context: 16, seed: 1);
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 30, Optimizer = new AdamWSettings { LearningRate = 3e-2 } }, data);
        for (int step = 1; step <= 30; step++)
            Console.WriteLine($"step {step} loss {trainer.TrainStep().Loss.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        Console.WriteLine($"up-zeros-after-training {model.Up.Weight.eq(0).sum().item<long>()}");
        Console.WriteLine($"generated-by {typeof(Probe).GetCustomAttribute<GeneratedCodeAttribute>()!.Version}");

        if (args.Length > 99)
        {
            // Never runs: it is here for analyzer SDSL102 (an optimizer over raw parameters skips the SμPar groups).
            using var raw = torch.optim.AdamW(model.parameters());
        }

        [Width(Base = 64)]
        public sealed partial class Probe
        {
            [Embedding(Vocab = 256)]
            public partial ScaledEmbedding Embed { get; }

            [SparseLinear(Sparsity = 0.75, Out = "2*width")]
            public partial ScaledLinear Up { get; }

            [SparseLinear(Sparsity = 0.75, In = "2*width")]
            public partial ScaledLinear Down { get; }

            [Readout(Out = "256")]
            public partial ScaledLinear Head { get; }

            public override torch.Tensor forward(torch.Tensor ids)
            {
                using var scope = torch.NewDisposeScope();
                var h = Embed.call(ids);
                h = h + Down.call(torch.nn.functional.relu(Up.call(h)));
                return Head.call(h).MoveToOuterDisposeScope();
            }
        }
        """;

    [Fact]
    public void New_console_project_gets_a_working_sparse_model_from_the_package()
    {
        string project = feed.NewProjectFolder("consumer");
        DotnetCli.Run(project, "new", "console", "--framework", "net10.0", "--no-restore").ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "SparseDsl", "--version", feed.Version).ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "TorchSharp-cpu", "--version", feed.TorchSharpVersion).ShouldSucceed();
        File.WriteAllText(Path.Combine(project, "Program.cs"), Program);

        var build = DotnetCli.Run(project, "build", "-c", "Release").ShouldSucceed();
        // The analyzers shipped in the package run on the user's code, and nothing else warns: the code-fix assembly
        // (which needs Workspaces) sits beside the generator without the compiler failing to load it (CS8032).
        Assert.Equal(["SDSL102"], BuildWarnings.Ids(build));

        var run = DotnetCli.Run(project, "run", "-c", "Release", "--no-build").ShouldSucceed();
        Assert.Contains("forward [2, 8, 256]", run.Output);
        Assert.Contains($"generated-by {feed.Version}", run.Output);

        // 0.75 sparsity over a 96 × 192 weight: a quarter of the entries kept, the rest exactly zero.
        var zeros = UpZeros().Match(run.Output);
        Assert.True(zeros.Success, run.Output);
        long zeroCount = long.Parse(zeros.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(192L * 96, long.Parse(zeros.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.InRange(zeroCount / (double)(192 * 96), 0.74, 0.76);
        Assert.Contains($"up-zeros-after-training {zeroCount}", run.Output);

        var losses = StepLoss().Matches(run.Output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(30, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        // A period-8 pattern is learnable from the current byte alone: the loss must fall well below ln 256 ≈ 5.5.
        Assert.True(losses[^1] < losses[0] - 2, $"loss did not fall: {losses[0]} → {losses[^1]}");

        // A declaration the generator cannot build is a compile error with its ID, from the package's generator.
        File.WriteAllText(Path.Combine(project, "Broken.cs"), """
            using SparseDsl;
            [Width(Base = 64)]
            public sealed class NotPartial
            {
                [SparseLinear(Sparsity = 0.5)]
                public SparseDsl.ScaledLinear Hidden { get; } = null!;
            }
            """);
        var broken = DotnetCli.Run(project, "build", "-c", "Release");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("error SDSL001", broken.Output);
    }

    [Fact]
    public void Project_without_a_TorchSharp_backend_is_warned_at_build_time()
    {
        string project = feed.NewProjectFolder("no-backend");
        DotnetCli.Run(project, "new", "console", "--framework", "net10.0", "--no-restore").ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "SparseDsl", "--version", feed.Version).ShouldSucceed();

        var build = DotnetCli.Run(project, "build", "-c", "Release").ShouldSucceed();
        Assert.Contains("warning SDSLB002", build.Output);
        Assert.Contains("TorchSharp-cpu", build.Output);
    }

    [GeneratedRegex(@"up-zeros (\d+) of (\d+)")]
    private static partial Regex UpZeros();

    [GeneratedRegex(@"step \d+ loss ([-0-9.eE+]+|NaN|∞|-∞)")]
    private static partial Regex StepLoss();
}
