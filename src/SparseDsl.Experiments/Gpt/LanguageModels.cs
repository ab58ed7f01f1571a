using SparseDsl.Experiments.Llama;
using SparseDsl.Experiments.Moe;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// The LMs known by name: the one place that ties a name to a generated model type. <c>train</c>, <c>sample</c>,
/// <c>describe</c>, the coordinate check, the sweep (<see cref="Sweep.LearningRateSweep"/>, whose settings and files
/// name the model) and the memory and cost estimates all choose through it. The reference models are built in; a
/// user's own LM joins with <see cref="Add"/>, and from then on sweeps, resumes and checks it like the others.
/// </summary>
public static class LanguageModels
{
    private static readonly object Gate = new();

    private static IReadOnlyList<LanguageModelEntry> _all =
    [
        LanguageModelEntry.Of(GptLm.Declaration, GptLm.BaseWidth, GptLm.FromRecipe, GptLm.Trainer.Resume, shortName: "gpt"),
        LanguageModelEntry.Of(GptLmUntied.Declaration, GptLmUntied.BaseWidth, GptLmUntied.FromRecipe, GptLmUntied.Trainer.Resume),
        LanguageModelEntry.Of(LlamaLm.Declaration, LlamaLm.BaseWidth, LlamaLm.FromRecipe, LlamaLm.Trainer.Resume, shortName: "llama"),
        LanguageModelEntry.Of(MoeLm.Declaration, MoeLm.BaseWidth, MoeLm.FromRecipe, MoeLm.Trainer.Resume, shortName: "moe"),
    ];

    /// <summary>Every model known by name, the reference models first (the first is the default), then those <see cref="Add"/>ed.</summary>
    public static IReadOnlyList<LanguageModelEntry> All => Volatile.Read(ref _all);

    /// <summary>
    /// Makes <paramref name="model"/> known by its name (and short name) to everything that chooses a model by name:
    /// <c>LanguageModels.Add(LanguageModelEntry.Of(MyLm.Declaration, MyLm.BaseWidth, MyLm.FromRecipe, MyLm.Trainer.Resume))</c>.
    /// Adding the same entry twice is harmless.
    /// </summary>
    /// <exception cref="ArgumentException">Another model already has that name or short name.</exception>
    public static void Add(LanguageModelEntry model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (Gate)
        {
            if (_all.Contains(model)) return;
            if (_all.FirstOrDefault(m => m.IsNamed(model.Name) || (model.ShortName is { } s && m.IsNamed(s))) is { } taken)
                throw new ArgumentException($"A model named {taken.Name} is already known; give {model.Name} another name.", nameof(model));
            Volatile.Write(ref _all, [.. _all, model]);
        }
    }

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
