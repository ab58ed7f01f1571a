using System.Globalization;
using System.Text;
using SparseDsl.Experiments.Training;

namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>The benchmark's three arms, in the order they are reported.</summary>
public enum SatArm
{
    /// <summary>Every neuron and head in every step.</summary>
    Dense,

    /// <summary>SAT over MLP neurons only.</summary>
    Mlp,

    /// <summary>SAT over MLP neurons and attention heads.</summary>
    MlpAndHeads,
}

/// <summary>Wall and CPU time of the steps trained at one pair of SAT omission rates, in every arm.</summary>
/// <param name="NeuronRate">The MLP's omission rate in these steps (both SAT arms).</param>
/// <param name="HeadRate">The heads' omission rate in these steps (the MLP+heads arm).</param>
/// <param name="OmittedNeurons">The fraction of neurons those steps actually omit (rates round to whole neurons).</param>
/// <param name="OmittedHeads">The fraction of heads those steps actually omit (rates round to whole key/value groups).</param>
public sealed record RungTiming(double NeuronRate, double HeadRate, double OmittedNeurons, double OmittedHeads)
{
    private readonly ClockReading[] _times = new ClockReading[3];

    /// <summary>Steps at these rates.</summary>
    public int Steps { get; private set; }

    /// <summary>One arm's time over these steps.</summary>
    public ClockReading this[SatArm arm] => _times[(int)arm];

    /// <summary>Adds one step of each arm (indexed by <see cref="SatArm"/>).</summary>
    public void Add(IReadOnlyList<ClockReading> step)
    {
        Steps++;
        for (int i = 0; i < _times.Length; i++) _times[i] += step[i];
    }

    /// <summary>An arm's mean milliseconds per step on <paramref name="clock"/>.</summary>
    public double Milliseconds(SatArm arm, StepClock clock) => this[arm].On(clock).TotalMilliseconds / Steps;
}

/// <summary>One arm's totals.</summary>
/// <param name="Arm">Which arm.</param>
/// <param name="Time">Its training time (all steps), wall and CPU.</param>
/// <param name="Validation">Its final validation loss, with every neuron and head.</param>
public sealed record ArmResult(SatArm Arm, ClockReading Time, double Validation);

/// <summary>What the dense vs SAT-MLP vs SAT-MLP+heads benchmark measured.</summary>
/// <param name="Config">The run (model, batches, steps).</param>
/// <param name="Mlp">The SAT arms' MLP settings.</param>
/// <param name="Heads">The MLP+heads arm's head settings.</param>
/// <param name="Tokens">Tokens each arm trained on.</param>
/// <param name="Arms">The arms' totals, dense first.</param>
/// <param name="MlpShare">The MLP projections' share of the model's matmul work per token: what neuron omission can shrink.</param>
/// <param name="HeadShare">The attention's share (Q, K, V, output projections and the attention's own products): what head omission can shrink.</param>
/// <param name="Rungs">Time per pair of omission rates, highest MLP rate first.</param>
/// <param name="MlpTimes">One MLP's forward+backward at each rate, rate 0 (dense) first.</param>
/// <param name="AttentionTimes">One attention block's forward+backward at each head rate, rate 0 first.</param>
/// <param name="Load">The machine's load average (1, 5, 15 min) at the start and at the end.</param>
/// <param name="MachineDescription">The CPU and the torch threads the arms trained with (<see cref="Machine.Describe"/>).</param>
public sealed record SatBenchmarkResult(
    RunConfig Config, SparsityAcceleration Mlp, SparsityAcceleration Heads, long Tokens, IReadOnlyList<ArmResult> Arms,
    double MlpShare, double HeadShare, IReadOnlyList<RungTiming> Rungs,
    IReadOnlyList<BlockTime> MlpTimes,
    IReadOnlyList<BlockTime> AttentionTimes,
    (string Start, string End) Load,
    string MachineDescription)
{
    /// <summary>An arm's totals.</summary>
    public ArmResult this[SatArm arm] => Arms.Single(a => a.Arm == arm);

    /// <summary>An arm's tokens/s over dense's, on <paramref name="clock"/>.</summary>
    public double Speedup(SatArm arm, StepClock clock = StepClock.Wall) => this[SatArm.Dense].Time.On(clock) / this[arm].Time.On(clock);

    /// <summary>An arm's validation loss relative to dense's: +0.01 is 1% worse.</summary>
    public double RelativeLossChange(SatArm arm) => this[arm].Validation / this[SatArm.Dense].Validation - 1;

    /// <summary>The MLP+heads arm's tokens/s over the MLP-only arm's, on <paramref name="clock"/>.</summary>
    public double HeadsOverMlp(StepClock clock = StepClock.Wall) => this[SatArm.Mlp].Time.On(clock) / this[SatArm.MlpAndHeads].Time.On(clock);

    /// <summary>An arm's step speed-up if time were matmul work only: <c>1 / (1 − share · omitted)</c>, over the run's steps.</summary>
    public double IdealSpeedup(SatArm arm) => Rungs.Sum(r => (double)r.Steps) / Rungs.Sum(r => r.Steps * IdealStepFraction(arm, r));

    /// <summary>The fraction of a dense step's matmul work an arm does at <paramref name="rung"/>'s rates.</summary>
    public double IdealStepFraction(SatArm arm, RungTiming rung) => arm switch
    {
        SatArm.Dense => 1,
        SatArm.Mlp => 1 - MlpShare * rung.OmittedNeurons,
        _ => 1 - MlpShare * rung.OmittedNeurons - HeadShare * rung.OmittedHeads,
    };

    /// <summary>The result as Markdown: the headline table and the per-rate breakdowns.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"Model {Config.Model}, width {Config.Width}, depth {Config.Depth}, sparsity {Config.Sparsity?.ToString(c) ?? "as declared"}, " +
                         $"{Config.Steps} steps of {Config.Batch}x{Config.Context} bytes, seed {Config.Seed}. " +
                         $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {MachineDescription}; load average (1, 5, 15 min) {Load.Start} at the start, {Load.End} at the end.");
        md.AppendLine();
        md.AppendLine(c, $"- MLP neurons: {Mlp}.");
        md.AppendLine(c, $"- Attention heads (MLP+heads arm): {Heads}.");
        md.AppendLine(c, $"- The MLP is {MlpShare * 100:0}% of the model's matmul work, the attention (Q, K, V, output and the attention's products) {HeadShare * 100:0}%.");
        md.AppendLine();
        md.AppendLine("| arm | tokens | time (s) | tokens/s | vs dense | CPU time (s) | vs dense, CPU | matmul-only ideal | validation loss (nats/byte) | vs dense |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var arm in Arms)
        {
            string change = arm.Arm == SatArm.Dense ? "" : RelativeLossChange(arm.Arm).ToString("+0.00%;-0.00%", c);
            md.AppendLine(c, $"| {Name(arm.Arm)} | {Tokens:N0} | {arm.Time.Wall.TotalSeconds:0.0} | {Tokens / arm.Time.Wall.TotalSeconds:N0} | {Speedup(arm.Arm):0.00}x " +
                             $"| {arm.Time.Cpu.TotalSeconds:0.0} | {Speedup(arm.Arm, StepClock.Cpu):0.00}x | {IdealSpeedup(arm.Arm):0.00}x | {arm.Validation:0.0000} | {change} |");
        }
        md.AppendLine();
        md.AppendLine(c, $"**Throughput (wall): SAT MLP {Speedup(SatArm.Mlp):0.00}x dense, SAT MLP+heads {Speedup(SatArm.MlpAndHeads):0.00}x dense; MLP+heads / MLP only = {HeadsOverMlp():0.00}x " +
                         $"({HeadsOverMlp(StepClock.Cpu):0.00}x in CPU time).** " +
                         $"**Validation loss vs dense: MLP {RelativeLossChange(SatArm.Mlp):+0.00%;-0.00%}, MLP+heads {RelativeLossChange(SatArm.MlpAndHeads):+0.00%;-0.00%}.**");
        foreach (var clock in new[] { StepClock.Wall, StepClock.Cpu })
        {
            md.AppendLine();
            md.AppendLine(clock == StepClock.Wall
                ? "Where the time goes, per pair of omission rates: each arm's whole training step in wall time (same steps, same tokens), its speed-up over dense, and its matmul-only ideal."
                : "The same in CPU time (this process's, all threads), which other work on a shared machine barely changes:");
            md.AppendLine();
            md.AppendLine("| neuron rate | head rate | steps | dense ms/step | SAT MLP ms/step | speed-up | ideal | SAT MLP+heads ms/step | speed-up | ideal | MLP+heads / MLP |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in Rungs)
            {
                double dense = r.Milliseconds(SatArm.Dense, clock), mlp = r.Milliseconds(SatArm.Mlp, clock), heads = r.Milliseconds(SatArm.MlpAndHeads, clock);
                md.AppendLine(c, $"| {r.NeuronRate:0.###} | {r.HeadRate:0.###} | {r.Steps} | {dense:0.0} | {mlp:0.0} | {dense / mlp:0.00}x | {1 / IdealStepFraction(SatArm.Mlp, r):0.00}x " +
                                 $"| {heads:0.0} | {dense / heads:0.00}x | {1 / IdealStepFraction(SatArm.MlpAndHeads, r):0.00}x | {mlp / heads:0.00}x |");
            }
        }
        md.AppendLine();
        md.AppendLine("One block alone (layer 0, forward + backward on a batch of the run's shape, the rates taking turns) at each rate, against the ideal `1/(1 − omitted fraction)`; " +
                      "milliseconds are wall (CPU):");
        md.AppendLine();
        md.AppendLine("| rate | MLP ms | MLP speed-up, wall (CPU) | ideal | attention ms | attention speed-up, wall (CPU) | ideal |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        var mlpDense = MlpTimes.First(m => m.Rate == 0).Time;
        var attentionDense = AttentionTimes.First(m => m.Rate == 0).Time;
        foreach (double rate in MlpTimes.Select(m => m.Rate).Union(AttentionTimes.Select(a => a.Rate)).Order())
        {
            string Cells(IReadOnlyList<BlockTime> times, ClockReading dense) =>
                times.FirstOrDefault(t => t.Rate == rate) is { } t
                    ? string.Create(c, $"{t.Time.Wall.TotalMilliseconds:0.0} ({t.Time.Cpu.TotalMilliseconds:0.0}) | {dense.Wall / t.Time.Wall:0.00}x ({dense.Cpu / t.Time.Cpu:0.00}x) | {1 / (1 - t.OmittedFraction):0.00}x")
                    : "– | – | –";
            md.AppendLine(c, $"| {rate:0.###} | {Cells(MlpTimes, mlpDense)} | {Cells(AttentionTimes, attentionDense)} |");
        }
        return md.ToString();
    }

    /// <summary>An arm's name in the tables.</summary>
    public static string Name(SatArm arm) => arm switch
    {
        SatArm.Dense => "dense",
        SatArm.Mlp => "SAT MLP",
        _ => "SAT MLP+heads",
    };
}
