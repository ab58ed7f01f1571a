using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Loads AdamW state saved for layers in their dense masked form (<see cref="DenseMaskedForms"/>) into an AdamW over
/// the same model with those layers stored sparse: each such layer's moments are taken at its kept positions.
/// </summary>
/// <remarks>
/// On the dense masked path a masked position has zero gradient, so its moments are zero, and gathering the kept
/// positions loses nothing. The saved state is read into a shadow AdamW whose groups are the optimizer's own with each
/// converted layer's values replaced by a dense stand-in of the saved shape (TorchSharp reads a moment only into a tensor
/// of its shape); it is then copied into the optimizer's live state, gathered where the layer is sparse. Group options
/// (learning rates, betas, weight decay) are copied as saved, as <c>load_state_dict</c> would.
/// </remarks>
internal static class DenseMomentConversion
{
    /// <summary>Reads the optimizer section at the reader's position into <paramref name="optimizer"/>.</summary>
    /// <exception cref="ArgumentException">The saved state does not fit the optimizer's groups (TorchSharp's message).</exception>
    public static void Load(BinaryReader reader, AdamW optimizer, IReadOnlyCollection<ISparseStorageLayer> converted)
    {
        var layers = new Dictionary<Tensor, ISparseStorageLayer>(ReferenceEqualityComparer.Instance);
        foreach (var layer in converted) layers[layer.Values!] = layer;
        var live = AdamWArithmetic.States(optimizer);
        var standIns = new List<Parameter>();
        try
        {
            var groups = optimizer.ParamGroups.Cast<ParamGroup>().Select(g => new AdamW.ParamGroup(
                g.Parameters.Select(p => layers.TryGetValue(p, out var layer) ? StandIn(layer, standIns) : p).ToList(), OwnOptions((AdamW.Options)g.Options))).ToList();
            using var shadow = optim.AdamW(groups);
            shadow.load_state_dict(reader);
            var saved = AdamWArithmetic.States(shadow);
            using var noGrad = no_grad();
            for (int i = 0; i < live.Count; i++)
            {
                var (parameter, target, options) = live[i];
                var source = saved[i].State;
                options.LoadStateDict(saved[i].Options);
                target.step = source.step;
                var layer = layers.GetValueOrDefault(parameter);
                Copy(target.exp_avg, source.exp_avg, layer);
                Copy(target.exp_avg_sq, source.exp_avg_sq, layer);
                if (target.max_exp_avg_sq is not null && source.max_exp_avg_sq is not null) Copy(target.max_exp_avg_sq, source.max_exp_avg_sq, layer);
            }
        }
        finally
        {
            foreach (var standIn in standIns) standIn.Dispose();
        }
    }

    // The shadow's groups get options of their own: loading the file overwrites them before they are copied over.
    private static AdamW.Options OwnOptions(AdamW.Options options)
    {
        var copy = new AdamW.Options();
        copy.LoadStateDict(options);
        return copy;
    }

    private static Parameter StandIn(ISparseStorageLayer layer, List<Parameter> standIns)
    {
        var standIn = new Parameter(zeros(layer.Plan.Parameter("weight").Shape, layer.Values!.dtype, layer.Values.device), requires_grad: true);
        standIns.Add(standIn);
        return standIn;
    }

    // A converted layer's dense moment [out, …] is gathered at its kept positions of the flattened [out, rest] matrix.
    private static void Copy(Tensor target, Tensor source, ISparseStorageLayer? layer)
    {
        if (layer is null)
        {
            target.copy_(source);
            return;
        }
        using var matrix = source.reshape(source.shape[0], -1);
        using var kept = layer.Pattern!.Gather(matrix);
        target.copy_(kept);
    }
}
