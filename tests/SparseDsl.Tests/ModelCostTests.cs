using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Tests;

/// <summary>A model with a layer of every kind, and two that look alike from their feature counts: a lookup and a matmul.</summary>
[Width(Base = 64)]
public sealed partial class CostProbe
{
    [Embedding(Vocab = 100)]
    public partial ScaledEmbedding Embed { get; }

    // 100 → width, as the embedding: but a matmul, not a lookup.
    [Linear(In = "100", Out = "width")]
    public partial ScaledLinear Features { get; }

    [Norm]
    public partial ScaledNorm Norm { get; }

    [Attention(HeadDim = 16)]
    public partial ScaledAttention Attention { get; }

    [SparseLinear(Sparsity = 0.75, Out = "4*width", Bias = true)]
    public partial ScaledLinear Up { get; }

    [SparseLinear(Sparsity = 0.75, In = "4*width")]
    public partial ScaledLinear Down { get; }

    [Readout(Out = "100", TiedTo = nameof(Embed))]
    public partial ScaledLinear Readout { get; }

    // Only the plan is costed; nothing runs this.
    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor ids) => throw new NotSupportedException();
}

/// <summary>The same layers with attention that sees the whole sequence (an encoder's or a ViT's).</summary>
[Width(Base = 64)]
public sealed partial class BidirectionalCostProbe
{
    [Embedding(Vocab = 100)]
    public partial ScaledEmbedding Embed { get; }

    [Readout(Out = "100")]
    public partial ScaledLinear Readout { get; }

    [Attention(HeadDim = 16, Causal = false)]
    public partial ScaledAttention Attention { get; }

    // Only the plan is costed; nothing runs this.
    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => throw new NotSupportedException();
}

/// <summary><see cref="ModelCost"/>: multiply–accumulates per token from a plan, typed in by hand.</summary>
public class ModelCostTests
{
    private static ModelPlan Plan(int width, double? sparsity = null) =>
        ModelPlan.Create(CostProbe.Declaration, CostProbe.BaseWidth, width, new ModelOptions { Sparsity = sparsity });

    [Fact]
    public void Each_matmul_costs_its_feature_counts_and_attention_its_context()
    {
        const int w = 32, context = 10;
        var costs = ModelCost.Layers(Plan(w), context);
        Assert.Equal(
        [
            new LayerCost("features", 100.0 * w),
            new LayerCost("attention", (context + 1.0) * w), // causal: (context + 1) / 2 keys per token on average
            new LayerCost("up", w * 4.0 * w),
            new LayerCost("down", 4.0 * w * w),
            new LayerCost("readout", w * 100.0),
        ], costs);
        double total = 100.0 * w + (context + 1.0) * w + 8.0 * w * w + 100.0 * w;
        Assert.Equal(total, ModelCost.MultiplyAccumulatesPerToken(Plan(w), context));
        Assert.Equal(6 * total, ModelCost.TrainingFlopsPerToken(Plan(w), context));
    }

    [Fact]
    public void Masks_do_not_reduce_the_count_because_the_product_is_computed_dense()
    {
        Assert.Equal(ModelCost.MultiplyAccumulatesPerToken(Plan(64, sparsity: 0), 8), ModelCost.MultiplyAccumulatesPerToken(Plan(64, sparsity: 0.9), 8));
    }

    [Fact]
    public void The_example_LM_costs_its_projections_and_tied_readout_plus_attention_per_block()
    {
        // The count the SAT benchmark and the FLOP/s benchmark made from the built modules before ModelCost existed.
        const int context = 64;
        using var model = new GptLm(128, seed: 1, options: new ModelOptions { Depth = 3 });
        double fromModules = model.modules().OfType<ScaledLinear>().Sum(l => l.Plan.InFeatures * (double)l.Plan.OutFeatures)
                             + (context + 1.0) * model.Plan.Width * model.Blocks.Count; // causal attention
        Assert.Equal(fromModules, ModelCost.MultiplyAccumulatesPerToken(model.Plan, context));
    }

    [Fact]
    public void Causal_attention_counts_the_lower_triangle_and_bidirectional_attention_the_whole_square()
    {
        // Position t (from 0) of a causal layer reads t + 1 keys and values: (context + 1) / 2 on average, against context
        // for attention that sees the whole sequence. QKᵀ and AV each cost that × the attention dimension per token.
        const int w = 32, context = 10;
        var causal = ModelCost.Layers(Plan(w), context).Single(l => l.Name == "attention");
        var bidirectional = ModelCost.Layers(ModelPlan.Create(BidirectionalCostProbe.Declaration, BidirectionalCostProbe.BaseWidth, w), context).Single(l => l.Name == "attention");
        Assert.Equal(2.0 * (context + 1) / 2 * w, causal.MultiplyAccumulates);
        Assert.Equal(2.0 * context * w, bidirectional.MultiplyAccumulates);
    }

    [Fact]
    public void Describe_says_whether_attention_is_causal()
    {
        var causal = Plan(32);
        var bidirectional = ModelPlan.Create(BidirectionalCostProbe.Declaration, BidirectionalCostProbe.BaseWidth, 32);
        Assert.Contains(causal.Describe().Split('\n'), line => line.StartsWith("attention:", StringComparison.Ordinal) && line.Contains(", causal"));
        Assert.Contains(bidirectional.Describe().Split('\n'), line => line.StartsWith("attention:", StringComparison.Ordinal) && line.Contains(", bidirectional"));
        Assert.Contains("\"causal\": true", causal.DescribeJson());
        Assert.Contains("\"causal\": false", bidirectional.DescribeJson());
    }

    [Fact]
    public void A_context_that_is_not_positive_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelCost.Layers(Plan(32), 0));
    }
}
