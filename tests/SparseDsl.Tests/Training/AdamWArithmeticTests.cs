using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Training;

/// <summary>
/// The trainer's AdamW step (no finalizer-only scalars) against TorchSharp's own <c>AdamW.step()</c>: bit for bit,
/// since both run here, in this process, through the same element-wise kernels in the same order.
/// </summary>
public sealed class AdamWArithmeticTests
{
    private static (AdamW Optimizer, Parameter[] Parameters) Setup()
    {
        var generator = new Generator(11, CPU);
        var parameters = new[] { new Parameter(randn([7, 5], generator: generator)), new Parameter(randn([5], generator: generator)), new Parameter(randn([3, 3], generator: generator)) };
        // Two groups with different LRs and decay, as SμPar's groups have.
        var optimizer = optim.AdamW(
        [
            new AdamW.ParamGroup(parameters[..2], lr: 0.03, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.1),
            new AdamW.ParamGroup(parameters[2..], lr: 0.005, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.0),
        ], lr: 0.01);
        return (optimizer, parameters);
    }

    private static void SetGradients(Parameter[] parameters, int step)
    {
        var generator = new Generator((ulong)(100 + step), CPU);
        foreach (var p in parameters) p.grad = randn(p.shape, generator: generator);
    }

    [Fact]
    public void Five_steps_match_TorchSharps_AdamW_bit_for_bit_and_leave_the_gradients()
    {
        var (reference, expected) = Setup();
        var (ours, actual) = Setup();
        for (int step = 1; step <= 5; step++)
        {
            SetGradients(expected, step);
            SetGradients(actual, step);
            if (step == 3) expected[1].grad = actual[1].grad = null; // a parameter without a gradient is skipped by both
            reference.step();
            AdamWArithmetic.Step(ours);
            for (int i = 0; i < actual.Length; i++)
                Assert.True(expected[i].grad is null ? actual[i].grad is null : expected[i].grad!.eq(actual[i].grad!).all().item<bool>(), "gradients must stay as optimizer.step() leaves them");
        }

        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} differs from AdamW's");
        var referenceStates = AdamWArithmetic.States(reference);
        var ourStates = AdamWArithmetic.States(ours);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(referenceStates[i].State.step, ourStates[i].State.step);
            Assert.True(referenceStates[i].State.exp_avg.eq(ourStates[i].State.exp_avg).all().item<bool>(), $"exp_avg {i} differs");
            Assert.True(referenceStates[i].State.exp_avg_sq.eq(ourStates[i].State.exp_avg_sq).all().item<bool>(), $"exp_avg_sq {i} differs");
        }
        Assert.Equal(4, ourStates[1].State.step); // skipped once
    }

    [Fact]
    public void AMSGrad_is_refused_rather_than_stepped_differently()
    {
        var p = new Parameter(ones(3));
        var optimizer = optim.AdamW([p], lr: 0.01, amsgrad: true);
        p.grad = ones(3);
        Assert.Throws<NotSupportedException>(() => AdamWArithmetic.Step(optimizer));
        Assert.Equal(0, AdamWArithmetic.States(optimizer)[0].State.step); // refused before anything moved
        Assert.True(p.eq(1).all().item<bool>());
    }
}
