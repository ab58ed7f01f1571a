namespace SparseDsl;

/// <summary>
/// A layer exactly as its attribute declares it. The source generator emits one per DSL property, with the attribute
/// rebuilt from the arguments the user wrote (so unset options keep the attribute's own defaults); everything width-
/// or sparsity-dependent is derived from it at construction time by <see cref="ModelPlan"/>.
/// </summary>
/// <param name="Name">State-dict name of the layer (the property name in snake_case), relative to its block.</param>
/// <param name="Attribute">The attribute that declared it.</param>
public sealed record LayerDeclaration(string Name, LayerAttribute Attribute) : MemberDeclaration(Name);
