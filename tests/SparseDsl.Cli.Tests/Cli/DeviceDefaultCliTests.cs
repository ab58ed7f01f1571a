namespace SparseDsl.Tests.Cli;

/// <summary>The CLI's <c>--device</c> default and the tests' device both come from <c>SPARSEDSL_DEVICE</c>.</summary>
public sealed class DeviceDefaultCliTests
{
    [Fact]
    public void The_tests_and_the_CLI_default_follow_the_one_variable()
    {
        // Whatever this run's SPARSEDSL_DEVICE says (the suite runs under cpu, unset, or cuda on a GPU machine).
        Assert.Equal(DeviceSelector.Resolve(DeviceSelector.DefaultName()).type, TestDevice.Current.type);
        string help = CliRun.Invoke("train", "--help").Output;
        Assert.Contains($"${DeviceSelector.EnvironmentVariable}", help);
        Assert.Contains($"[default: {DeviceSelector.DefaultName()}]", help);
    }
}
