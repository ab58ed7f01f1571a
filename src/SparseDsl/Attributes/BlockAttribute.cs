namespace SparseDsl;

/// <summary>
/// On a class: declares a reusable block (an attention block, an MLP, a transformer layer). A block is a
/// <c>partial</c> class declared with the same layer attributes as a model; the generator turns it into a TorchSharp
/// <c>Module&lt;Tensor, Tensor&gt;</c> built from the enclosing model's plan, so width, sparsity and parameterization
/// propagate from the model to its blocks. A block has no base width of its own: it uses its model's.
/// On a property: places one instance of a block class in a model or another block (state-dict prefix: the
/// property name in snake_case). To repeat a block N times, use <see cref="RepeatAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute
{
}
