using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A layer kind written outside SparseDsl: a gated linear unit's gate, <c>y = x ⊙ σ(x Wᵀ)</c>. Its attribute describes
/// one hidden weight; the layer builds it with <see cref="LayerTensors"/>. Nothing else is written for it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class GateAttribute : LayerAttribute<GateLayer>
{
    public string Dim { get; set; } = "width";

    public override LayerDescription Describe(LayerContext context)
    {
        var dim = ParseDimension(nameof(Dim), Dim);
        return new(dim, dim, [ParameterDeclaration.Weight(dim, dim, ScalingRules.RoleOf(dim, dim))]);
    }
}

/// <summary>The runtime half of <see cref="GateAttribute"/>.</summary>
public sealed class GateLayer : nn.Module<Tensor, Tensor>, IScaledLayer
{
    private readonly Parameter weight;
    private readonly LayerTensors tensors;

    public GateLayer(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        Plan = plan;
        tensors = new LayerTensors(this, plan, seed, device);
        weight = tensors["weight"];
    }

    public LayerPlan Plan { get; }

    public override Tensor forward(Tensor x) => x * nn.functional.linear(x, weight).sigmoid();

    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();
}

[Width(Base = 16)]
public sealed partial class GatedModel
{
    [Embedding(Vocab = 10)] public partial ScaledEmbedding Embed { get; }
    [Gate] public partial GateLayer Gate { get; }
    [Readout(Out = "10")] public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor ids) => Head.call(Gate.call(Embed.call(ids)));
}

public class CustomKindTests
{
    [Fact]
    public void A_kind_declared_outside_the_library_is_generated_scaled_and_trained_like_a_built_in_one()
    {
        using var model = new GatedModel(64);
        var row = model.Plan.DescribeParameters().Single(r => r.Name == "gate.weight");
        Assert.Equal(ParameterRole.Hidden, row.Role);
        Assert.Equal(1.0 / 4, row.LearningRateMultiplier, 12); // SμPar, m_d = 64/16, dense
        Assert.Equal(BaseHyperparameters.Paper.InitStd / 2, row.InitStd, 12);
        Assert.Equal("Gate", model.Plan["gate"].Kind);

        using var run = new KindRun(new GatedModel(64, TestDevice.Current, seed: 1), n => (arange(10, ScalarType.Int64), arange(10, ScalarType.Int64).roll(n + 1)));
        var gate = ((GatedModel)run.Model).Gate;
        var before = gate.named_parameters().Single().parameter.detach().clone();
        run.Step(0);
        Assert.False(before.allclose(gate.named_parameters().Single().parameter.detach(), rtol: 0, atol: 0), "the custom kind's weight did not train");
    }
}
