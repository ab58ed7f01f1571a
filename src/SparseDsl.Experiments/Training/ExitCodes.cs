namespace SparseDsl.Experiments.Training;

/// <summary>The exit codes the experiment runners return and the CLI exits with, so scripts can tell a bad command line from a diverged run.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug, or the machine); the message says what.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: an unknown or invalid option, a missing or unusable data file or checkpoint, an impossible model.</summary>
    public const int BadInput = 2;

    /// <summary>The loss or gradients became NaN or infinite; the last checkpoint is still the last good state.</summary>
    public const int Diverged = 3;

    /// <summary>Interrupted (Ctrl+C) after checkpointing the last completed step.</summary>
    public const int Interrupted = 130;
}
