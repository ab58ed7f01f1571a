using TorchSharp.Modules;

namespace SparseDsl;

/// <summary>A trainable tensor with the scaling that decides its optimizer group.</summary>
/// <param name="Name">State-dict name, relative to the model.</param>
/// <param name="Parameter">The tensor.</param>
/// <param name="Scaling">Its learning-rate multiplier and weight-decay flag (and init, for reference).</param>
public sealed record ScaledParameter(string Name, Parameter Parameter, ParameterScaling Scaling);

/// <summary>A layer built from a <see cref="LayerPlan"/>.</summary>
public interface IScaledLayer
{
    /// <summary>The resolved declaration this layer was built from.</summary>
    LayerPlan Plan { get; }

    /// <summary>The layer's trainable tensors with their scaling; names are relative to the layer.</summary>
    IEnumerable<ScaledParameter> ScaledParameters();
}

/// <summary>A model generated from a <see cref="WidthAttribute"/> declaration.</summary>
public interface IScaledModel
{
    /// <summary>The model resolved at its width and sparsity.</summary>
    ModelPlan Plan { get; }

    /// <summary>Every trainable tensor with its scaling, named as in the state dict.</summary>
    IEnumerable<ScaledParameter> ScaledParameters();

    /// <summary>How to build this model again (type, width, seed, options): what checkpoints store.</summary>
    ModelRecipe Recipe { get; }
}

/// <summary>A block generated from a <see cref="BlockAttribute"/> class, built from its model's plan.</summary>
public interface IScaledBlock
{
    /// <summary>The whole model's plan (width, parameterization, every layer).</summary>
    ModelPlan Plan { get; }

    /// <summary>This block's state-dict prefix within the model, ending in a dot (<c>blocks.0.</c>).</summary>
    string Prefix { get; }
}
