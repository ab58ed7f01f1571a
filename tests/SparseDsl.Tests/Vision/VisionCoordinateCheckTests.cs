using SparseDsl.Data;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Vision;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Vision;

/// <summary>
/// A small, seeded coordinate check of the sparse ConvNet on the embedded Fashion-MNIST subset (paper Fig. 5): the mean
/// |output| of each sparse layer and of the logits over the first training steps, across density 1 → 1/16 and across
/// width 16 → 64. SμPar keeps it flat in both; SP and μP shrink as density falls; SP grows with width. This fails if the
/// m_ρ correction is dropped from <see cref="ScalingRules"/> (SμPar then behaves as μP).
/// </summary>
[Trait("Category", "Slow")]
public sealed class VisionCoordinateCheckTests
{
    // Each sparse layer reads a normalised input (the group norms and ReLUs before it), so at initialisation its output
    // scales as √(ρ · fan-in) × its init σ. Without m_ρ (SP, μP) the output shrinks by √16 = 4 from density 1 to 1/16
    // and SP's grows by √4 = 2 from width 16 to 64; μP's m_d and SμPar's m_d·m_ρ cancel that exactly, up to sampling.
    // The bands lie halfway (in log) between "flat" and the law without the correction: 2 across density, √2 across
    // width.
    private const double FlatAcrossDensity = 2.0, FlatAcrossWidth = 1.41;

    private static readonly string[] SparseLayers = [VisionFamily.Conv1, VisionFamily.Conv2, VisionFamily.Conv3, VisionFamily.Hidden];

    private static readonly CoordinateCheckSettings Settings = VisionFamily.Defaults(VisionModel.ConvNet) with
    {
        Densities = [1, 0.25, 0.0625],
        DensitySweepWidth = 16,
        Widths = [16, 64],
        WidthSweepDensity = 0.25,
        Steps = 4,
        Seeds = 2,
        Batch = 16,
    };

    private static readonly Lazy<List<CoordinateCheckRow>> Rows = new(() =>
    {
        var (train, test) = FashionMnist.Load(VisionData.Directory);
        return CoordinateCheckRunner.Run(Settings, new VisionFamily(VisionModel.ConvNet, train, test), TestDevice.Current);
    });

    /// <summary>
    /// Largest over smallest, across the values of <paramref name="axis"/>, of the block's mean |output| averaged over
    /// seeds and then geometrically over the steps from <paramref name="firstStep"/> to <paramref name="lastStep"/>.
    /// </summary>
    private static double Spread(string parameterization, string block, Func<CoordinateCheckRow, bool> subset, Func<CoordinateCheckRow, double> axis, int firstStep, int lastStep) =>
        Rows.Value.Where(r => r.Parameterization == parameterization && r.Block == block && r.Step >= firstStep && r.Step <= lastStep && subset(r))
            .GroupBy(axis)
            .Select(cell => Math.Exp(cell.GroupBy(r => r.Step).Average(step => Math.Log(step.Average(r => r.MeanAbsActivation)))))
            .ToList() is var means ? means.Max() / means.Min() : double.NaN;

    // The zero-initialised readout makes the logits exactly 0 at step 1, so they are compared from step 2 on.
    private static int FirstStep(string block) => block == VisionFamily.Logits ? 2 : 1;

    private static double DensitySpread(string p, string block, int lastStep = int.MaxValue) =>
        Spread(p, block, r => r.Width == Settings.DensitySweepWidth, r => r.Density, FirstStep(block), lastStep);

    private static double WidthSpread(string p, string block, int lastStep = int.MaxValue) =>
        Spread(p, block, r => r.Density == Settings.WidthSweepDensity, r => r.Width, FirstStep(block), lastStep);

    [Theory]
    [InlineData(VisionFamily.Conv1)]
    [InlineData(VisionFamily.Conv2)]
    [InlineData(VisionFamily.Conv3)]
    [InlineData(VisionFamily.Hidden)]
    [InlineData(VisionFamily.Logits)]
    public void SuPar_outputs_are_flat_across_density(string block)
    {
        double atInit = DensitySpread("SuPar", block, lastStep: FirstStep(block)), all = DensitySpread("SuPar", block);
        Assert.True(atInit < FlatAcrossDensity, $"SμPar {block} spread across densities at step {FirstStep(block)}: {atInit:0.00}");
        Assert.True(all < FlatAcrossDensity, $"SμPar {block} spread across densities: {all:0.00}");
    }

    [Theory]
    [InlineData("SP", VisionFamily.Conv1)]
    [InlineData("SP", VisionFamily.Conv2)]
    [InlineData("SP", VisionFamily.Conv3)]
    [InlineData("SP", VisionFamily.Hidden)]
    [InlineData("SP", VisionFamily.Logits)]
    [InlineData("muP", VisionFamily.Conv1)]
    [InlineData("muP", VisionFamily.Conv2)]
    [InlineData("muP", VisionFamily.Conv3)]
    [InlineData("muP", VisionFamily.Hidden)]
    [InlineData("muP", VisionFamily.Logits)]
    public void SP_and_muP_outputs_shrink_as_density_falls(string parameterization, string block)
    {
        double spread = DensitySpread(parameterization, block);
        Assert.True(spread > 1.5 * FlatAcrossDensity, $"{parameterization} {block} spread across densities: {spread:0.00}");
        var first = Rows.Value.Where(r => r.Parameterization == parameterization && r.Block == block && r.Width == Settings.DensitySweepWidth && r.Step == FirstStep(block)).ToList();
        Assert.True(first.Where(r => r.Density == 1).Average(r => r.MeanAbsActivation) > first.Where(r => r.Density == 0.0625).Average(r => r.MeanAbsActivation),
            "the sparse model's outputs should be the smaller");
    }

    [Theory]
    [InlineData("SuPar")]
    [InlineData("muP")]
    public void SuPar_and_muP_sparse_layers_are_flat_across_width(string parameterization)
    {
        foreach (string block in SparseLayers)
        {
            double spread = WidthSpread(parameterization, block);
            Assert.True(spread < FlatAcrossWidth, $"{parameterization} {block} spread across widths: {spread:0.00}");
        }
    }

    [Fact]
    public void SP_sparse_layers_grow_with_width()
    {
        foreach (string block in SparseLayers)
        {
            var last = Rows.Value.Where(r => r.Parameterization == "SP" && r.Block == block && r.Density == Settings.WidthSweepDensity).ToList();
            double spread = WidthSpread("SP", block);
            Assert.True(spread > FlatAcrossWidth, $"SP {block} spread across widths: {spread:0.00}");
            Assert.True(last.Where(r => r.Width == 64).Average(r => r.MeanAbsActivation) > last.Where(r => r.Width == 16).Average(r => r.MeanAbsActivation),
                $"SP {block}: the wider model's outputs should be the larger");
        }
    }

    [Fact]
    public void Every_block_is_recorded_at_every_step_and_the_logits_start_at_zero()
    {
        // 3 parameterizations × 4 distinct (width, density) runs (16 at ρ 1/4 is in both sweeps) × seeds × steps × 5 blocks.
        Assert.Equal(3 * 4 * Settings.Seeds * Settings.Steps * 5, Rows.Value.Count);
        Assert.Equal([VisionFamily.Conv1, VisionFamily.Conv2, VisionFamily.Conv3, VisionFamily.Hidden, VisionFamily.Logits], Rows.Value.Select(r => r.Block).Distinct());
        Assert.All(Rows.Value.Where(r => r.Block == VisionFamily.Logits && r.Step == 1), r => Assert.Equal(0, r.MeanAbsActivation));
        Assert.All(Rows.Value.Where(r => r.Step > 1), r => Assert.True(r.MeanAbsActivation > 0 && double.IsFinite(r.MeanAbsActivation), r.ToString()));
    }
}
