using System.Globalization;
using SparseDsl.Examples.Cli;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// First Ctrl+C: checkpoint the last completed step and stop cleanly. A second one kills the process as usual.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
};

return CliApp.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, cancellation.Token);
