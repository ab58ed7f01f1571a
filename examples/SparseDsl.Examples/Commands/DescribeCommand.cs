using System.CommandLine;
using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Examples.Cli;

/// <summary><c>describe</c>: the per-parameter scaling table of the LM at the given width, sparsity and parameterization.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var defaults = new RunConfig();
        var batch = CliOptions.Positive("--batch", "Sequences per micro-batch, for the memory estimate", defaults.Batch);
        var context = CliOptions.Positive("--context", "Sequence length in bytes, for the memory estimate", defaults.Context);
        var command = new Command("describe", "Print the per-parameter scaling table (role, shape, fan-in, density, init, LR and forward multipliers) and the training-memory estimate") { json, batch, context };
        model.AddTo(command);
        var format = new ModeAxis("format", [new("table", "describe (the table)"), new("json", "describe --json, which has no memory estimate", "--json")],
            r => CommandModes.Value(r, json) ? "json" : "table");
        var kind = model.KindAxis("describe");
        var modes = CommandModes.For(command, format, kind).Only([batch, context], format, "table");
        model.Restrict(modes, kind);
        command.SetAction(result =>
        {
            var config = model.Bind(result, new RunConfig());
            var plan = LanguageModels.Named(config.Model).Plan(config.Width, config.ModelOptions); // what the model would be built from
            var estimate = TrainingMemoryEstimate.For(plan, result.GetValue(batch), result.GetValue(context));
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                output.Write(plan.DescribeJson() + "\n");
            }
            else
            {
                output.Write(plan.Describe());
                output.WriteLine($"Training memory at batch {result.GetValue(batch)} × context {result.GetValue(context)}: {estimate}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
