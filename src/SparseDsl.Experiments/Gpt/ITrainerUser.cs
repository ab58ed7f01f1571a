using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// Work on the trainer of whichever model a <see cref="LanguageModelEntry"/> stands for. The trainer's type depends on
/// the model's, and C# has no generic lambdas, so code that needs the typed <see cref="Trainer{TModel}"/> of a model
/// chosen by name receives it through this one generic method.
/// </summary>
/// <typeparam name="TResult">What the work returns.</typeparam>
public interface ITrainerUser<out TResult>
{
    /// <summary>Uses <paramref name="trainer"/>; the entry that built it disposes it afterwards.</summary>
    TResult Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel;
}
