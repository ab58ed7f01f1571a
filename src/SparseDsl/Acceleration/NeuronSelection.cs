namespace SparseDsl;

/// <summary>How SAT picks the kept neurons from their importance scores.</summary>
public enum NeuronSelection
{
    /// <summary>The <c>k</c> highest scores.</summary>
    TopK,

    /// <summary>
    /// <c>k</c> neurons drawn without replacement with probability proportional to their score (Gumbel-top-k), so
    /// low-scoring neurons still get trained now and then.
    /// </summary>
    Sample,
}
