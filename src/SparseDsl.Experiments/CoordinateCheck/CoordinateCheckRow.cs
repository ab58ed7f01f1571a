namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// One measurement of a coordinate check (Dey et al. 2024, Fig. 5): mean |output| of one block kind at one training step.
/// </summary>
/// <param name="Parameterization">The parameterization's file token, "SP", "muP" or "SuPar" (<see cref="ParameterizationNames.Token"/>).</param>
/// <param name="Width">Model width (d_model) the measurement was taken at.</param>
/// <param name="Density">Fraction of weights kept (1 = dense).</param>
/// <param name="Seed">Random seed of the run.</param>
/// <param name="Step">Training step the activation was measured after.</param>
/// <param name="Block">Block kind, e.g. "attention" or "mlp"; the value is the mean over all blocks of that kind.</param>
/// <param name="MeanAbsActivation">Mean absolute value of the block's output.</param>
public sealed record CoordinateCheckRow(
    string Parameterization, int Width, double Density, int Seed, int Step, string Block, double MeanAbsActivation);
