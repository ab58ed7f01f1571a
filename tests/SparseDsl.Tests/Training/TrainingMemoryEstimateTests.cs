using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Tests.Training;

/// <summary>The training-memory estimate against the model it describes, and its refusal of what cannot fit.</summary>
public sealed class TrainingMemoryEstimateTests
{
    [Theory]
    [InlineData(64, 1, 0.875)]
    [InlineData(128, 2, 0.0)]
    public void Parameters_gradients_moments_and_masks_match_the_built_model(int width, int depth, double sparsity)
    {
        var options = new ModelOptions { Depth = depth, Sparsity = sparsity };
        using var model = new GptLm(width, seed: 1, options: options);
        var estimate = TrainingMemoryEstimate.For(model.Plan, batch: 4, context: 32);

        long parameters = model.parameters().Sum(p => p.numel()); // the tied readout shares the embedding's table
        long masked = model.buffers().Where(b => b.numel() > 1).Sum(b => b.numel()); // masks are the model's only large buffers
        Assert.Equal(4 * parameters, estimate.ParameterBytes);
        Assert.Equal(estimate.ParameterBytes, estimate.GradientBytes);
        Assert.Equal(2 * estimate.ParameterBytes, estimate.OptimizerBytes);
        Assert.Equal(2 * 4 * masked, estimate.MaskBytes);
        Assert.Equal(sparsity > 0, estimate.MaskBytes > 0);
    }

    [Fact]
    public void Attention_grows_with_the_square_of_the_context_and_activations_linearly()
    {
        using var model = new GptLm(64, seed: 1, options: new ModelOptions { Depth = 2 });
        var short_ = TrainingMemoryEstimate.For(model.Plan, batch: 4, context: 32);
        var long_ = TrainingMemoryEstimate.For(model.Plan, batch: 4, context: 64);
        Assert.Equal(4 * short_.AttentionBytes, long_.AttentionBytes);
        Assert.Equal(2 * short_.ActivationBytes, long_.ActivationBytes);
        Assert.Equal(short_.ParameterBytes, long_.ParameterBytes);
        // Two blocks, 64 / 32 = 2 heads each: scores, probabilities and a gradient of batch × heads × context² floats.
        Assert.Equal(2 * 3 * 4L * 2 * 32 * 32 * 4, short_.AttentionBytes);
    }

    [Fact]
    public void Recomputed_blocks_count_each_blocks_input_and_one_blocks_activations()
    {
        var kept = TrainingMemoryEstimate.For(ModelPlanOf(new ModelOptions { Depth = 4 }), batch: 4, context: 32);
        var recomputed = TrainingMemoryEstimate.For(ModelPlanOf(new ModelOptions { Depth = 4, RecomputeBlocks = true }), batch: 4, context: 32);
        var one = TrainingMemoryEstimate.For(ModelPlanOf(new ModelOptions { Depth = 1 }), batch: 4, context: 32);
        // Weights and their state do not change; attention is one block's, and activations lose three blocks' worth
        // (the depth-1 model's activations less its readout's and final norm's give one block's) but keep four inputs.
        Assert.Equal(kept.ParameterBytes + kept.MaskBytes, recomputed.ParameterBytes + recomputed.MaskBytes);
        Assert.Equal(kept.AttentionBytes / 4, recomputed.AttentionBytes);
        long block = (kept.ActivationBytes - one.ActivationBytes) / 3;
        Assert.Equal(kept.ActivationBytes - 3 * block + 4 * 4L * 32 * 64 * 4, recomputed.ActivationBytes);
        Assert.True(recomputed.TotalBytes < kept.TotalBytes);

        static ModelPlan ModelPlanOf(ModelOptions options) => ModelPlan.Create(GptLm.Declaration, GptLm.BaseWidth, 64, options);
    }

    [Fact]
    public void A_run_that_cannot_fit_is_refused_with_its_estimate_and_an_absurd_one_does_not_overflow()
    {
        using var model = new GptLm(64, seed: 1, options: new ModelOptions { Depth = 1 });
        var huge = TrainingMemoryEstimate.For(model.Plan, batch: 1 << 20, context: 1 << 30);
        Assert.True(huge.TotalBytes > 0, "the estimate wrapped around");
        var e = Assert.Throws<InsufficientMemoryForRunException>(() => huge.EnsureFits(TrainingMemoryEstimate.MachineBytes()));
        Assert.Contains("needs about", e.Message);
        Assert.DoesNotContain("\n", e.Message);

        var small = TrainingMemoryEstimate.For(model.Plan, batch: 2, context: 16);
        small.EnsureFits(TrainingMemoryEstimate.MachineBytes());
        Assert.Throws<InsufficientMemoryForRunException>(() => small.EnsureFits(small.TotalBytes, concurrentRuns: 2));
    }
}
