using System.Diagnostics;

namespace SparseDsl;

/// <summary>
/// Collects generation 0 at most once per interval, between training steps: then nothing of the step is reachable, so
/// the collection frees all of its finalizer-only native garbage (see <see cref="TrainerSettings.GarbageCollectionInterval"/>)
/// before it can pin heap pages.
/// </summary>
/// <param name="interval">The least time between two collections; null never collects.</param>
internal sealed class FinalizerGarbageCollector(TimeSpan? interval)
{
    private readonly Stopwatch _sinceCollection = Stopwatch.StartNew();

    /// <summary>Collects if the interval has passed since the last collection.</summary>
    public void CollectWhenDue()
    {
        if (interval is not { } due || _sinceCollection.Elapsed < due) return;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        _sinceCollection.Restart();
    }
}
