namespace SparseDsl.Export;

/// <summary>How <see cref="WeightExport"/> writes a model's weights.</summary>
public sealed record ExportOptions
{
    /// <summary>
    /// Fold every forward multiplier into the weights (α_input into the embedding, α_output/m_d into the readout,
    /// untying a tied readout, an expert bank's router multiplier into the router weight, and the attention logit scale
    /// into the query projection), so that a plain transformer
    /// with <c>1/√d_head</c> attention reproduces the logits. See docs/export.md for the rules.
    /// </summary>
    public bool Fold { get; init; }

    /// <summary>
    /// Write each sparse-stored weight as stored — its kept values and int32 compressed-row indices, about
    /// <c>(4 + 4)/(4 · density)</c> times smaller than the dense weight and mask — instead of the default dense
    /// <c>weight</c> and <c>mask</c>. The metadata's <c>sparse_tensors</c> names the three tensors of each weight
    /// (docs/export.md). <see cref="WeightImport"/> reads either form into a model of either storage. Not with <see cref="Fold"/>:
    /// a folded file is for plain transformers, which read dense weights.
    /// </summary>
    public bool SparsePattern { get; init; }

    /// <summary>The tokenizer the model reads and writes, recorded in the metadata (null: not recorded).</summary>
    public string? Tokenizer { get; init; }

    /// <summary>More metadata to record as it is (a training run's settings, the step); keys must not clash with the exporter's.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// For folding: the query projection of each attention layer, by full name, where it is not the attention's sibling
    /// named <c>query</c> (<c>blocks.0.attention.attention</c> → <c>blocks.0.attention.query</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string>? QueryProjections { get; init; }
}
