namespace SparseDsl;

/// <summary>
/// A generated <see cref="SparsityAcceleratedAttribute">[SparsityAccelerated]</see> block: the trainer finds these in
/// the module tree and drives their omission step by step.
/// </summary>
public interface ISparsityAcceleratedBlock
{
    /// <summary>
    /// The block's omission: settings, current rate and kept units. A <see cref="NeuronOmission"/> for an MLP block, a
    /// <see cref="HeadOmission"/> for an attention block declared with <see cref="SparsityAcceleratedAttribute.Heads"/>.
    /// </summary>
    UnitOmission Omission { get; }
}
