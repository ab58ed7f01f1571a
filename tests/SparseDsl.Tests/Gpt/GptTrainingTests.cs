using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Gpt;

/// <summary>
/// The example's GPT LM end to end: it learns bytes, and its head dimension bounds its width. The library's masks,
/// module checkpoints and run-time overrides are tested on a model of the tests' own (Training/SparseTrainingTests).
/// </summary>
public class GptTrainingTests
{
    private static readonly Lazy<TextCorpus> Text = new(BundledCorpus.Open);

    private static float[] Train(GptLm model, int steps, double lr = 1.62e-2, double weightDecay = 0.1, int seed = 0)
    {
        var settings = new TrainerSettings
        {
            Steps = steps,
            Optimizer = new AdamWSettings { LearningRate = lr, WeightDecay = weightDecay },
            Schedule = new ScheduleSettings { Kind = ScheduleKind.Constant, WarmupFraction = 0 },
            GradientClipNorm = null,
            Acceleration = SparsityAcceleration.Off,
        };
        using var trainer = new GptLm.Trainer(model, settings, new NextTokenBatches(Text.Value, 8, 32, seed));
        return [.. Enumerable.Range(0, steps).Select(_ => (float)trainer.TrainStep().Loss)];
    }

    [Fact]
    public void The_LM_learns_bytes()
    {
        using var model = new GptLm(64, TestDevice.Current, seed: 1, options: new ModelOptions { Depth = 1 });
        var losses = Train(model, 60);
        Assert.True(losses[0] > 5.0, $"first loss {losses[0]}"); // about ln 256 = 5.55 at init
        Assert.True(losses[^5..].Average() < losses[0] - 1.5, $"loss {losses[0]} → {losses[^5..].Average()}");
    }

    [Fact]
    public void A_width_that_is_not_a_multiple_of_the_head_dimension_is_a_clear_error()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new GptLm(48));
        Assert.Contains("not divisible by the head dimension 32", e.Message);
    }
}
