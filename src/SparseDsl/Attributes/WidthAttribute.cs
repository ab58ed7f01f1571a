namespace SparseDsl;

/// <summary>
/// Declares a SparseDsl model: a <c>partial</c> class whose layers are scaled by SμPar (sparse maximal update
/// parameterization). The source generator turns the class into a TorchSharp <c>Module&lt;Tensor, Tensor&gt;</c>
/// with a constructor that takes the actual width.
/// </summary>
/// <remarks>
/// <see cref="Base"/> is the width of the small dense proxy model on which the base hyperparameters were tuned
/// (the paper uses 256). Every dimension written as <c>"width"</c> (or <c>"4*width"</c>, <c>"width/2"</c>) in the layer
/// attributes scales with the width passed to the constructor; the width multiplier is <c>m_d = width / Base</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WidthAttribute : Attribute
{
    /// <summary>The base (proxy) width on which hyperparameters were tuned. Must be positive. Default 256.</summary>
    public int Base { get; set; } = AttributeDefaults.BaseWidth;

    /// <summary>
    /// The size of the dimension <c>"vocab"</c> (the model's vocabulary) when <see cref="ModelOptions.Vocabulary"/> does
    /// not set it, e.g. 256 for bytes. 0 (the default): the model declares none, so a layer that reads or writes
    /// <c>"vocab"</c> needs the option. A vocabulary is finite: it never scales with width.
    /// </summary>
    public int Vocab { get; set; }
}
