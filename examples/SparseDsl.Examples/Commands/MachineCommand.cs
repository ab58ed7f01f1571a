using System.CommandLine;
using SparseDsl.Experiments.SatBenchmark;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>machine</c>: the CPU, torch's thread count and the settings that pick MKL's and ATen's CPU code paths. Numerical
/// results differ in the last bits between CPUs and thread counts, so a bug report or CI log starts with this line.
/// </summary>
internal static class MachineCommand
{
    // The variables that change which kernels run: MKL's dispatch, ATen's vector width and the thread count.
    private static readonly string[] KernelSettings = ["MKL_CBWR", "ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS"];

    public static Command Create()
    {
        var command = new Command("machine", "Print the CPU, torch's thread count and the MKL/ATen settings that choose CPU kernels");
        command.SetAction(result =>
        {
            var set = KernelSettings.Select(name => (name, value: Environment.GetEnvironmentVariable(name)))
                .Where(s => !string.IsNullOrEmpty(s.value)).Select(s => $"{s.name}={s.value}").ToArray();
            result.InvocationConfiguration.Output.WriteLine(
                $"machine: {Machine.Describe()}; kernel settings: {(set.Length == 0 ? "none" : string.Join(" ", set))}");
            return ExitCodes.Success;
        });
        return command;
    }
}
