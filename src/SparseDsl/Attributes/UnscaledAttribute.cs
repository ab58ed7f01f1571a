namespace SparseDsl;

/// <summary>
/// Marks a field or property of a model or block that holds a raw TorchSharp module or parameter on purpose (a layer
/// no DSL kind describes). Its tensors are then trained at the base learning rate with SP rules and left as its own
/// code built them, and Describe lists them with role <see cref="ParameterRole.Unscaled"/>. Without this mark, a model
/// whose <c>parameters()</c> hold a tensor outside its scaled plan is refused by <c>CreateAdamW</c>,
/// <see cref="ScaledOptimizers"/> and the trainers, because that tensor would otherwise train silently wrong or not at all.
/// </summary>
/// <remarks>Its hyperparameters do not transfer: SμPar says nothing about a tensor it does not know the shape of.</remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class UnscaledAttribute : Attribute
{
}
