namespace SparseDsl;

/// <summary>
/// Flattens a declaration tree into a <see cref="ModelPlan"/>: resolves dimensions at the width, applies sparsity and
/// depth overrides, checks ties and head counts, and asks <see cref="ScalingRules"/> for every scaling.
/// </summary>
internal static class PlanBuilder
{
    // A block that contains itself (directly or not) would recurse forever; no real model nests this deep.
    private const int MaxNesting = 16;

    public static ModelPlan Build(BlockDeclaration model, int baseWidth, int width, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        string modelName = model.TypeName;
        if (baseWidth <= 0) throw new ArgumentOutOfRangeException(nameof(baseWidth), baseWidth, "The base width must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"{modelName}: the width must be positive, not {width}.");
        if (options.Depth is int d && d < 1) throw new ArgumentOutOfRangeException(nameof(options), d, $"{modelName}: the depth must be at least 1, not {d}.");

        var rules = new ScalingRules(options.Parameterization, options.Hyperparameters);
        var context = new Context(modelName, baseWidth, width, rules, options);
        context.Add(model, "", nesting: 0);
        CheckOverrides(context);
        return new ModelPlan(modelName, baseWidth, width, options, rules, context.Layers, context.Depths);
    }

    private sealed record Context(string ModelName, int BaseWidth, int Width, ScalingRules Rules, ModelOptions Options)
    {
        public List<LayerPlan> Layers { get; } = [];
        public Dictionary<string, int> Depths { get; } = new(StringComparer.Ordinal);
        public HashSet<string> UsedOverrideKeys { get; } = new(StringComparer.Ordinal);

        public void Add(BlockDeclaration block, string prefix, int nesting)
        {
            if (nesting > MaxNesting)
                throw new ArgumentException($"{ModelName}: blocks nest deeper than {MaxNesting} levels at '{prefix}'; does {block.TypeName} contain itself?");
            foreach (var member in block.Members)
            {
                switch (member)
                {
                    case LayerDeclaration layer:
                        Layers.Add(Resolve(layer, prefix, block));
                        break;
                    case ChildDeclaration { Depth: null } child:
                        Add(child.Block(), $"{prefix}{child.Name}.", nesting + 1);
                        break;
                    case ChildDeclaration child:
                        int depth = Options.Depth ?? child.Depth!.Value;
                        if (depth < 1) throw new ArgumentException($"{ModelName}.{prefix}{child.Name}: the depth must be at least 1, not {depth}.");
                        Depths[prefix + child.Name] = depth;
                        var childBlock = child.Block();
                        for (int i = 0; i < depth; i++) Add(childBlock, $"{prefix}{child.Name}.{i}.", nesting + 1);
                        break;
                    default:
                        throw new ArgumentException($"{ModelName}: unknown member kind {member.GetType().Name}.");
                }
            }
        }

        private LayerPlan Resolve(LayerDeclaration d, string prefix, BlockDeclaration block)
        {
            string name = prefix + d.Name;
            int inFeatures = ResolveDimension(d.In, name), outFeatures = ResolveDimension(d.Out, name);
            double sparsity = EffectiveSparsity(d, name);
            double densityMultiplier = ScalingRules.DensityMultiplier(sparsity);
            double widthMultiplier = ScalingRules.WidthMultiplier(d.In, Width, BaseWidth);
            switch (d.Kind)
            {
                case LayerKind.Attention:
                    if (d.HeadDim <= 0 || inFeatures % d.HeadDim != 0)
                        throw new ArgumentException($"{ModelName}.{name}: the attention dimension {inFeatures} ({d.In} at width {Width}) is not divisible by the head dimension {d.HeadDim}; choose a width that is a multiple of {d.HeadDim}.");
                    return new LayerPlan(name, d, inFeatures, outFeatures, 0, widthMultiplier, 1, null, null)
                    {
                        AttentionScale = Rules.AttentionScale(d.HeadDim),
                        Heads = inFeatures / d.HeadDim,
                    };
                case LayerKind.Norm:
                    return new LayerPlan(name, d, inFeatures, outFeatures, 0, widthMultiplier, 1,
                        Rules.Weight(ParameterRole.Norm, widthMultiplier), d.Bias ? Rules.Weight(ParameterRole.Bias, widthMultiplier) : null);
            }

            ParameterRole role = d.Kind switch
            {
                LayerKind.Embedding => ParameterRole.Embedding,
                LayerKind.Readout when d.Out.ScalesWithWidth =>
                    throw new ArgumentException($"{ModelName}.{name}: a readout's output dimension must be finite, not '{d.Out}'."),
                LayerKind.Readout => ParameterRole.Readout,
                _ => ScalingRules.RoleOf(d.In, d.Out),
            };
            var weight = Rules.Weight(role, widthMultiplier, densityMultiplier);
            if (d.ZeroInit) weight = weight with { InitStd = 0 };
            ParameterScaling? bias = d.Bias ? Rules.Weight(ParameterRole.Bias, widthMultiplier) : null;
            return new LayerPlan(name, d, inFeatures, outFeatures, sparsity, widthMultiplier, densityMultiplier, weight, bias)
            {
                TiedTo = d.TiedTo is null ? null : CheckTie(d, name, prefix, block),
            };
        }

        private string CheckTie(LayerDeclaration readout, string name, string prefix, BlockDeclaration block)
        {
            var embedding = block.Members.OfType<LayerDeclaration>().FirstOrDefault(m => m.Name == readout.TiedTo);
            if (embedding is null || embedding.Kind != LayerKind.Embedding)
                throw new ArgumentException($"{ModelName}.{name}: TiedTo '{readout.TiedTo}' is not an embedding of {block.TypeName}.");
            if (readout.Kind != LayerKind.Readout || readout.ZeroInit || readout.Bias)
                throw new ArgumentException($"{ModelName}.{name}: only a readout without bias or zero init can be tied.");
            if (readout.In != embedding.Out || readout.Out != embedding.In)
                throw new ArgumentException($"{ModelName}.{name}: a tied readout must map {embedding.Out} → {embedding.In} like the embedding '{embedding.Name}', not {readout.In} → {readout.Out}.");
            return prefix + embedding.Name;
        }

        private int ResolveDimension(Dimension dimension, string layer)
        {
            try { return dimension.Resolve(Width); }
            catch (ArgumentException e) { throw new ArgumentException($"{ModelName}.{layer}: {e.Message}", e); }
        }

        private double EffectiveSparsity(LayerDeclaration d, string name)
        {
            if (d.Kind != LayerKind.SparseLinear) return 0.0;
            double s = d.Sparsity;
            if (Options.Sparsity is double all) s = all;
            if (Options.LayerSparsity is { } perLayer)
            {
                // The longest key that is the full name or a dotted suffix of it wins.
                var match = perLayer.Keys.Where(k => Matches(name, k)).OrderByDescending(k => k.Length).FirstOrDefault();
                if (match is not null)
                {
                    s = perLayer[match];
                    UsedOverrideKeys.Add(match);
                }
            }
            if (!(s >= 0 && s < 1))
                throw new ArgumentOutOfRangeException(nameof(ModelOptions.Sparsity), s, $"{ModelName}.{name}: sparsity must be in [0, 1), not {s}.");
            return s;
        }

        public static bool Matches(string name, string key) =>
            name == key || (name.EndsWith(key, StringComparison.Ordinal) && name[name.Length - key.Length - 1] == '.');
    }

    private static void CheckOverrides(Context context)
    {
        if (context.Options.LayerSparsity is null) return;
        foreach (var key in context.Options.LayerSparsity.Keys.Where(k => !context.UsedOverrideKeys.Contains(k)))
        {
            var dense = context.Layers.FirstOrDefault(l => Context.Matches(l.Name, key));
            if (dense is not null)
                throw new ArgumentException($"{context.ModelName}.{dense.Name} is a {dense.Declaration.Kind} layer; only [SparseLinear] layers take a sparsity (override key '{key}').", nameof(ModelOptions.LayerSparsity));
            var sparse = context.Layers.Where(l => l.Declaration.Kind == LayerKind.SparseLinear).Select(l => l.Name);
            throw new ArgumentException($"{context.ModelName} has no layer '{key}' to override the sparsity of. Sparse layers: {string.Join(", ", sparse)}.", nameof(ModelOptions.LayerSparsity));
        }
    }
}
