using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// A layer whose masked weight can take either path that <see cref="SparseDispatch"/> chooses: dense masked
/// (<c>W ⊙ M</c>) or sparse storage (only the kept values, with an int32 pattern). Checkpoints, export, import and
/// <see cref="SparseStorageNotice"/> treat every such layer alike through this interface.
/// </summary>
public interface ISparseStorageLayer : IScaledLayer
{
    /// <summary>Which path this layer takes (dense masked or sparse storage) and why.</summary>
    StorageDecision Storage { get; }

    /// <summary>Whether the layer stores only its kept values (<see cref="Values"/>, <see cref="Pattern"/>).</summary>
    bool IsSparseStorage { get; }

    /// <summary>Under sparse storage, the trained kept values <c>[count]</c> in the pattern's row-major order; otherwise null.</summary>
    Parameter? Values { get; }

    /// <summary>
    /// Under sparse storage, the kept positions of the weight as a matrix <c>[out, rest]</c> (a convolution's weight
    /// flattened row-major), bound to the registered <c>weight_rows</c> and <c>weight_columns</c>; otherwise null.
    /// </summary>
    SparsePattern? Pattern { get; }

    /// <summary>A detached copy of the weight the layer actually uses, <c>W ⊙ M</c>, in the weight's real shape.</summary>
    Tensor EffectiveWeight();

    /// <summary>After a checkpoint load: checks the loaded pattern and rebuilds what derives from it.</summary>
    internal void PatternsLoaded();

    /// <summary>Under sparse storage, replaces the kept positions and values (an import of weights drawn with another seed).</summary>
    internal void Assign(SparsePattern kept, Tensor keptValues);
}
