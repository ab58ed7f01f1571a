namespace SparseDsl;

/// <summary>
/// A generated <see cref="SparsityAcceleratedAttribute">[SparsityAccelerated]</see> block: the trainer finds these in
/// the module tree and drives their <see cref="NeuronOmission"/> step by step.
/// </summary>
public interface ISparsityAcceleratedBlock
{
    /// <summary>The block's neuron omission: settings, current rate and kept neurons.</summary>
    NeuronOmission Omission { get; }
}
