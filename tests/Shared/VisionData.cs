namespace SparseDsl.Tests.Vision;

/// <summary>Where the tests find the embedded subset: copied next to the test assembly by the project file.</summary>
internal static class VisionData
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Vision", "FashionMnistSubset");
}
