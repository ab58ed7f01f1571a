using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace SparseDsl;

/// <summary>Collects the scaled parameters of a module tree (a generated model and all its blocks).</summary>
public static class ScaledModules
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Every trainable tensor under <paramref name="root"/> with its scaling, named as in the state dict: each
    /// <see cref="IScaledLayer"/>'s own tensors (a tied readout reports none: its table is the embedding's), then the
    /// tensors of members marked <see cref="UnscaledAttribute"/> with SP scaling.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The module holds a tensor that neither a DSL layer nor an <see cref="UnscaledAttribute"/> member accounts for; the
    /// message names each one and says how to declare it.
    /// </exception>
    public static IReadOnlyList<ScaledParameter> Parameters(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var scaled = new List<ScaledParameter>();
        if (root is IScaledLayer self) scaled.AddRange(self.ScaledParameters());
        foreach (var (name, module) in root.named_modules())
            if (module is IScaledLayer layer)
                scaled.AddRange(layer.ScaledParameters().Select(p => p with { Name = name + "." + p.Name }));
        scaled.AddRange(Unscaled(root));

        var covered = new HashSet<object>(scaled.Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        var strays = root.named_parameters().Where(p => !covered.Contains(p.parameter)).Select(p => p.name).ToList();
        if (strays.Count > 0)
            throw new InvalidOperationException(
                $"{root.GetName()} has {strays.Count} trainable tensor(s) outside its scaled plan: {string.Join(", ", strays)}. " +
                "SμPar cannot scale them, so an optimizer would train them wrong or not at all. Declare each as a DSL layer " +
                "([Linear], [SparseLinear], [Conv], [Norm], [Embedding], [Parameter] for a free tensor) or, to train it as it is " +
                "with SP rules at the base learning rate, mark the field or property holding it [Unscaled].");
        return scaled;
    }

    /// <summary>
    /// Moves every tensor of <paramref name="module"/> that is not yet on <paramref name="device"/> there: what the
    /// module's own code built, such as an <see cref="UnscaledAttribute"/> layer made by a field initialiser (on the CPU)
    /// or in <c>OnConstructed</c>. The DSL layers are already there, so they are left as they are. Generated constructors
    /// call this last; a null device means the CPU, where TorchSharp builds everything, so nothing moves.
    /// </summary>
    public static void MoveTo(Module module, TorchSharp.torch.Device? device)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (device is null) return;
        module.to(device);
    }

    /// <summary>
    /// The tensors of members marked <see cref="UnscaledAttribute"/> anywhere under <paramref name="root"/>, named as in
    /// the state dict, with SP scaling: the base learning rate, and weight decay for matrices but not for vectors.
    /// </summary>
    public static IReadOnlyList<ScaledParameter> Unscaled(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var unscaled = new List<ScaledParameter>();
        foreach (var (path, module) in root.named_modules().Prepend(("", root)))
        {
            string prefix = path.Length == 0 ? "" : path + ".";
            foreach (var (name, value) in MarkedMembers(module))
            {
                var tensors = value switch
                {
                    Parameter p => [(name, p)],
                    Module m => m.named_parameters().Select(p => ($"{name}.{p.name}", p.parameter)),
                    _ => [],
                };
                foreach (var (tensorName, tensor) in tensors)
                {
                    var scaling = new ParameterScaling(ParameterRole.Unscaled, 0, 1.0, 1.0, WeightDecay: tensor.dim() >= 2);
                    unscaled.Add(new ScaledParameter(prefix + tensorName, tensor, scaling));
                }
            }
        }
        return unscaled;
    }

    // [Unscaled] members under the name TorchSharp registers them by: the field's name, or an auto-property's backing field.
    private static IEnumerable<(string Name, object Value)> MarkedMembers(Module module)
    {
        for (var type = module.GetType(); type is not null && type != typeof(Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(Members))
                if (field.GetCustomAttribute<UnscaledAttribute>() is not null && field.GetValue(module) is { } value)
                    yield return (field.Name, value);
            foreach (var property in type.GetProperties(Members))
                if (property.GetCustomAttribute<UnscaledAttribute>() is not null && property.GetValue(module) is { } value)
                    yield return (RegisteredName(module, value) ?? property.Name, value);
        }
    }

    // A property's module is registered under its backing field's name; find it by identity among the registered children.
    private static string? RegisteredName(Module module, object value) => value switch
    {
        Module m => module.named_children().FirstOrDefault(c => ReferenceEquals(c.module, m)).name,
        Parameter p => module.named_parameters(recurse: false).FirstOrDefault(c => ReferenceEquals(c.parameter, p)).name,
        _ => null,
    };
}
