namespace SparseDsl.Data;

/// <summary>Derives independent 32-bit seeds from a tuple of integers (SplitMix64 finalizer over each part).</summary>
internal static class SeedMixer
{
    /// <summary>A seed that changes completely when any part changes.</summary>
    public static int Mix(long seed, long a, long b)
    {
        ulong h = Finalize((ulong)seed);
        h = Finalize(h ^ (ulong)a);
        h = Finalize(h ^ (ulong)b);
        return unchecked((int)(h ^ (h >> 32)));
    }

    private static ulong Finalize(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
