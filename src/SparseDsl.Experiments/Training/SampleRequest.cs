namespace SparseDsl.Experiments.Training;

/// <summary>What to sample: a prompt, how many tokens, and how.</summary>
/// <param name="Prompt">The text the sample continues.</param>
/// <param name="Length">Tokens to sample (0: no sample).</param>
/// <param name="Settings">Temperature, top-k and seed.</param>
public sealed record SampleRequest(string Prompt, int Length, SamplingSettings Settings)
{
    /// <summary>The prompt and its continuation from <paramref name="model"/>, encoded and decoded with <paramref name="tokenizer"/>.</summary>
    public string Run(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, Data.ITokenizer tokenizer, int context, TorchSharp.torch.Device device) =>
        tokenizer.Decode(NextTokenSampler.Sample(model, tokenizer.Encode(Prompt).Select(t => (long)t).ToArray(), Length, context, Settings, device));
}
