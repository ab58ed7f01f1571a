using System.Globalization;

namespace SparseDsl.Experiments.Training;

/// <summary>
/// Keeps the expert banks' routing of the last training step, to print the expert load histogram when the run ends
/// (every step's is in metrics.jsonl under <c>expert_load</c>). Prints nothing for models without experts.
/// </summary>
internal sealed class ExpertLoadSummary : ITrainingObserver
{
    private StepMetrics? last;

    public void OnStep(StepMetrics metrics)
    {
        if (metrics.Routing.Count > 0) last = metrics;
    }

    /// <summary>One line per bank: the share of routing slots each expert got in the last step, and the unweighted losses.</summary>
    public void WriteTo(TextWriter log)
    {
        if (last is null) return;
        var c = CultureInfo.InvariantCulture;
        log.WriteLine(string.Create(c, $"expert load at step {last.Step} (share of the routing slots per expert; uniform is {1.0 / last.Routing[0].SlotsPerExpert.Length:0.###}):"));
        foreach (var bank in last.Routing)
            log.WriteLine(string.Create(c, $"  {bank.BankName}: {string.Join(" ", bank.LoadFractions.Select(f => f.ToString("0.000", c)))}  balance loss {bank.BalanceLoss:0.###}  z-loss {bank.ZLoss:0.###}"));
    }
}
