namespace SparseDsl;

/// <summary>Which side of a SAT block's units a projection is on, and so which of its weight's axes is gathered.</summary>
public enum OmissionRole
{
    /// <summary>
    /// Produces the units: its weight's rows (and bias entries) belong to them. An MLP's gate and up (a row per neuron);
    /// an attention block's query, key and value projections (<c>d_head</c> rows per head).
    /// </summary>
    Expanding,

    /// <summary>Consumes the units: its weight's columns belong to them. An MLP's down; an attention block's output projection.</summary>
    Contracting,
}
