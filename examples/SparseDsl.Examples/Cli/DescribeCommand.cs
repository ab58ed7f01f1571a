using System.CommandLine;
using SparseDsl.Examples.Gpt;

namespace SparseDsl.Examples.Cli;

/// <summary><c>describe</c>: the per-parameter scaling table of the LM at the given width, sparsity and parameterization.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("describe", "Print the per-parameter scaling table: role, shape, fan-in, density, init, LR and forward multipliers") { json };
        model.AddTo(command);
        command.SetAction(result =>
        {
            var config = model.Bind(result, new RunConfig());
            using var lm = LanguageModel.Create(!config.Untied, config.Width, TorchSharp.torch.CPU, config.Seed, config.ModelOptions);
            var plan = ((IScaledModel)lm).Plan;
            result.InvocationConfiguration.Output.Write(result.GetValue(json) ? plan.DescribeJson() + "\n" : plan.Describe());
            return ExitCodes.Success;
        });
        return command;
    }
}
