namespace SparseDsl;

/// <summary>Which side of a SAT MLP's hidden layer a projection is on, and so which of its weight's axes is gathered.</summary>
public enum OmissionRole
{
    /// <summary>Produces the hidden layer (gate, up): its weight's rows (and bias entries) are the neurons.</summary>
    Expanding,

    /// <summary>Consumes the hidden layer (down): its weight's columns are the neurons.</summary>
    Contracting,
}
