using SparseDsl.Experiments.Moe;

namespace SparseDsl.Tests.Moe;

/// <summary><see cref="ModelOptions.BalanceLoss"/>: one run's balance-loss coefficient in place of the declared one.</summary>
public class BalanceLossOptionTests
{
    [Fact]
    public void ModelOptions_BalanceLoss_replaces_the_declared_coefficient_and_describe_shows_it()
    {
        using var model = new MoeLm(64, seed: 1, options: new ModelOptions { Depth = 1, BalanceLoss = 0.25 });
        var bank = Assert.Single(model.Plan.Layers, l => l.Experts is not null).Experts!;
        Assert.Equal(0.25, bank.BalanceLoss);
        Assert.Contains("balance loss x 0.25", model.Plan.Describe());

        // The bank trains with it: its auxiliary loss is 0.25 · L_b + 0.001 · L_z (MoeLm's declared z-loss).
        model.train();
        using (var ids = TorchSharp.torch.arange(32, TorchSharp.torch.ScalarType.Int64).remainder(256).view(2, 16))
        using (var logits = model.call(ids)) { }
        var routed = Assert.Single(model.modules().OfType<IRoutedLayer>());
        using var auxiliary = routed.TakeAuxiliaryLoss()!;
        var statistics = routed.TakeStatistics()!;
        Assert.Equal(0.25 * statistics.BalanceLoss + 0.001 * statistics.ZLoss, auxiliary.item<float>(), 1e-5);

        // A model without a bank has no coefficient to replace: refused, not ignored.
        var refused = Assert.Throws<ArgumentException>(() => new SparseDsl.Experiments.Gpt.GptLm(64, seed: 1, options: new ModelOptions { BalanceLoss = 0.25 }));
        Assert.Contains("no [Experts] bank", refused.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MoeLm(64, seed: 1, options: new ModelOptions { BalanceLoss = -1 }));
    }
}
