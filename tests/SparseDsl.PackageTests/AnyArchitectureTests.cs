using System.Globalization;
using System.Text.RegularExpressions;

namespace SparseDsl.PackageTests;

/// <summary>
/// The three failures a new user met with the packed NuGet (issue 17), tried the same way: a convolution model declares
/// and trains, a raw layer beside DSL layers is refused by name instead of silently frozen, and a bad attribute value is
/// one error, not a cascade of compiler errors.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackedFeedCollection.Name)]
public sealed partial class AnyArchitectureTests(PackedFeed feed)
{
    const string Program = """
        using SparseDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        torch.manual_seed(1);
        using var net = new PatchNet(width: 32, seed: 2);
        using var optimizer = net.CreateAdamW(new AdamWSettings { LearningRate = 2e-2, WeightDecay = 0 });
        // Class = which half of the image is bright: learnable by a convolution, then pooling.
        var images = torch.randn(64, 3, 8, 8) * 0.3;
        var labels = torch.randint(0, 2, [64], ScalarType.Int64);
        var bright = labels.to(ScalarType.Float32).view(-1, 1, 1, 1);
        images[.., .., .., 0..4] += bright * 2;
        images[.., .., .., 4..8] += (1 - bright) * 2;
        for (int step = 1; step <= 40; step++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.cross_entropy(net.call(images), labels);
            loss.backward();
            optimizer.step();
            Console.WriteLine($"conv-step {step} loss {loss.item<float>().ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        }
        Console.WriteLine(net.Describe());

        using var mixed = new WithRaw(width: 32);
        try
        {
            using var refused = mixed.CreateAdamW();
            Console.WriteLine("raw-accepted");
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("raw-refused: " + e.Message);
        }

        [Width(Base = 32)]
        public sealed partial class PatchNet
        {
            [Conv(In = "3", Out = "width", Kernel = 2, Stride = 2)]
            public partial ScaledConv Patches { get; }

            [Conv(Kernel = 3, Padding = 1, Sparsity = 0.5)]
            public partial ScaledConv Mix { get; }

            [Readout(Out = "2")]
            public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor images)
            {
                using var scope = NewDisposeScope();
                var h = nn.functional.relu(Patches.call(images));
                h = nn.functional.relu(Mix.call(h));
                return Head.call(h.mean([2, 3])).MoveToOuterDisposeScope();
            }
        }

        [Width(Base = 32)]
        public sealed partial class WithRaw
        {
            [Embedding(Vocab = 10)]
            public partial ScaledEmbedding Embed { get; }

            [Readout(Out = "10")]
            public partial ScaledLinear Head { get; }

            private readonly TorchSharp.Modules.Linear raw = nn.Linear(32, 32);

            public override Tensor forward(Tensor ids) => Head.call(raw.call(Embed.call(ids)));
        }
        """;

    [Fact]
    public void A_conv_model_trains_a_raw_layer_is_refused_by_name_and_a_bad_value_is_one_error()
    {
        string project = feed.NewProjectFolder("any-architecture");
        DotnetCli.Run(project, "new", "console", "--framework", "net10.0", "--no-restore").ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "SparseDsl", "--version", feed.Version).ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "TorchSharp-cpu", "--version", feed.TorchSharpVersion).ShouldSucceed();
        File.WriteAllText(Path.Combine(project, "Program.cs"), Program);

        var build = DotnetCli.Run(project, "build", "-c", "Release").ShouldSucceed();
        // The raw Linear is reported at compile time too, with the kind that replaces it.
        Assert.Equal(["SDSL101"], BuildWarnings.Ids(build));
        Assert.Contains("[Linear]", build.Output);

        var run = DotnetCli.Run(project, "run", "-c", "Release", "--no-build").ShouldSucceed();
        var losses = ConvLoss().Matches(run.Output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(40, losses.Count);
        Assert.True(losses[^1] < 0.5 * losses[0], $"the conv model did not learn: {losses[0]} → {losses[^1]}");
        Assert.Contains("mix.weight", run.Output); // Describe lists the conv weights with their scaling
        Assert.Contains("raw-refused:", run.Output);
        Assert.Contains("raw.weight, raw.bias", run.Output);
        Assert.DoesNotContain("raw-accepted", run.Output);

        File.WriteAllText(Path.Combine(project, "Broken.cs"), """
            using SparseDsl;
            [Width(Base = 32)]
            public sealed partial class Broken
            {
                [Embedding(Vocab = 10)] public partial ScaledEmbedding Embed { get; }
                [SparseLinear(Sparsity = 1.5)] public partial ScaledLinear Hidden { get; }
                [Readout(Out = "10")] public partial ScaledLinear Head { get; }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor ids) => Head.call(Hidden.call(Embed.call(ids)));
            }
            """);
        var broken = DotnetCli.Run(project, "build", "-c", "Release");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Equal(["SDSL005"], ErrorId().Matches(broken.Output).Select(m => m.Groups[1].Value).ToHashSet());
    }

    [GeneratedRegex(@"conv-step \d+ loss ([-0-9.eE+]+|NaN|∞|-∞)")]
    private static partial Regex ConvLoss();

    [GeneratedRegex(@"error ([A-Z]+[0-9]+)")]
    private static partial Regex ErrorId();
}
