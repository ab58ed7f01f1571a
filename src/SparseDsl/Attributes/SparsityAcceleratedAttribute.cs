namespace SparseDsl;

/// <summary>
/// On a <see cref="BlockAttribute">[Block]</see> MLP: turns on Sparsity-Accelerated Training (SAT; Ma et al. 2024,
/// arXiv 2406.01392). While training, each step keeps only the most important hidden neurons of the MLP: the
/// expanding projections (those whose <c>Out</c> is the hidden dimension, e.g. gate and up) run with their kept rows,
/// the contracting projection (whose <c>In</c> is the hidden dimension, e.g. down) with its kept columns, and the
/// omitted neurons' weights and optimizer state are left untouched. A <see cref="LadderSchedule"/> omits
/// <see cref="OmissionRate"/> of the neurons early and steps down to dense training at the end. Evaluation and
/// inference always use the full MLP. The generator finds the hidden dimension itself (SDSL013 when the block has
/// no MLP shape); <see cref="TrainerSettings.Acceleration"/> overrides these values for a run.
/// <para>
/// With <see cref="Heads"/> = true, on a <see cref="BlockAttribute">[Block]</see> with an
/// <see cref="AttentionAttribute">[Attention]</see> layer: each step keeps only the most important attention heads
/// instead (whole key/value groups under grouped-query attention). The projections declared before the attention
/// (query, key, value) run with the kept heads' rows, the attention with the kept heads, and the projection declared
/// after it (output) with the kept heads' columns. The same ladder, metrics and selection apply, per head;
/// <see cref="TrainerSettings.HeadAcceleration"/> overrides them for a run.
/// </para>
/// </summary>
/// <remarks>
/// The paper's exact defaults could not be recovered (see docs/sat.md); these are SparseDsl's, chosen so that the
/// sparse phase covers most of the run and the last fifth is dense.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SparsityAcceleratedAttribute : Attribute
{
    /// <summary>
    /// Omit attention heads rather than MLP neurons: the attribute is on an attention block (one with an
    /// <see cref="AttentionAttribute">[Attention]</see> layer), and a unit is a key/value group of heads. Default false.
    /// </summary>
    public bool Heads { get; set; }

    /// <summary>
    /// The hidden layer's dimension expression (e.g. <c>"4*width"</c>). Default: the one dimension other than
    /// <c>width</c> that one projection writes and another reads (SDSL013 asks for it when there is none or several).
    /// MLP blocks only: with <see cref="Heads"/> the units are the attention's heads.
    /// </summary>
    public string? Hidden { get; set; }

    /// <summary>Fraction of hidden neurons (or heads) omitted during the first rung of the ladder, in [0, 1). Default 0.5.</summary>
    public double OmissionRate { get; set; } = AttributeDefaults.OmissionRate;

    /// <summary>How neuron importance is estimated. Default <see cref="NeuronImportance.Wanda"/>.</summary>
    public NeuronImportance Metric { get; set; } = NeuronImportance.Wanda;

    /// <summary>How the kept neurons are chosen from their importance. Default <see cref="NeuronSelection.TopK"/>.</summary>
    public NeuronSelection Selection { get; set; } = NeuronSelection.TopK;

    /// <summary>Re-estimate importance every this many optimizer steps (and whenever the rate changes). Default 1.</summary>
    public int ReestimateEvery { get; set; } = AttributeDefaults.ReestimateEvery;

    /// <summary>Fraction of the run spent at the full <see cref="OmissionRate"/>. Default 0.5.</summary>
    public double HoldFraction { get; set; } = AttributeDefaults.HoldFraction;

    /// <summary>Number of non-zero rates on the ladder, the first included (1: one sparse rung, then dense). Default 2.</summary>
    public int Rungs { get; set; } = AttributeDefaults.Rungs;

    /// <summary>Fraction of the run, at its end, trained dense. Default 0.2.</summary>
    public double DenseFraction { get; set; } = AttributeDefaults.DenseFraction;
}
