using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// Writes a declared model's weights as safetensors under their PyTorch state-dict names, with metadata that says how
/// to use them (<see cref="ExportMetadata"/>). Unfolded, the file holds the state dict as it is (masks included; every
/// weight already equals W ⊙ M; a sparse-stored weight is scattered into that dense form unless
/// <see cref="ExportOptions.SparsePattern"/> asks for its stored values and indices), and <see cref="WeightImport"/> loads
/// it back bit for bit. Folded, every forward
/// multiplier is multiplied into the weights so that a plain transformer reproduces the logits (docs/export.md).
/// </summary>
public static class WeightExport
{
    /// <summary>Exports <paramref name="model"/>, a generated SparseDsl model, to <paramref name="path"/> (written atomically) and returns the metadata written.</summary>
    /// <exception cref="ArgumentException">The model is not a generated SparseDsl model, extra metadata uses a reserved key, or
    /// <see cref="ExportOptions.Fold"/> and <see cref="ExportOptions.SparsePattern"/> are both set.</exception>
    /// <exception cref="NotSupportedException">Folding meets a multiplier it has no rule for (a custom layer kind's, an attention
    /// without a query projection, or the residual multiplier of a depth rule other than none).</exception>
    public static IReadOnlyDictionary<string, string> Write(nn.Module model, string path, ExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IScaledModel scaled) throw new ArgumentException($"{model.GetName()} is not a SparseDsl model ([Width] class): it has no plan to export.", nameof(model));
        options ??= new ExportOptions();
        if (options.Fold && options.SparsePattern)
            throw new ArgumentException("A folded export is for plain transformers, which read dense weights: fold or keep the sparse pattern, not both.", nameof(options));
        var plan = scaled.Plan;
        // Under a depth rule, Residual.Add multiplies each branch by m_L^(−α) inside the block's own forward code, which
        // names no layer the factor could go into; a plain transformer would silently drop it, so folding refuses.
        if (options.Fold && plan.DepthRule != DepthRule.None)
            throw new NotSupportedException($"Cannot fold {plan.ModelName}: it was built with depth rule {plan.DepthRule.Token()}, whose residual-branch multiplier m_L^(−α) lives in the blocks' forward code, not in a weight. Export unfolded instead (the metadata's depth_rule and residual_stacks give the multiplier).");
        var queryProjections = QueryProjections(plan, options);
        var stored = options.SparsePattern ? SparseStoredTensor.Of(model) : [];
        var metadata = ExportMetadata.Of(plan, scaled.Recipe, options.Fold, options.Tokenizer, queryProjections, ExportedState.Describe(stored));
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            if (ExportMetadata.Reserved.Contains(key)) throw new ArgumentException($"Metadata key '{key}' is the exporter's own.", nameof(options));
            metadata[key] = value;
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tensors = options.Fold ? Folded(model, plan, queryProjections)
            : options.SparsePattern ? ExportedState.Stored(model)
            : ExportedState.Dense(model);
        SafeTensors.Write(path, tensors, metadata);
        return metadata;
    }

    // Where each attention's logit scale goes when folding: the option's choice, else the sibling named "query".
    private static Dictionary<string, string> QueryProjections(ModelPlan plan, ExportOptions options)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>())
        {
            if (options.QueryProjections?.TryGetValue(a.Name, out var given) == true) { map[a.Name] = given; continue; }
            int dot = a.Name.LastIndexOf('.');
            string sibling = (dot < 0 ? "" : a.Name[..(dot + 1)]) + "query";
            if (plan.Layers.Any(l => l.Name == sibling)) map[a.Name] = sibling;
        }
        return map;
    }

    // The rules of docs/export.md, in code: m·W for every multiplied weight (a router's included; a tied readout gets its own copy), masks
    // dropped (the weights are already zero there), and s·√d_head on each attention's queries.
    private static List<(string Name, Tensor Tensor)> Folded(nn.Module model, ModelPlan plan, IReadOnlyDictionary<string, string> queryProjections)
    {
        var dense = ExportedState.Dense(model);
        var state = dense.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal);
        var factors = new Dictionary<string, double>(StringComparer.Ordinal);
        var added = new List<(string Name, Tensor Tensor)>();
        foreach (var layer in plan.Layers)
        {
            foreach (var p in layer.Parameters)
            {
                double m = p.Scaling.ForwardMultiplier;
                string name = $"{layer.Name}.{p.Name}";
                if (m == 1.0 && p.TiedTo is null) continue;
                // An expert bank's router (ExpertsAttribute: the bank's only planned layer) has no bias, so its logits'
                // factor goes into its weight like a readout's: m·(x W_rᵀ) = x (m·W_r)ᵀ.
                if (p.Name != "weight" || layer.Attribute is not (EmbeddingAttribute or LinearAttribute or SparseLinearAttribute or ReadoutAttribute or ConvAttribute or ExpertsAttribute))
                    throw new NotSupportedException($"Cannot fold the forward multiplier {m:R} of '{name}' ({layer.Kind}): folding knows embeddings, linear, readout, convolution and router weights. Export unfolded instead.");
                if (p.TiedTo is { } table)
                    added.Add((name, state[table].mul(m))); // the readout gets its own table: the embedding's is scaled by α_input
                else
                    Multiply(factors, name, m);
            }
            if (layer.Attention is { } attention)
            {
                double toPlain = attention.LogitScale * Math.Sqrt(attention.HeadDim);
                if (toPlain == 1.0) continue;
                if (attention.QkNorm)
                {
                    // RMS-normalised queries ignore a factor on the projection: it goes on the query gain instead.
                    Multiply(factors, $"{layer.Name}.query_norm", toPlain);
                }
                else if (queryProjections.TryGetValue(attention.Name, out var query))
                {
                    Multiply(factors, $"{query}.weight", toPlain);
                    if (state.ContainsKey($"{query}.bias")) Multiply(factors, $"{query}.bias", toPlain);
                }
                else
                {
                    throw new NotSupportedException($"Cannot fold the logit scale of '{attention.Name}': it has no sibling layer named 'query'; name its query projection in ExportOptions.QueryProjections.");
                }
            }
        }
        var masks = plan.Layers.SelectMany(l => l.Parameters.Where(p => p.IsMasked).Select(p => $"{l.Name}.{LayerTensors.MaskName(p.Name)}")).ToHashSet(StringComparer.Ordinal);
        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, value) in dense)
        {
            if (masks.Contains(name)) continue;
            tensors.Add((name, factors.TryGetValue(name, out double f) ? value.mul(f) : value));
        }
        foreach (var name in factors.Keys.Where(n => !state.ContainsKey(n)))
            throw new NotSupportedException($"Cannot fold into '{name}': the model has no such tensor.");
        tensors.AddRange(added);
        return tensors;
    }

    private static void Multiply(Dictionary<string, double> factors, string name, double factor) =>
        factors[name] = factors.GetValueOrDefault(name, 1.0) * factor;
}
