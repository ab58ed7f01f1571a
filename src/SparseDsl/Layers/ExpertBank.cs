using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// A mixture-of-experts bank declared with <see cref="ExpertsAttribute"/>: a <see cref="ScaledRouter"/> and
/// <c>Count</c> copies of the block <typeparamref name="TBlock"/>. Each token goes to its <c>TopK</c> most probable
/// experts; their outputs are summed with the renormalised top-k probabilities. Dropless: every expert processes all
/// the tokens routed to it, once, gathered into one batch (one matmul per projection per expert); experts that get no
/// token do not run. State-dict entries: <c>router.weight</c> and <c>experts.{i}.…</c> (masks included).
/// </summary>
/// <remarks>
/// Experts receive their tokens as <c>[tokens, In]</c> and must return <c>[tokens, In]</c>. In training mode with
/// gradients on, each forward pass leaves its weighted auxiliary loss for the trainer (<see cref="IRoutedLayer"/>).
/// </remarks>
/// <typeparam name="TBlock">The expert: a <see cref="BlockAttribute"/> class.</typeparam>
public sealed class ExpertBank<TBlock> : nn.Module<Tensor, Tensor>, IScaledBlock, IRoutedLayer
    where TBlock : nn.Module<Tensor, Tensor>
{
    // Field names match the registered names, as in TorchSharp's own modules.
    private readonly ScaledRouter router;
    private readonly ModuleList<TBlock> experts;
    private readonly Scalar balanceCoefficient;
    private readonly Scalar zLossCoefficient;
    private readonly Scalar one = 1.0.ToScalar();
    private Tensor? pendingLoss;
    private RoutingStatistics? statistics;

    /// <summary>Builds the bank from its model's plan; generated code calls this.</summary>
    /// <param name="plan">The model's plan: the router is <c>{prefix}router</c>, expert i is built under <c>{prefix}experts.{i}.</c>.</param>
    /// <param name="prefix">The bank's state-dict prefix, ending in a dot (<c>blocks.0.mlp.</c>).</param>
    /// <param name="seed">The model's seed.</param>
    /// <param name="device">Where parameters and masks live (CPU when null).</param>
    /// <param name="expert">Builds one expert block from (plan, its prefix, seed, device): the block's generated constructor.</param>
    public ExpertBank(ModelPlan plan, string prefix, long seed, Device? device, Func<ModelPlan, string, long, Device?, TBlock> expert)
        : base(nameof(ExpertBank<TBlock>))
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(expert);
        Plan = plan;
        Prefix = prefix;
        BankName = prefix.TrimEnd('.');
        router = new ScaledRouter(plan[prefix + "router"], seed, device);
        var options = router.Options;
        experts = new ModuleList<TBlock>(Enumerable.Range(0, options.Count)
            .Select(i => expert(plan, prefix + "experts." + i.ToString(CultureInfo.InvariantCulture) + ".", seed, device)).ToArray());
        balanceCoefficient = options.BalanceLoss.ToScalar();
        zLossCoefficient = options.ZLoss.ToScalar();
        RegisterComponents();
    }

    /// <inheritdoc />
    public ModelPlan Plan { get; }

    /// <inheritdoc />
    public string Prefix { get; }

    /// <inheritdoc />
    public string BankName { get; }

    /// <summary>The router.</summary>
    public ScaledRouter Router => router;

    /// <summary>The experts, in order.</summary>
    public ModuleList<TBlock> Experts => experts;

    /// <summary>Number of experts E.</summary>
    public int Count => router.Options.Count;

    /// <summary>Experts per token k.</summary>
    public int TopK => router.Options.TopK;

    /// <summary>Maps tokens <c>[..., In]</c> to <c>[..., In]</c>: the routed, weighted sum of the chosen experts' outputs.</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var tokens = input.reshape(-1, input.shape[^1]);
        var logits = router.call(tokens);
        var route = TopKRouting.Route(logits, TopK);
        var slots = route.Experts.reshape(-1).bincount(null, Count);
        long[] slotsPerExpert = slots.cpu().data<long>().ToArray(); // the loop below needs the counts on the host
        var output = Dispatch(tokens, route, slotsPerExpert);
        if (training && is_grad_enabled()) Record(logits, route, slots, slotsPerExpert);
        return output.reshape(input.shape).MoveToOuterDisposeScope();
    }

    // Slots sorted by expert; each expert runs once on its tokens, and its weighted outputs are added back in place.
    private Tensor Dispatch(Tensor tokens, RoutingDecision route, long[] slotsPerExpert)
    {
        long n = tokens.shape[0];
        var slotExperts = route.Experts.reshape(-1);
        var slotTokens = arange(n, ScalarType.Int64, tokens.device).unsqueeze(1).expand(n, TopK).reshape(-1);
        var order = slotExperts.argsort();
        var sortedTokens = slotTokens.index_select(0, order);
        var sortedWeights = route.Weights.reshape(-1).index_select(0, order).unsqueeze(1);
        var output = zeros_like(tokens);
        long start = 0;
        for (int e = 0; e < slotsPerExpert.Length; e++)
        {
            long count = slotsPerExpert[e];
            if (count == 0) continue;
            var rows = sortedTokens.narrow(0, start, count);
            var expertOutput = experts[e].call(tokens.index_select(0, rows));
            output = output.index_add(0, rows, expertOutput * sortedWeights.narrow(0, start, count), one);
            start += count;
        }
        return output;
    }

    private void Record(Tensor logits, RoutingDecision route, Tensor slots, long[] slotsPerExpert)
    {
        var balance = RoutingLosses.Balance(route.Probabilities, slots);
        var zLoss = RoutingLosses.ZLoss(logits);
        pendingLoss?.Dispose(); // a loss nobody took (a forward pass outside the trainer)
        // Out of every dispose scope: the forward passes of the blocks around this bank close theirs before the trainer asks.
        pendingLoss = (balance * balanceCoefficient + zLoss * zLossCoefficient).DetachFromDisposeScope();
        var pass = new RoutingStatistics(BankName, slotsPerExpert, Value(balance), Value(zLoss), 1);
        statistics = statistics is null ? pass : statistics.Merge(pass);
    }

    // Any floating dtype (a model moved with to(float64) too); the Scalar is disposed here, not left to a finalizer.
    private static double Value(Tensor scalar)
    {
        using var value = scalar.ToScalar();
        return value.ToDouble();
    }

    /// <inheritdoc />
    public Tensor? TakeAuxiliaryLoss()
    {
        var loss = pendingLoss;
        pendingLoss = null;
        return loss;
    }

    /// <inheritdoc />
    public RoutingStatistics? TakeStatistics()
    {
        var taken = statistics;
        statistics = null;
        return taken;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pendingLoss?.Dispose();
            balanceCoefficient.Dispose();
            zLossCoefficient.Dispose();
            one.Dispose();
        }
        base.Dispose(disposing);
    }
}
