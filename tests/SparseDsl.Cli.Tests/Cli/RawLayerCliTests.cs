using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Tests.Kinds;

namespace SparseDsl.Tests.Cli;

/// <summary>
/// A model with a raw, undeclared layer is refused by <c>CreateAdamW</c> with an <see cref="InvalidOperationException"/>
/// naming its tensors; on the CLI's path that refusal is one <c>error: …</c> line and exit code 2, never an unhandled
/// exception, also when parallel sweep runs deliver it together.
/// </summary>
public sealed class RawLayerCliTests
{
    private static InvalidOperationException Refusal()
    {
        using var model = new WithRawLayer(16, TestDevice.Current, seed: 1);
        return Assert.Throws<InvalidOperationException>(() => model.CreateAdamW());
    }

    private static void AssertOneLineExit2(Exception exception)
    {
        var error = new StringWriter();
        int code = CliApp.Report(exception, error);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {error}");
        Assert.StartsWith("error: ", error.ToString());
        Assert.Contains("outside its scaled plan: raw.weight, raw.bias", error.ToString());
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }

    [Fact]
    public void The_refusal_is_one_error_line_and_exit_code_2()
    {
        AssertOneLineExit2(Refusal());
    }

    [Fact]
    public void The_refusal_of_several_parallel_runs_is_one_error_line_and_exit_code_2()
    {
        // What SweepRunner.RunAll rethrows when more than one of its --parallel runs fails: the runs' exceptions, together.
        AssertOneLineExit2(new AggregateException(Refusal(), Refusal()));
        // And what Parallel.ForEach itself throws when every run refuses its model.
        var thrown = Assert.Throws<AggregateException>(() => Parallel.ForEach(new[] { 1, 2 }, _ => throw Refusal()));
        AssertOneLineExit2(thrown);
    }
}
