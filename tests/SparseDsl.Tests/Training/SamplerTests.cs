using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Training;

/// <summary>Temperature and top-k sampling.</summary>
public class SamplerTests
{
    [Fact]
    public void Top_1_is_greedy_decoding_and_a_seed_fixes_the_sample()
    {
        var device = TestDevice.Current;
        using var model = new GptLm(64, device, seed: 3, options: new ModelOptions { Depth = 1 });
        long[] prompt = [84, 104, 101, 32];
        var greedy = NextTokenSampler.Sample(model, prompt, 6, context: 16, new SamplingSettings { TopK = 1, Temperature = 1.0 }, device);

        var expected = prompt.ToList();
        using (no_grad())
            for (int i = 0; i < 6; i++)
                expected.Add(model.call(tensor(expected.ToArray(), [1, expected.Count], device: device))[0, -1].argmax().item<long>());
        Assert.Equal(expected, greedy);

        var settings = new SamplingSettings { TopK = null, Temperature = 1.5, Seed = 11 };
        Assert.Equal(NextTokenSampler.Sample(model, prompt, 20, 16, settings, device), NextTokenSampler.Sample(model, prompt, 20, 16, settings, device));
        Assert.NotEqual(NextTokenSampler.Sample(model, prompt, 20, 16, settings, device), NextTokenSampler.Sample(model, prompt, 20, 16, settings with { Seed = 12 }, device));
        Assert.True(model.training, "sampling restores training mode");
    }

    [Fact]
    public void Bad_sampling_settings_are_refused()
    {
        using var model = new GptLm(64, seed: 3, options: new ModelOptions { Depth = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => NextTokenSampler.Sample(model, [1L], 1, 8, new SamplingSettings { Temperature = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NextTokenSampler.Sample(model, [1L], 1, 8, new SamplingSettings { TopK = 0 }));
        Assert.Throws<ArgumentException>(() => NextTokenSampler.Sample(model, [], 1, 8, new SamplingSettings()));
    }
}
