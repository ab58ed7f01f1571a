using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>Collects the scaled parameters of a module tree (a generated model and all its blocks).</summary>
public static class ScaledModules
{
    /// <summary>
    /// Every trainable tensor under <paramref name="root"/> with its scaling, named as in the state dict. Each
    /// <see cref="IScaledLayer"/> reports its own tensors; a tied readout reports none (its table is the embedding's).
    /// </summary>
    public static IEnumerable<ScaledParameter> Parameters(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root is IScaledLayer self)
            foreach (var p in self.ScaledParameters()) yield return p;
        foreach (var (name, module) in root.named_modules())
        {
            if (module is not IScaledLayer layer) continue;
            foreach (var p in layer.ScaledParameters())
                yield return p with { Name = name + "." + p.Name };
        }
    }
}
