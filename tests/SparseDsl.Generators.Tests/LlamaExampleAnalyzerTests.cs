namespace SparseDsl.Generators.Tests;

/// <summary>The Llama example's declarations (with the GPT's SwiGLU block they reuse) raise no SparseDsl diagnostic.</summary>
public class LlamaExampleAnalyzerTests
{
    [Fact]
    public void The_Llama_example_raises_nothing()
    {
        string experiments = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "SparseDsl.Experiments"));
        string[] llama = Directory.GetFiles(Path.Combine(experiments, "Llama"), "*.cs");
        Assert.Contains(llama, f => f.EndsWith("GroupedQueryAttention.cs", StringComparison.Ordinal));
        string[] sources = [.. llama.Concat(Directory.GetFiles(Path.Combine(experiments, "Gpt"), "*.cs")).Select(File.ReadAllText)];
        Assert.Empty(GeneratorHarness.Analyze(sources));
    }
}
