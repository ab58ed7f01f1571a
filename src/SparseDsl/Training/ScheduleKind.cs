namespace SparseDsl;

/// <summary>The shape of the learning-rate factor after warm-up.</summary>
public enum ScheduleKind
{
    /// <summary>Linear decay to the final fraction of the peak (the paper's schedule).</summary>
    Linear,

    /// <summary>Half-cosine decay to the final fraction of the peak.</summary>
    Cosine,

    /// <summary>The peak LR until the end.</summary>
    Constant,
}
