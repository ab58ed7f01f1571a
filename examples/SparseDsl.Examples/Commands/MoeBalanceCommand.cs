using System.CommandLine;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.SatBenchmark;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>moe-balance</c>: the example MoE's expert load across balance-loss coefficients and router multipliers, one seeded
/// short <c>train --model moe</c> run per pair, printed (and with <c>--out</c> written) as a Markdown table with the
/// machine and load average (docs/moe.md, "Choosing the balance coefficient").
/// </summary>
internal static class MoeBalanceCommand
{
    public static Command Create()
    {
        var coefficients = CliOptions.Checked(
            new Option<double[]>("--balance-losses") { Description = "Balance-loss coefficients c_b to run", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [0.001, 0.01, 0.03, 0.1, 0.3] },
            v => v.Length > 0 && v.All(c => c >= 0 && double.IsFinite(c)), "finite numbers ≥ 0");
        var alphas = CliOptions.Checked(
            new Option<double[]>("--router-alphas") { Description = "Router multipliers α_router to run", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [0.5, 1, 2] },
            v => v.Length > 0 && v.All(a => a > 0 && double.IsFinite(a)), "positive numbers");
        var width = CliOptions.Positive("--width", "Model width", Defaults.Width);
        var depth = CliOptions.Positive("--depth", "Transformer blocks (one expert bank each)", Defaults.Depth);
        var steps = CliOptions.PositiveLong("--steps", "Optimizer steps per run", Defaults.Steps);
        var batch = CliOptions.Positive("--batch", "Sequences per step", Defaults.Batch);
        var context = CliOptions.Positive("--context", "Tokens per sequence", Defaults.Context);
        var window = CliOptions.Positive("--window", "The last steps whose load and balance loss are averaged", DefaultWindow);
        var seeds = CliOptions.Checked(
            new Option<long[]>("--seeds") { Description = "Seeds of weights, masks and batches: each pair runs once per seed", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [Defaults.Seed] },
            v => v.Length > 0, "at least one seed");
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus" };
        var output = new Option<string?>("--out") { Description = "Also write the table as Markdown to this file" };

        var command = new Command("moe-balance", "Expert load of MoeLm per balance-loss coefficient and router multiplier (docs/moe.md)");
        foreach (var option in new Option[] { coefficients, alphas, width, depth, steps, batch, context, window, seeds, data, output })
            command.Options.Add(option);
        command.SetAction((result, cancellation) =>
        {
            var log = result.InvocationConfiguration.Output;
            var config = Defaults with
            {
                Width = result.GetValue(width),
                Depth = result.GetValue(depth),
                Steps = result.GetValue(steps),
                Batch = result.GetValue(batch),
                Context = result.GetValue(context),
            };
            int last = result.GetValue(window);
            if (last > config.Steps) throw new ArgumentException($"--window {last} is longer than the run (--steps {config.Steps}).");
            string machine = Machine.Describe(), loadBefore = LoadAverage.Read();
            log.WriteLine($"machine: {machine}; load average {loadBefore}");
            var runs = new List<MoeBalanceRun>();
            var seedList = result.GetRequiredValue(seeds).Distinct().ToList();
            var points = from alpha in result.GetRequiredValue(alphas).Distinct()
                         from coefficient in result.GetRequiredValue(coefficients).Distinct()
                         from seed in seedList
                         select (alpha, coefficient, seed);
            foreach (var (alpha, coefficient, seed) in points)
            {
                var run = MoeBalance.Measure(config with { BalanceLoss = coefficient, RouterAlpha = alpha, Seed = seed }, last, result.GetValue(data), cancellation);
                log.WriteLine(FormattableString.Invariant($"c_b {coefficient}, α_router {alpha}, seed {seed}: ") +
                    string.Join("; ", run.Banks.Select(b => FormattableString.Invariant($"{b.Bank} L_b {b.BalanceLoss:0.000}, min/max share {b.MinShare:0.00}/{b.MaxShare:0.00}"))) +
                    FormattableString.Invariant($"; validation {run.ValidationLoss:0.000}; {run.Elapsed.TotalSeconds:0} s"));
                runs.Add(run);
            }
            string markdown = MoeBalance.ToMarkdown(runs) + (seedList.Count > 1 ? "\n" + MoeBalance.SummaryMarkdown(runs) : "") + FormattableString.Invariant(
                $"\nWidth {config.Width}, depth {config.Depth}, {config.Steps} steps of {config.Batch} × {config.Context} tokens, seeds {string.Join(" ", seedList)}; load and L_b averaged over the last {last} steps. Machine: {machine}; load average {loadBefore} before, {LoadAverage.Read()} after.\n");
            log.WriteLine();
            log.Write(markdown);
            if (result.GetValue(output) is { } path) File.WriteAllText(path, markdown);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>
    /// The measured run: <c>train --model moe --steps 100</c>, the README's MoE run (the CLI's width, depth, batch,
    /// context, schedule, clipping and decay), shortened from 600 steps to fit 2 shared cores.
    /// </summary>
    internal static RunConfig Defaults { get; } = new() { Model = nameof(MoeLm), Steps = 100 };

    /// <summary>The last steps averaged by default.</summary>
    internal const int DefaultWindow = 20;
}
