using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// One model of <see cref="LanguageModels"/>: its declaration (a plan without tensors, for describe and the memory and
/// cost estimates), how to build it from a recipe (a new one or a checkpoint's), and how to train it or resume its run.
/// </summary>
public abstract class LanguageModelEntry
{
    private protected LanguageModelEntry(BlockDeclaration declaration, int baseWidth, string? shortName)
    {
        Declaration = declaration;
        BaseWidth = baseWidth;
        ShortName = shortName;
    }

    /// <summary>The model's type name: what <c>--model</c> takes and a checkpoint's recipe records.</summary>
    public string Name => Declaration.TypeName;

    /// <summary>A short name <c>--model</c> also takes (<c>gpt</c>, <c>llama</c>), or null; never recorded anywhere.</summary>
    public string? ShortName { get; }

    /// <summary>Whether <paramref name="name"/> is this model's name or short name, ignoring case.</summary>
    public bool IsNamed(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(ShortName, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The generated declaration of the model's members.</summary>
    public BlockDeclaration Declaration { get; }

    /// <summary>The base (proxy) width the model is declared at.</summary>
    public int BaseWidth { get; }

    /// <summary>The model resolved at <paramref name="width"/>, without building a tensor.</summary>
    /// <exception cref="ArgumentException">The width or an option is invalid; the message says which.</exception>
    public ModelPlan Plan(int width, ModelOptions options) => ModelPlan.Create(Declaration, BaseWidth, width, options);

    /// <summary>The recipe of a new model of this type.</summary>
    public ModelRecipe Recipe(int width, long seed, ModelOptions options) => new(Name, width, seed, options);

    /// <summary>Builds the model <paramref name="recipe"/> describes; the caller owns it.</summary>
    /// <exception cref="InvalidDataException">The recipe is of another model type.</exception>
    public abstract nn.Module<Tensor, Tensor> FromRecipe(ModelRecipe recipe, Device? device = null);

    /// <summary>
    /// Builds the model <paramref name="recipe"/> describes and a trainer at step 0 that owns it, hands the trainer to
    /// <paramref name="user"/> and disposes it (and so the model) afterwards.
    /// </summary>
    public abstract TResult Train<TResult>(ModelRecipe recipe, TrainerSettings settings, ITrainingData data, Device? device, ITrainerUser<TResult> user);

    /// <summary>
    /// Rebuilds the model saved in <paramref name="checkpoint"/> with a trainer that continues its run, hands the trainer
    /// to <paramref name="user"/> and disposes it (and so the model) afterwards.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint holds another model, or is unreadable.</exception>
    public abstract TResult Resume<TResult>(string checkpoint, TrainerSettings settings, ITrainingData data, Device? device, ITrainerUser<TResult> user);

    /// <summary>
    /// An entry from a generated model's own members, passed as method groups (<c>GptLm.FromRecipe</c>,
    /// <c>GptLm.Trainer.Resume</c>), and the short name <c>--model</c> also takes, if any.
    /// </summary>
    public static LanguageModelEntry Of<TModel>(BlockDeclaration declaration, int baseWidth, Func<ModelRecipe, Device?, TModel> fromRecipe,
        Func<string, TrainerSettings, ITrainingData, Device?, Func<Tensor, Tensor, Tensor>?, Trainer<TModel>> resume, string? shortName = null)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(fromRecipe);
        ArgumentNullException.ThrowIfNull(resume);
        return new Typed<TModel>(declaration, baseWidth, fromRecipe, resume, shortName);
    }

    private sealed class Typed<TModel>(BlockDeclaration declaration, int baseWidth, Func<ModelRecipe, Device?, TModel> fromRecipe,
        Func<string, TrainerSettings, ITrainingData, Device?, Func<Tensor, Tensor, Tensor>?, Trainer<TModel>> resume, string? shortName)
        : LanguageModelEntry(declaration, baseWidth, shortName)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        public override nn.Module<Tensor, Tensor> FromRecipe(ModelRecipe recipe, Device? device = null) => fromRecipe(recipe, device);

        public override TResult Train<TResult>(ModelRecipe recipe, TrainerSettings settings, ITrainingData data, Device? device, ITrainerUser<TResult> user)
        {
            var model = fromRecipe(recipe, device);
            Trainer<TModel> trainer;
            try
            {
                trainer = new Trainer<TModel>(model, settings, data, ownsModel: true);
            }
            catch
            {
                model.Dispose(); // refused settings: no trainer owns the model yet
                throw;
            }
            using (trainer)
                return user.Use(trainer);
        }

        public override TResult Resume<TResult>(string checkpoint, TrainerSettings settings, ITrainingData data, Device? device, ITrainerUser<TResult> user)
        {
            using var trainer = resume(checkpoint, settings, data, device, null);
            return user.Use(trainer);
        }
    }
}
