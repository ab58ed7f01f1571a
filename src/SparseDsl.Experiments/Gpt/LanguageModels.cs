using SparseDsl.Experiments.Llama;
using SparseDsl.Experiments.Moe;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// The LMs the command line knows, by name: the one place that ties a name to a generated model type. <c>train</c>,
/// <c>sample</c>, <c>describe</c>, <c>coord-check</c>, <c>sweep</c> and the memory and cost estimates all choose through
/// it, so adding a model to the CLI is one line in <see cref="All"/>.
/// </summary>
public static class LanguageModels
{
    /// <summary>Every model the CLI can train, resume, sample and describe; the first is the default.</summary>
    public static IReadOnlyList<LanguageModelEntry> All { get; } =
    [
        LanguageModelEntry.Of(GptLm.Declaration, GptLm.BaseWidth, GptLm.FromRecipe, GptLm.Trainer.Resume, shortName: "gpt"),
        LanguageModelEntry.Of(GptLmUntied.Declaration, GptLmUntied.BaseWidth, GptLmUntied.FromRecipe, GptLmUntied.Trainer.Resume),
        LanguageModelEntry.Of(LlamaLm.Declaration, LlamaLm.BaseWidth, LlamaLm.FromRecipe, LlamaLm.Trainer.Resume, shortName: "llama"),
        LanguageModelEntry.Of(MoeLm.Declaration, MoeLm.BaseWidth, MoeLm.FromRecipe, MoeLm.Trainer.Resume, shortName: "moe"),
    ];

    /// <summary>The paper's model, the tied <see cref="GptLm"/>.</summary>
    public static LanguageModelEntry Default => All[0];

    /// <summary>Every name, comma-separated, then the short names, for help texts and error messages.</summary>
    public static string Choices
    {
        get
        {
            string names = string.Join(", ", All.Select(m => m.Name));
            var shortNames = All.Where(m => m.ShortName is not null).Select(m => m.ShortName).ToList();
            return shortNames.Count == 0 ? names : $"{names} (short names: {string.Join(", ", shortNames)})";
        }
    }

    /// <summary>The model named <paramref name="name"/> (its type name or short name, ignoring case), or null when there is none.</summary>
    public static LanguageModelEntry? Find(string name) => All.FirstOrDefault(m => m.IsNamed(name));

    /// <summary>The model named <paramref name="name"/> (its type name or short name, ignoring case).</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists the names.</exception>
    public static LanguageModelEntry Named(string name) =>
        Find(name) ?? throw new ArgumentException($"Unknown model '{name}'; the example knows {Choices}.", nameof(name));
}
