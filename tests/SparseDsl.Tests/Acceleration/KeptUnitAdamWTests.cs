using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Acceleration;

/// <summary>SAT's kept-slice AdamW step against TorchSharp's own AdamW on the same tensors.</summary>
public class KeptUnitAdamWTests
{
    // Bitwise, because both sides run here: the kept-slice step applies AdamW's own element-wise float32 formulas in
    // AdamW's order, so on any CPU both change together; no expectation is carried over from another machine.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Kept_slices_move_exactly_as_TorchSharps_AdamW_moves_them_and_the_rest_stays_put(long dim)
    {
        var generator = new Generator(3, CPU);
        using var start = randn([6, 5], generator: generator);
        using var gradient = randn([6, 5], generator: generator);
        using var momentum = randn([6, 5], generator: generator).mul_(0.1);
        using var second = randn([6, 5], generator: generator).square().mul_(0.01);
        using var kept = tensor(new long[] { 1, 2, 4 });
        using var omitted = tensor(new long[] { 0, 3, 5 }.Take(dim == 0 ? 3 : 2).ToArray());

        (AdamW Optimizer, Parameter Parameter, AdamW.State State) Setup()
        {
            var p = new Parameter(start.clone());
            var optimizer = optim.AdamW([p], lr: 0.03, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.1);
            var state = (AdamW.State)optimizer.state_dict().State[0];
            state.exp_avg.copy_(momentum);
            state.exp_avg_sq.copy_(second);
            state.step = 4;
            p.grad = gradient.clone();
            return (optimizer, p, state);
        }

        var (reference, full, fullState) = Setup();
        reference.step();
        var (sliced, slices, sliceState) = Setup();
        var options = (AdamW.Options)sliced.ParamGroups.Cast<ParamGroup>().Single().Options;
        KeptUnitAdamW.UpdateSlices(slices, dim, kept, sliceState, options);

        Assert.Null(slices.grad);
        Assert.Equal(5, sliceState.step);
        foreach (var (a, b, before) in new[] { (slices, full, start), (sliceState.exp_avg, fullState.exp_avg, momentum), (sliceState.exp_avg_sq, fullState.exp_avg_sq, second) })
        {
            Assert.True(a.index_select(dim, kept).eq(b.index_select(dim, kept)).all().item<bool>(), "a kept slice differs from AdamW's");
            Assert.True(a.index_select(dim, omitted).eq(before.index_select(dim, omitted)).all().item<bool>(), "an omitted slice moved");
            Assert.False(b.index_select(dim, omitted).eq(before.index_select(dim, omitted)).all().item<bool>(), "AdamW itself would have moved it");
        }
    }

    [Fact]
    public void AMSGrad_is_refused_rather_than_stepped_wrongly()
    {
        var p = new Parameter(ones(2, 2));
        var optimizer = optim.AdamW([p], amsgrad: true);
        p.grad = ones(2, 2);
        var options = (AdamW.Options)optimizer.ParamGroups.Cast<ParamGroup>().Single().Options;
        Assert.Throws<NotSupportedException>(() => KeptUnitAdamW.UpdateSlices(p, 0, tensor(new long[] { 0 }), (AdamW.State)optimizer.state_dict().State[0], options));
    }
}
