using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Keeps omitted neurons exactly as they were across an optimizer step. An omitted neuron gets a zero gradient, but
/// AdamW would still move its weights (momentum, decoupled weight decay) and decay its moments; SAT leaves it
/// untouched instead. <see cref="Preserve"/> copies the omitted rows/columns of every weight, bias and Adam moment
/// before the step, and <see cref="Dispose"/> writes them back after it. Adam's per-tensor step count (its bias
/// correction) still advances for the whole tensor: it cannot be kept per row.
/// </summary>
public sealed class OmittedNeuronState : IDisposable
{
    private readonly List<(Tensor Target, long Dim, Tensor Indices, Tensor Saved)> _saved = [];

    private OmittedNeuronState()
    {
    }

    /// <summary>Snapshots the omitted slices of the blocks' parameters and of their Adam/AdamW state in <paramref name="optimizer"/>.</summary>
    /// <exception cref="NotSupportedException">The optimizer is not Adam or AdamW.</exception>
    /// <exception cref="ArgumentException">A block's parameter is not in the optimizer.</exception>
    public static OmittedNeuronState Preserve(IEnumerable<NeuronOmission> blocks, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(optimizer);
        var result = new OmittedNeuronState();
        var omitting = blocks.Where(b => b.IsOmitting && b.Omitted is not null).ToList();
        if (omitting.Count == 0) return result;
        var states = StatesByParameter(optimizer);
        using var _ = no_grad();
        foreach (var block in omitting)
        {
            foreach (var (layer, role) in block.Projections)
            {
                long dim = role == OmissionRole.Expanding ? 0 : 1;
                result.Save(layer.Weight, dim, block.Omitted!, states, block.Name);
                if (role == OmissionRole.Expanding && layer.Bias is { } bias) result.Save(bias, 0, block.Omitted!, states, block.Name);
            }
        }
        return result;
    }

    /// <summary>Writes the saved slices back and frees them.</summary>
    public void Dispose()
    {
        using (no_grad())
        {
            foreach (var (target, dim, indices, saved) in _saved)
            {
                target.index_copy_(dim, indices, saved);
                saved.Dispose();
            }
        }
        _saved.Clear();
    }

    private void Save(Parameter parameter, long dim, Tensor omitted, Dictionary<IntPtr, OptimizerState> states, string block)
    {
        if (!states.TryGetValue(parameter.Handle, out var state))
            throw new ArgumentException($"SAT block '{block}': a parameter of shape [{string.Join(", ", parameter.shape)}] is not in the optimizer.");
        foreach (var tensor in Tensors(parameter, state))
            _saved.Add((tensor, dim, omitted, tensor.index_select(dim, omitted).DetachFromDisposeScope()));
    }

    private static IEnumerable<Tensor> Tensors(Parameter parameter, OptimizerState state)
    {
        yield return parameter;
        switch (state)
        {
            case AdamW.State adamW:
                yield return adamW.exp_avg;
                yield return adamW.exp_avg_sq;
                if (adamW.max_exp_avg_sq is not null) yield return adamW.max_exp_avg_sq;
                break;
            case Adam.State adam:
                yield return adam.exp_avg;
                yield return adam.exp_avg_sq;
                if (adam.max_exp_avg_sq is not null) yield return adam.max_exp_avg_sq;
                break;
            default:
                throw new NotSupportedException($"SAT keeps omitted neurons' optimizer state untouched for Adam and AdamW only, not for {state.GetType().Name}.");
        }
    }

    // state_dict() lists the live state objects group by group, parameter by parameter, in the order of ParamGroups.
    private static Dictionary<IntPtr, OptimizerState> StatesByParameter(OptimizerHelper optimizer)
    {
        var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters).ToList();
        var states = optimizer.state_dict().State;
        if (states.Count != parameters.Count)
            throw new InvalidOperationException($"The optimizer lists {parameters.Count} parameters but {states.Count} states.");
        var map = new Dictionary<IntPtr, OptimizerState>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++) map[parameters[i].Handle] = states[i];
        return map;
    }
}
