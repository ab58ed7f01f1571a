namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>How the coordinate check's files name a parameterization for a reader.</summary>
public static class ParameterizationLabels
{
    /// <summary>The name a person reads (SP, μP, SμPar) for a row's token; a token of no known parameterization as it is.</summary>
    public static string DisplayName(string parameterization) =>
        ParameterizationNames.TryParse(parameterization, out var known) ? known.DisplayName() : parameterization;
}
