using System.Globalization;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// One of <see cref="Count"/> parts of a sweep's grid, numbered from 1: the part a cluster task runs. The part's runs
/// come from <see cref="SweepPartition"/>; its results go to their own folder, <see cref="FolderName"/>, under the
/// sweep's output folder, and <c>sweep merge</c> joins the parts.
/// </summary>
/// <param name="Index">Which part, 1 … <see cref="Count"/>.</param>
/// <param name="Count">How many parts the grid is split into.</param>
public sealed record SweepShard(int Index, int Count)
{
    /// <summary>Slurm's array variables (set in every task of <c>sbatch --array=A-B</c>).</summary>
    public const string SlurmTaskId = "SLURM_ARRAY_TASK_ID", SlurmTaskMin = "SLURM_ARRAY_TASK_MIN", SlurmTaskMax = "SLURM_ARRAY_TASK_MAX",
        SlurmTaskCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>The 0-based index Kubernetes gives each pod of an Indexed Job (<c>completionMode: Indexed</c>).</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>What <c>--shard</c> accepts, for help and error texts.</summary>
    public const string Forms = "K/N (part K of N, K from 1), 'slurm' (from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) or 'kubernetes/N' (from JOB_COMPLETION_INDEX, N parts)";

    /// <summary>The part's folder under the sweep's output folder: <c>shard-K-of-N</c>.</summary>
    public string FolderName => string.Create(CultureInfo.InvariantCulture, $"shard-{Index}-of-{Count}");

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>
    /// Reads a <c>--shard</c> value (one of <see cref="Forms"/>), looking scheduler variables up in
    /// <paramref name="environment"/>. Throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static SweepShard Parse(string text, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        string spec = text.Trim();
        if (spec.Equals("slurm", StringComparison.OrdinalIgnoreCase)) return FromSlurm(environment);
        string[] parts = spec.Split('/');
        if (parts.Length != 2) throw Bad(text);
        int count = Number(parts[1], text);
        if (parts[0].Equals("kubernetes", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("k8s", StringComparison.OrdinalIgnoreCase))
        {
            int index = Variable(environment, KubernetesIndex, "--shard kubernetes/N runs inside a Kubernetes Indexed Job (completionMode: Indexed)");
            return Checked(index + 1, count, $"{KubernetesIndex}={index}");
        }
        int k = Number(parts[0], text);
        if (k == 0)
            throw new ArgumentException($"--shard {text}: parts are numbered from 1 to N. For a scheduler's 0-based index use --shard kubernetes/N or --shard slurm.");
        return Checked(k, count, $"--shard {text}");
    }

    // Slurm numbers array tasks as the user wrote --array (0-9, 1-10, …); the part is the task's place in that range.
    private static SweepShard FromSlurm(Func<string, string?> environment)
    {
        const string where = "--shard slurm runs inside a Slurm array job (sbatch --array=A-B)";
        int id = Variable(environment, SlurmTaskId, where);
        int count = Variable(environment, SlurmTaskCount, where);
        int min = Variable(environment, SlurmTaskMin, where);
        int max = Variable(environment, SlurmTaskMax, where);
        if (max - min + 1 != count)
            throw new ArgumentException(
                $"The Slurm array has {count} tasks between {min} and {max}: --shard slurm needs a contiguous range with no step or list (sbatch --array=A-B).");
        return Checked(id - min + 1, count, $"{SlurmTaskId}={id}");
    }

    private static SweepShard Checked(int index, int count, string source)
    {
        if (count < 1) throw new ArgumentException($"{source}: the number of parts must be at least 1, not {count}.");
        if (index < 1 || index > count) throw new ArgumentException($"{source}: part {index} is outside 1 … {count}.");
        return new SweepShard(index, count);
    }

    private static int Variable(Func<string, string?> environment, string name, string where)
    {
        string? value = environment(name);
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} is not set: {where}.");
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            throw new ArgumentException($"{name}='{value}' is not an integer.");
        return n;
    }

    private static int Number(string part, string text) =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw Bad(text);

    private static ArgumentException Bad(string text) => new($"--shard expects {Forms}; got '{text}'.");
}
