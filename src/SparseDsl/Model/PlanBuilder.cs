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
        if (options.Vocabulary is int v && v < 1) throw new ArgumentOutOfRangeException(nameof(options), v, $"{modelName}: the vocabulary must be at least 1, not {v}.");
        if (options.BalanceLoss is double b && !(b >= 0 && double.IsFinite(b)))
            throw new ArgumentOutOfRangeException(nameof(options), b, $"{modelName}: the balance-loss coefficient must be finite and non-negative, not {b}.");

        var rules = new ScalingRules(options.Parameterization, options.Hyperparameters, options.DepthRule);
        var context = new Context(modelName, baseWidth, width, rules, options, options.Vocabulary ?? model.Vocabulary);
        context.Add(model, "", nesting: 0, branch: null, activeFraction: 1.0);
        CheckOverrides(context);
        return new ModelPlan(modelName, baseWidth, width, options, rules, context.Layers, context.Stacks) { Vocabulary = context.Vocabulary };
    }

    private sealed record Context(string ModelName, int BaseWidth, int Width, ScalingRules Rules, ModelOptions Options, int? Vocabulary)
    {
        public List<LayerPlan> Layers { get; } = [];
        public List<ResidualStack> Stacks { get; } = [];
        public HashSet<string> UsedOverrideKeys { get; } = new(StringComparer.Ordinal);

        // branch: the stack whose residual branches hold this block, or null outside every [Repeat].
        // activeFraction: the share of tokens that pass through this block (k/E inside an expert bank), for ModelCost.
        public void Add(BlockDeclaration block, string prefix, int nesting, ResidualStack? branch, double activeFraction)
        {
            if (nesting > MaxNesting)
                throw new ArgumentException($"{ModelName}: blocks nest deeper than {MaxNesting} levels at '{prefix}'; does {block.TypeName} contain itself?");
            foreach (var member in block.Members)
            {
                switch (member)
                {
                    case LayerDeclaration layer:
                        Layers.Add(Resolve(layer, prefix, block, branch) with { ActiveFraction = activeFraction });
                        break;
                    case ChildDeclaration { Depth: null } child:
                        Add(child.Block(), $"{prefix}{child.Name}.", nesting + 1, branch, activeFraction);
                        break;
                    case ExpertsDeclaration bank:
                        // The router first (it validates Count and TopK), then each expert as a block of its own; inside a
                        // [Repeat] stack the router and every expert are in the branch like any other tensor there.
                        var router = Resolve(new LayerDeclaration(bank.RouterName, bank.Attribute), prefix, block, branch) with { ActiveFraction = activeFraction };
                        Layers.Add(router);
                        var experts = router.Experts!;
                        var expertBlock = bank.Block();
                        for (int i = 0; i < experts.Count; i++)
                            Add(expertBlock, prefix + bank.ExpertPrefix(i), nesting + 1, branch, activeFraction * experts.ActiveFraction);
                        break;
                    case ChildDeclaration child:
                        var stack = Stack(child, prefix, branch);
                        Stacks.Add(stack);
                        var childBlock = child.Block();
                        for (int i = 0; i < stack.Depth; i++) Add(childBlock, $"{prefix}{child.Name}.{i}.", nesting + 1, stack, activeFraction);
                        break;
                    default:
                        throw new ArgumentException($"{ModelName}: unknown member kind {member.GetType().Name}.");
                }
            }
        }

        private ResidualStack Stack(ChildDeclaration child, string prefix, ResidualStack? outer)
        {
            string name = prefix + child.Name;
            int depth = Options.Depth ?? child.Depth!.Value;
            if (depth < 1) throw new ArgumentException($"{ModelName}.{name}: the depth must be at least 1, not {depth}.");
            int baseDepth = child.BaseDepth ?? child.Depth!.Value;
            if (baseDepth < 1) throw new ArgumentException($"{ModelName}.{name}: the base depth must be at least 1, not {baseDepth}.");
            // No source gives a rule for a branch inside a branch (docs/depth.md, "other layouts"): refuse rather than guess.
            if (outer is not null && Rules.DepthRule != DepthRule.None)
                throw new ArgumentException($"{ModelName}.{name}: a [Repeat] stack inside the repeated block '{outer.Name}' has no {Rules.DepthRule.DisplayName()} rule (which m_L scales its branches?); use depth rule none, or flatten the stacks.");
            double multiplier = ScalingRules.DepthMultiplier(depth, baseDepth);
            return new ResidualStack(name, depth, baseDepth, multiplier, Rules.ResidualMultiplier(multiplier));
        }

        private LayerPlan Resolve(LayerDeclaration d, string prefix, BlockDeclaration block, ResidualStack? branch)
        {
            string name = prefix + d.Name;
            LayerDescription description;
            try { description = d.Attribute.Describe(new LayerContext(name, Width, BaseWidth, Rules) { Vocabulary = Vocabulary }); }
            catch (ArgumentException e) { throw new ArgumentException($"{ModelName}.{name} [{d.Attribute.KindName}]: {e.Message}", e); }
            int inFeatures = ResolveDimension(description.In, name), outFeatures = ResolveDimension(description.Out, name);
            double sparsity = EffectiveSparsity(description, name);
            double widthMultiplier = ScalingRules.WidthMultiplier(description.In, Width, BaseWidth);
            string? tiedTo = description.TiedTo is null ? null : CheckTie(d, description, name, prefix, block);
            var parameters = description.Parameters.Select(p => ResolveParameter(p, name, sparsity, tiedTo, branch)).ToList();
            return new LayerPlan(name, d.Attribute, inFeatures, outFeatures, sparsity, widthMultiplier, parameters, Rules)
            {
                Description = description,
                TiedTo = tiedTo,
                Storage = Options.Storage,
                Attention = description.Attention is { } a ? a with { Name = name } : null,
                Experts = description.Experts is { } bank ? bank with { Name = BankName(name), BalanceLoss = Options.BalanceLoss ?? bank.BalanceLoss } : null,
            };
        }

        // The one place a declared tensor meets the rules: role, m_d of its fan-in, m_ρ when masked, m_L of its branch.
        private ParameterPlan ResolveParameter(ParameterDeclaration p, string layer, double sparsity, string? tiedTo, ResidualStack? branch)
        {
            long[] shape = p.Shape.Select(dim => (long)ResolveDimension(dim, layer)).ToArray();
            ParameterRole role;
            try { role = p.Role ?? ScalingRules.RoleOfShape(p.Shape, p.FanIn); }
            catch (ArgumentException e) { throw new ArgumentException($"{ModelName}.{layer}.{p.Name}: {e.Message}.", e); }
            double widthMultiplier = p.FanIn is { } fanIn ? ScalingRules.WidthMultiplier(fanIn, Width, BaseWidth) : 1.0;
            double density = p.Masked ? 1.0 - sparsity : 1.0;
            var scaling = Rules.Weight(role, widthMultiplier, p.Masked ? ScalingRules.DensityMultiplier(sparsity) : 1.0,
                modelWidthMultiplier: (double)Width / BaseWidth, branchDepthMultiplier: branch?.DepthMultiplier);
            if (p.Init is ParameterInit.Zeros or ParameterInit.Ones) scaling = scaling with { InitStd = 0 };
            if (p.WeightDecay is bool decay) scaling = scaling with { WeightDecay = decay };
            int inputs = p.FanIn is { } f ? ResolveDimension(f, layer) * p.FanInFactor : 1;
            bool tied = tiedTo is not null && p.Name == "weight";
            return new ParameterPlan(p.Name, shape, scaling, tied ? ParameterInit.Tied : p.Init, inputs, density)
            {
                TiedTo = tied ? tiedTo + ".weight" : null,
            };
        }

        private string CheckTie(LayerDeclaration readout, LayerDescription description, string name, string prefix, BlockDeclaration block)
        {
            // TiedTo names the embedding's property (nameof(Embed)) or its state name (embed).
            string target = StateNames.SnakeCase(description.TiedTo!);
            var embedding = block.Members.OfType<LayerDeclaration>().FirstOrDefault(m => m.Name == target);
            if (embedding?.Attribute is not EmbeddingAttribute table)
                throw new ArgumentException($"{ModelName}.{name}: TiedTo '{description.TiedTo}' is not an embedding of {block.TypeName}.");
            if (readout.Attribute is not ReadoutAttribute { ZeroInit: false, Bias: false })
                throw new ArgumentException($"{ModelName}.{name}: only a readout without bias or zero init can be tied.");
            var embedded = table.Describe(new LayerContext(prefix + embedding.Name, Width, BaseWidth, Rules) { Vocabulary = Vocabulary });
            if (description.In != embedded.Out || description.Out != embedded.In)
                throw new ArgumentException($"{ModelName}.{name}: a tied readout must map {embedded.Out} → {embedded.In} like the embedding '{embedding.Name}', not {description.In} → {description.Out}.");
            return prefix + embedding.Name;
        }

        // A router is "{bank}.router": the bank is what Describe names.
        private static string BankName(string router) => router.LastIndexOf('.') is var dot and > 0 ? router[..dot] : router;

        private int ResolveDimension(Dimension dimension, string layer)
        {
            try { return dimension.Resolve(Width, Vocabulary); }
            catch (ArgumentException e) { throw new ArgumentException($"{ModelName}.{layer}: {e.Message}", e); }
        }

        private double EffectiveSparsity(LayerDescription description, string name)
        {
            if (description.Sparsity is not double s) return 0.0;
            // The model-wide override is for hidden layers: an input-like layer (a patch embedding) stays as declared.
            bool hidden = description.Parameters.Any(p => p.Masked && p.Role == ParameterRole.Hidden);
            if (Options.Sparsity is double all && hidden) s = all;
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
        if (context.Options.BalanceLoss is not null && !context.Layers.Any(l => l.Experts is not null))
            throw new ArgumentException($"{context.ModelName} has no [Experts] bank, so it has no balance-loss coefficient to replace.", nameof(ModelOptions.BalanceLoss));
        if (context.Options.RecomputeBlocks && context.Layers.FirstOrDefault(l => l.Experts is not null) is { } bank)
            throw new ArgumentException($"{context.ModelName}.{bank.Name} is an [Experts] bank, whose balance loss is taken from the forward pass, so its blocks cannot be recomputed in the backward pass; train it without RecomputeBlocks (--recompute).", nameof(ModelOptions.RecomputeBlocks));
        if (context.Options.LayerSparsity is null) return;
        foreach (var key in context.Options.LayerSparsity.Keys.Where(k => !context.UsedOverrideKeys.Contains(k)))
        {
            var dense = context.Layers.FirstOrDefault(l => Context.Matches(l.Name, key));
            if (dense is not null)
                throw new ArgumentException($"{context.ModelName}.{dense.Name} is a {dense.Kind} layer, which takes no sparsity; only layers that declare one ([SparseLinear], [Conv]) do (override key '{key}').", nameof(ModelOptions.LayerSparsity));
            var sparse = context.Layers.Where(l => l.Description.Sparsity is not null).Select(l => l.Name);
            throw new ArgumentException($"{context.ModelName} has no layer '{key}' to override the sparsity of. Sparse layers: {string.Join(", ", sparse)}.", nameof(ModelOptions.LayerSparsity));
        }
    }
}
