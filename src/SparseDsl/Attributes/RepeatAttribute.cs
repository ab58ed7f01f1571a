namespace SparseDsl;

/// <summary>
/// A stack of <see cref="Depth"/> copies of a block, on a <c>partial</c> property of type
/// <c>TorchSharp.Modules.ModuleList&lt;TBlock&gt;</c> where <c>TBlock</c> is a <see cref="BlockAttribute"/> class.
/// State-dict names are <c>{property}.{index}.{layer}</c>, as in PyTorch. <see cref="ModelOptions.Depth"/> overrides the
/// depth at construction time.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class RepeatAttribute : Attribute
{
    /// <summary>Default number of copies (at least 1).</summary>
    public int Depth { get; set; } = AttributeDefaults.Depth;
}
