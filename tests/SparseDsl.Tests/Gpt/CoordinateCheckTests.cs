using SparseDsl.Experiments;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Gpt;

/// <summary>
/// A small, seeded coordinate check (paper Fig. 5): the mean |output| of attention and MLP blocks over the first
/// training steps, across density 1 → 1/16 and across width. SμPar keeps it flat; SP and μP let it collapse as density
/// falls. This fails if the m_ρ correction is dropped from <see cref="ScalingRules"/> (SμPar then behaves as μP).
/// </summary>
[Trait("Category", "Slow")]
public class CoordinateCheckTests
{
    // "A small factor": SμPar's spread must stay under it, SP's and μP's must exceed it several times over.
    private const double Flat = 2.0;

    private static readonly CoordinateCheckSettings Settings = new()
    {
        Densities = [1, 0.25, 0.0625],
        DensitySweepWidth = 128,
        Widths = [128, 256],
        WidthSweepDensity = 0.25,
        Steps = 4,
        Seeds = 2,
        Depth = 1,
        Batch = 8,
        Context = 64,
    };

    private static readonly Lazy<List<CoordinateCheckRow>> Rows = new(() =>
        CoordinateCheckRunner.Run(Settings, new LanguageModelFamily(LanguageModels.Default, BundledCorpus.Open()), TestDevice.Current));

    /// <summary>
    /// Largest over smallest, across the values of <paramref name="axis"/>, of the block's mean |output| averaged over
    /// seeds (as the paper plots it) and then geometrically over the steps up to <paramref name="lastStep"/>. Seeds
    /// differ far more than densities do after a few steps at the paper's LR, so single seeds are not compared.
    /// </summary>
    private static double Spread(string parameterization, string block, Func<CoordinateCheckRow, bool> subset, Func<CoordinateCheckRow, double> axis, int lastStep) =>
        Rows.Value.Where(r => r.Parameterization == parameterization && r.Block == block && r.Step <= lastStep && subset(r))
            .GroupBy(axis)
            .Select(cell => Math.Exp(cell.GroupBy(r => r.Step).Average(step => Math.Log(step.Average(r => r.MeanAbsActivation)))))
            .ToList() is var means ? means.Max() / means.Min() : double.NaN;

    private static double DensitySpread(string p, string block, int lastStep = int.MaxValue) =>
        Spread(p, block, r => r.Width == Settings.DensitySweepWidth, r => r.Density, lastStep);

    private static double WidthSpread(string p, string block) => Spread(p, block, r => r.Density == Settings.WidthSweepDensity, r => r.Width, int.MaxValue);

    [Theory]
    [InlineData(LanguageModelFamily.Attention)]
    [InlineData(LanguageModelFamily.Mlp)]
    public void SuPar_block_outputs_are_flat_across_density_and_width(string block)
    {
        Assert.True(DensitySpread("SuPar", block, lastStep: 1) < Flat, $"SμPar {block} spread across densities at step 1: {DensitySpread("SuPar", block, 1):0.00}");
        Assert.True(DensitySpread("SuPar", block) < Flat, $"SμPar {block} spread across densities: {DensitySpread("SuPar", block):0.00}");
        Assert.True(WidthSpread("SuPar", block) < Flat, $"SμPar {block} spread across widths: {WidthSpread("SuPar", block):0.00}");
    }

    [Theory]
    [InlineData("SP", LanguageModelFamily.Attention)]
    [InlineData("SP", LanguageModelFamily.Mlp)]
    [InlineData("muP", LanguageModelFamily.Attention)]
    [InlineData("muP", LanguageModelFamily.Mlp)]
    public void SP_and_muP_block_outputs_shrink_as_density_falls(string parameterization, string block)
    {
        // Measured: roughly ρ for attention (V and O projections) and ρ^1.5 for SwiGLU (gate·up, then down).
        double spread = DensitySpread(parameterization, block), atInit = DensitySpread(parameterization, block, lastStep: 1);
        Assert.True(spread > 4 * Flat, $"{parameterization} {block} spread across densities: {spread:0.00}");
        Assert.True(atInit > 4 * Flat, $"{parameterization} {block} spread across densities at step 1: {atInit:0.00}");
        var dense = Rows.Value.Where(r => r.Parameterization == parameterization && r.Block == block && r.Width == Settings.DensitySweepWidth && r.Step == 1);
        Assert.True(dense.Where(r => r.Density == 1).Average(r => r.MeanAbsActivation) > dense.Where(r => r.Density == 0.0625).Average(r => r.MeanAbsActivation),
            "the sparse model's blocks should be the smaller");
    }

    [Fact]
    public void MuP_block_outputs_are_flat_across_width_at_fixed_density()
    {
        Assert.True(WidthSpread("muP", LanguageModelFamily.Mlp) < Flat, $"μP mlp spread across widths: {WidthSpread("muP", LanguageModelFamily.Mlp):0.00}");
    }

    [Fact]
    public void Rows_round_trip_through_csv()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sparsedsl-cc-{Guid.NewGuid():N}.csv");
        try
        {
            CoordinateCheckCsv.WriteCsv(Rows.Value, path);
            Assert.Equal(Rows.Value, CoordinateCheckCsv.ReadCsv(path));
            // 3 parameterizations × 4 distinct (width, density) runs (128 at ρ 1/4 is in both sweeps) × seeds × steps × 2 blocks.
            Assert.Equal(3 * 4 * Settings.Seeds * Settings.Steps * 2, Rows.Value.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
