namespace SparseDsl.Benchmarks.Generator.Corpus;

/// <summary>
/// A file with no DSL declaration (training helpers), and the edit made to it: the "unrelated edit" after which
/// every step of the generator must stay cached.
/// </summary>
internal static class UnrelatedSource
{
    /// <summary>Where the file sits in the compilation.</summary>
    public const string Path = "Training/RunHelpers.cs";

    /// <summary>The file before the edit.</summary>
    public const string Original = """
        namespace Bench.Training;

        /// <summary>Small helpers a training script uses.</summary>
        public static class RunHelpers
        {
            /// <summary>Warm-up steps for a run of <paramref name="steps"/> steps.</summary>
            public static int WarmupSteps(int steps) => Math.Max(1, steps / 10);

            /// <summary>Tokens seen after <paramref name="step"/> steps.</summary>
            public static long TokensSeen(int step, int batch, int context) => (long)step * batch * context;
        }
        """;

    /// <summary>The file after the edit: a comment and a new method, nothing the generator looks at.</summary>
    public static string Edited { get; } = Original.Replace(
        "    /// <summary>Tokens seen",
        """
            // Added by the benchmark's edit.
            public static double DecayFactor(int step, int steps) => 1.0 - (double)step / Math.Max(1, steps);

            /// <summary>Tokens seen
        """, StringComparison.Ordinal);
}
