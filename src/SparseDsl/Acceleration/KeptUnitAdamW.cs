using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The optimizer step for SAT projections: AdamW applied to the kept units' rows (expanding) or columns
/// (contracting) only, so omitted MLP neurons and attention heads keep their weights and Adam moments exactly, and the
/// step's cost shrinks with the omission rate like the forward and backward passes. The arithmetic is TorchSharp's
/// <see cref="AdamW"/> step, operation for operation, on the gathered slice (with the group's LR, betas, ε and
/// decay), so kept rows move exactly as the full optimizer would move them. Each updated parameter's gradient is then
/// cleared, so the following <c>optimizer.step()</c> skips it. Adam's per-tensor step count (its bias correction)
/// advances once per step for the whole tensor: it cannot be kept per row.
/// </summary>
public static class KeptUnitAdamW
{
    /// <summary>Updates the kept slices of every omitting block's projections in <paramref name="optimizer"/>'s state.</summary>
    /// <exception cref="NotSupportedException">The optimizer is not AdamW, or uses AMSGrad or maximize.</exception>
    /// <exception cref="ArgumentException">A block's parameter is not in the optimizer.</exception>
    public static void Step(IEnumerable<UnitOmission> blocks, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(optimizer);
        var omitting = blocks.Where(b => b.IsOmitting && b.Kept is not null).ToList();
        if (omitting.Count == 0) return;
        var groups = GroupsByParameter(optimizer);
        foreach (var block in omitting)
        {
            foreach (var (layer, role) in block.Projections)
            {
                long dim = role == OmissionRole.Expanding ? 0 : 1;
                var kept = block.KeptIndices(layer)!;
                if (layer.IsSparseStorage)
                {
                    // The kept rows' or columns' values: the sparse kernels left every other value's gradient at zero.
                    using var slots = layer.KeptValueSlots(kept, role);
                    Update(layer.Values!, 0, slots, groups, block.Name);
                }
                else Update(layer.Weight, dim, kept, groups, block.Name);
                if (role == OmissionRole.Expanding && layer.Bias is { } bias) Update(bias, 0, kept, groups, block.Name);
            }
        }
    }

    /// <summary>One AdamW step of <paramref name="parameter"/>'s slices <paramref name="kept"/> along <paramref name="dim"/>; the rest is untouched and the gradient is cleared.</summary>
    public static void UpdateSlices(Parameter parameter, long dim, Tensor kept, AdamW.State state, AdamW.Options options)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(kept);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        using var grad = parameter.grad;
        if (grad is null) return; // like AdamW: a parameter without a gradient is not stepped

        using (no_grad())
        using (NewDisposeScope())
        {
            var g = grad.index_select(dim, kept);
            var p = parameter.index_select(dim, kept);
            var m = state.exp_avg.index_select(dim, kept);
            var v = state.exp_avg_sq.index_select(dim, kept);
            AdamWArithmetic.Apply(p, g, m, v, state.step + 1, options); // throws, for AMSGrad, before anything moves
            state.step += 1;
            parameter.index_copy_(dim, kept, p);
            state.exp_avg.index_copy_(dim, kept, m);
            state.exp_avg_sq.index_copy_(dim, kept, v);
        }
        parameter.grad = null;
    }

    private static void Update(Parameter parameter, long dim, Tensor kept, Dictionary<IntPtr, (AdamW.State State, AdamW.Options Options)> groups, string block)
    {
        if (!groups.TryGetValue(parameter.Handle, out var entry))
            throw new ArgumentException($"SAT block '{block}': a parameter of shape [{string.Join(", ", parameter.shape)}] is not in the optimizer.");
        UpdateSlices(parameter, dim, kept, entry.State, entry.Options);
    }

    private static Dictionary<IntPtr, (AdamW.State, AdamW.Options)> GroupsByParameter(OptimizerHelper optimizer) =>
        AdamWArithmetic.States(optimizer).ToDictionary(e => e.Parameter.Handle, e => (e.State, e.Options));
}
