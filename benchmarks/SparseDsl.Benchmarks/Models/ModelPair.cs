using SparseDsl.Benchmarks.HandWritten;
using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Models;

/// <summary>
/// A generated LM with its generated trainer, and the hand-written twin with its hand-written loop, on the same
/// batches. Building one checks that both compute the same logits, so a benchmark never times two different models.
/// </summary>
public sealed class ModelPair : IDisposable
{
    /// <summary>Batch shape of every benchmark: 16 sequences of 128 bytes.</summary>
    public const int Batch = 16, Context = 128;

    private static readonly Lazy<TextCorpus> Corpus = new(BundledCorpus.Open);

    /// <summary>Both models at <paramref name="width"/>, depth 2, every projection 87.5% sparse, SAT off.</summary>
    public ModelPair(int width, double sparsity = 0.875)
    {
        Data = new NextTokenBatches(Corpus.Value, Batch, Context, seed: 1);
        Generated = new GptLm(width, seed: 1, options: new ModelOptions { Depth = 2, Sparsity = sparsity });
        // Steps only bounds the run; the schedule's factor changes nothing about the work of a step.
        var settings = new TrainerSettings { Steps = 1_000_000_000, Acceleration = SparsityAcceleration.Off };
        Trainer = new GptLm.Trainer(Generated, settings, Data);
        (Inputs, Targets) = Data.TrainingBatch(1, 0, CPU);
        if (sparsity > 0)
        {
            HandWritten = new HandWrittenGpt(Generated);
            HandTraining = new HandWrittenTraining(HandWritten, Generated, settings.Optimizer);
            CheckSameLogits();
        }
    }

    /// <summary>The batches both loops draw from.</summary>
    public NextTokenBatches Data { get; }

    /// <summary>The SparseDsl model.</summary>
    public GptLm Generated { get; }

    /// <summary>Its generated trainer.</summary>
    public GptLm.Trainer Trainer { get; }

    /// <summary>The hand-written twin (null for a dense pair, which has no masks to copy).</summary>
    public HandWrittenGpt? HandWritten { get; }

    /// <summary>The hand-written loop.</summary>
    public HandWrittenTraining? HandTraining { get; }

    /// <summary>A fixed batch for forward-only timings.</summary>
    public Tensor Inputs { get; }

    /// <summary>Its targets.</summary>
    public Tensor Targets { get; }

    private long _handStep;

    /// <summary>The hand-written loop's next step on the next batch (drawn the way the trainer draws them).</summary>
    public float HandWrittenStep()
    {
        _handStep++;
        var (inputs, targets) = Data.TrainingBatch(_handStep, 0, CPU);
        using (inputs)
        using (targets)
            return HandTraining!.Step(inputs, targets);
    }

    /// <summary>One inference forward of <paramref name="model"/> on <paramref name="inputs"/>: eval mode, no autograd, every temporary freed.</summary>
    public static float Forward(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        model.eval();
        return model.call(inputs)[0, 0, 0].item<float>(); // one element read back, as a caller that uses the logits would
    }

    private void CheckSameLogits()
    {
        using var _ = no_grad();
        Generated.eval();
        HandWritten!.eval();
        using var a = Generated.call(Inputs);
        using var b = HandWritten.call(Inputs);
        if (!a.allclose(b, rtol: 1e-4, atol: 1e-5))
            throw new InvalidOperationException($"The hand-written model's logits differ from the generated model's (max |Δ| {(a - b).abs().max().item<float>()}); the comparison would be meaningless.");
        Generated.train();
        HandWritten.train();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Trainer.Dispose();
        HandTraining?.Dispose();
        HandWritten?.Dispose();
        Generated.Dispose();
        Inputs.Dispose();
        Targets.Dispose();
    }
}
