using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Moe;
using SparseDsl.Experiments.Vision;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Training;

/// <summary>
/// <see cref="ModelOptions.RecomputeBlocks"/>: a model whose blocks are recomputed in the backward pass gets the plain
/// forward's gradients and losses (on both storage paths, with SAT over neurons and heads), draws the same random
/// numbers in the recomputed forward, and a model that cannot honour the option is refused rather than ignored.
/// </summary>
public sealed class BlockRecomputeTests
{
    private static ModelOptions Options(WeightStorage storage, bool recompute) =>
        new() { Depth = 2, Sparsity = 0.875, Storage = storage, RecomputeBlocks = recompute };

    private static (Tensor Inputs, Tensor Targets) Batch()
    {
        using var generator = new Generator(11, CPU);
        var ids = randint(0, 256, [3, 17], dtype: ScalarType.Int64, generator: generator);
        return (ids.narrow(1, 0, 16), ids.narrow(1, 1, 16));
    }

    private static Dictionary<string, Tensor> Gradients(GptLm model)
    {
        model.train();
        var (inputs, targets) = Batch();
        using (var loss = LanguageModelLoss.NextToken(model.call(inputs), targets)) loss.backward();
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
    }

    [Theory]
    [InlineData(WeightStorage.Dense)]
    [InlineData(WeightStorage.Sparse)]
    public void Recomputed_blocks_give_the_plain_forwards_gradients_bit_for_bit(WeightStorage storage)
    {
        // The recomputed forward runs the same operations on the same input, so every gradient is the same float32 sum.
        using var plain = new GptLm(64, seed: 2, options: Options(storage, recompute: false));
        using var recomputed = new GptLm(64, seed: 2, options: Options(storage, recompute: true));
        var expected = Gradients(plain);
        var actual = Gradients(recomputed);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.True(BlockRecompute.HasRecomputed(recomputed));
        Assert.False(BlockRecompute.HasRecomputed(plain));
        foreach (var (name, grad) in expected)
        {
            Assert.True(grad.abs().max().item<float>() > 0 || name.Contains("bias", StringComparison.Ordinal), $"{name}: no gradient reached it");
            Assert.True(grad.equal(actual[name]).all().item<bool>(), $"{name}: the recomputed gradient differs (largest difference {(grad - actual[name]).abs().max().item<float>()})");
        }
    }

    [Fact]
    public void The_vision_transformer_recomputes_its_blocks_with_the_same_gradients()
    {
        Dictionary<string, Tensor> Gradients(bool recompute)
        {
            using var model = new FashionVit(32, seed: 7, options: new ModelOptions { Depth = 2, RecomputeBlocks = recompute });
            model.train();
            using var generator = new Generator(13, CPU);
            using var images = rand([3, 1, 28, 28], generator: generator);
            using var labels = tensor(new long[] { 1, 4, 9 });
            using (var loss = nn.functional.cross_entropy(model.call(images), labels)) loss.backward();
            Assert.Equal(recompute, BlockRecompute.HasRecomputed(model));
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
        }
        var plain = Gradients(false);
        var recomputed = Gradients(true);
        foreach (var (name, grad) in plain)
            Assert.True(grad.equal(recomputed[name]).all().item<bool>(), $"{name}: the recomputed gradient differs");
    }

    [Fact]
    public void Thirty_steps_with_SAT_over_neurons_and_heads_give_the_same_losses_with_and_without_recomputation()
    {
        var settings = new TrainerSettings
        {
            Steps = 30,
            Acceleration = SparsityAcceleration.Default with { Schedule = SparsityAcceleration.Default.Schedule with { InitialRate = 0.5 } },
            HeadAcceleration = SparsityAcceleration.Default with { Schedule = SparsityAcceleration.Default.Schedule with { InitialRate = 0.5 } },
        };
        List<double> Run(bool recompute)
        {
            using var model = new GptLm(64, seed: 3, options: Options(WeightStorage.Sparse, recompute));
            using var trainer = model.CreateTrainer(settings, TinyText.Batches(4, 32, seed: 5, validationBatches: 1));
            var losses = new List<double> { trainer.TrainStep().Loss };
            Assert.Contains(trainer.Omissions, o => o is NeuronOmission { IsOmitting: true });
            Assert.Contains(trainer.Omissions, o => o is HeadOmission { IsOmitting: true });
            while (losses.Count < 30) losses.Add(trainer.TrainStep().Loss);
            return losses;
        }
        var plain = Run(false);
        var recomputed = Run(true);
        Assert.True(plain[^1] < plain[0], "the run did not learn, so the comparison says little");
        Assert.Equal(plain, recomputed);
    }

    [Fact]
    public void Evaluation_without_gradients_runs_the_blocks_plainly()
    {
        using var model = new GptLm(64, seed: 4, options: Options(WeightStorage.Sparse, recompute: true));
        model.eval();
        using var noGrad = no_grad();
        var (inputs, _) = Batch();
        using var logits = model.call(inputs);
        Assert.False(logits.requires_grad);
        Assert.False(BlockRecompute.HasRecomputed(model));
    }

    [Fact]
    public void A_block_that_draws_random_numbers_draws_the_same_ones_when_recomputed()
    {
        using var model = new DropoutLm(32, seed: 6, options: new ModelOptions { RecomputeBlocks = true });
        using var twin = new DropoutLm(32, seed: 6);
        model.train();
        twin.train();
        var (inputs, targets) = Batch();
        manual_seed(21);
        using (var loss = LanguageModelLoss.NextToken(model.call(inputs), targets)) loss.backward();
        manual_seed(21);
        using (var loss = LanguageModelLoss.NextToken(twin.call(inputs), targets)) loss.backward();
        foreach (var ((name, p), (_, q)) in model.named_parameters().Zip(twin.named_parameters()))
            Assert.True(p.grad!.equal(q.grad!).all().item<bool>(), $"{name}: the recomputed forward drew other dropout masks");
    }

    [Fact]
    public void A_model_whose_forward_does_not_recompute_its_blocks_is_refused_at_its_first_step()
    {
        using var model = new PlainLoopLm(32, seed: 1, options: new ModelOptions { RecomputeBlocks = true });
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 2 }, TinyText.Batches(2, 16, seed: 1, validationBatches: 1));
        var e = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep());
        Assert.Contains("BlockRecompute.Call", e.Message);
        Assert.Equal(0, trainer.CompletedSteps);
        Assert.Throws<InvalidOperationException>(() => trainer.TrainStep()); // and again: it never goes quiet
    }

    [Fact]
    public void A_model_with_an_expert_bank_refuses_recomputation_and_says_why()
    {
        var e = Assert.Throws<ArgumentException>(() => new MoeLm(64, seed: 1, options: new ModelOptions { RecomputeBlocks = true }));
        Assert.Contains("[Experts] bank", e.Message);
        Assert.Contains("balance loss", e.Message);
    }
}

/// <summary>A byte LM whose block applies dropout in training, to check that a recomputed forward draws the same masks.</summary>
[Width(Base = 16)]
public sealed partial class DropoutLm
{
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    [Repeat(Depth = 2)]
    public partial TorchSharp.Modules.ModuleList<DropoutBlock> Blocks { get; }

    [Readout(Out = "256")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = Embed.call(ids);
        foreach (var block in Blocks) h = BlockRecompute.Call(block, h);
        return Head.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>A byte LM whose forward calls its blocks directly, so <see cref="ModelOptions.RecomputeBlocks"/> cannot reach them.</summary>
[Width(Base = 16)]
public sealed partial class PlainLoopLm
{
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    [Repeat(Depth = 2)]
    public partial TorchSharp.Modules.ModuleList<DropoutBlock> Blocks { get; }

    [Readout(Out = "256")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = Embed.call(ids);
        foreach (var block in Blocks) h = block.call(h);
        return Head.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary><c>x + dropout(gelu(W x), 0.5)</c>.</summary>
[Block]
public sealed partial class DropoutBlock
{
    [SparseLinear(Sparsity = 0.5)]
    public partial ScaledLinear Mix { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branch = nn.functional.dropout(nn.functional.gelu(Mix.call(x)), 0.5, training);
        return Residual.Add(this, x, branch).MoveToOuterDisposeScope();
    }
}
