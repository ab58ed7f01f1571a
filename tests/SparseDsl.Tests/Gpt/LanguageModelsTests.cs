using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Gpt;

/// <summary>The example's model registry: each name builds, plans, trains and resumes its own generated type.</summary>
public sealed class LanguageModelsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-models-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly ModelOptions Small = new() { Depth = 1 };

    // The smallest width every model takes: the Llama's width/4 key/value projections must hold a 32-wide head.
    private const int Width = 128;

    public static TheoryData<string> Names() => [.. LanguageModels.All.Select(m => m.Name)];

    [Fact]
    public void Names_are_unique_and_the_paper_model_is_the_default()
    {
        Assert.Equal(LanguageModels.All.Count, LanguageModels.All.Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(nameof(GptLm), LanguageModels.Default.Name);
        Assert.Same(LanguageModels.Named(nameof(GptLmUntied)), LanguageModels.Named("gptlmuntied"));
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_choices()
    {
        Assert.Null(LanguageModels.Find("Bert"));
        var e = Assert.Throws<ArgumentException>(() => LanguageModels.Named("Bert"));
        Assert.Contains("'Bert'", e.Message);
        Assert.Contains("GptLm, GptLmUntied", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_entry_builds_its_own_type_with_the_plan_it_describes(string name)
    {
        var entry = LanguageModels.Named(name);
        using var model = entry.FromRecipe(entry.Recipe(Width, seed: 3, Small));
        Assert.Equal(name, model.GetType().Name);
        var plan = ((IScaledModel)model).Plan;
        Assert.Equal(entry.Plan(Width, Small).Describe(), plan.Describe());
        Assert.Equal(name, ((IScaledModel)model).Recipe.ModelType);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_entry_trains_and_resumes_its_own_type(string name)
    {
        var entry = LanguageModels.Named(name);
        string checkpoint = Path.Combine(_folder, name + ".sdsl");
        var settings = new TrainerSettings { Steps = 2, CheckpointPath = checkpoint };
        var data = new NextTokenBatches(BundledCorpus.Open(), 2, 16, seed: 1, validationBatches: 1);

        var trained = entry.Train(entry.Recipe(Width, seed: 3, Small), settings with { Steps = 1 }, data, TestDevice.Current, new RunToEnd());
        Assert.Equal((name, 1L), trained);
        var resumed = entry.Resume(checkpoint, settings, data, TestDevice.Current, new RunToEnd());
        Assert.Equal((name, 2L), resumed);
    }

    private sealed class RunToEnd : ITrainerUser<(string Model, long Steps)>
    {
        public (string Model, long Steps) Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
        {
            trainer.Run();
            return (typeof(TModel).Name, trainer.CompletedSteps);
        }
    }
}
