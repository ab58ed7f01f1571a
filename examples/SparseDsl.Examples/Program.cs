using System.Diagnostics;
using System.Globalization;
using System.Text;
using SparseDsl;
using SparseDsl.Examples;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

ExampleOptions options;
Device device;
Corpus corpus;
try
{
    options = ExampleOptions.Parse(args);
    if (options.Help) { Console.WriteLine(ExampleOptions.Usage); return 0; }
    device = DeviceSelector.Resolve(options.Device);
    corpus = options.Data is null ? Corpus.Bundled() : Corpus.FromFile(options.Data);
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

NgramLm model;
try
{
    var modelOptions = new ModelOptions { Parameterization = options.Parameterization, Sparsity = options.Sparsity };
    model = new NgramLm(options.Width, device, options.Seed, modelOptions);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

Console.WriteLine($"Data: {corpus.Source} ({corpus.Train.Length:N0} training bytes, {corpus.Validation.Length:N0} validation bytes)");
Console.Write(model.Describe());

using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = options.LearningRate });
var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >>> 32)))); // folds any long seed, deterministically
var watch = Stopwatch.StartNew();
for (int step = 1; step <= options.Steps; step++)
{
    using var scope = NewDisposeScope();
    var (contexts, targets) = Corpus.Batch(corpus.Train, options.Batch, random, device);
    LearningRateSchedule.Apply(optimizer, LearningRateSchedule.WarmupLinearDecay(step, options.Steps));
    var loss = nn.functional.cross_entropy(model.call(contexts), targets);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    if (step == 1 || step % options.LogEvery == 0 || step == options.Steps)
    {
        float value = loss.item<float>();
        if (!float.IsFinite(value))
        {
            Console.Error.WriteLine($"error: loss became {value} at step {step}; lower --lr.");
            return 3;
        }
        double tokensPerSecond = step * (double)options.Batch / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"step {step,5}/{options.Steps}  loss {value:0.0000}  {tokensPerSecond:N0} tokens/s");
    }
}

model.eval();
using (no_grad())
{
    var evalRandom = new Random(12345);
    double total = 0;
    const int evalBatches = 20;
    for (int i = 0; i < evalBatches; i++)
    {
        using var scope = NewDisposeScope();
        var (contexts, targets) = Corpus.Batch(corpus.Validation, 256, evalRandom, device);
        total += nn.functional.cross_entropy(model.call(contexts), targets).item<float>();
    }
    Console.WriteLine($"validation loss {total / evalBatches:0.0000} (uniform guess: {Math.Log(256):0.0000})");
    Console.WriteLine($"sample: {Sample(model, "The Congress ", 160, device)}");
}
return 0;

static string Sample(NgramLm model, string prompt, int length, Device device)
{
    var bytes = new List<byte>(Encoding.UTF8.GetBytes(prompt.PadLeft(NgramLm.Context)));
    var random = new Random(7);
    for (int i = 0; i < length; i++)
    {
        using var scope = NewDisposeScope();
        var context = bytes.Skip(bytes.Count - NgramLm.Context).Select(b => (long)b).ToArray();
        var logits = model.call(tensor(context, [1, NgramLm.Context], device: device));
        var probs = nn.functional.softmax(logits.squeeze(0) / 0.8, 0).cpu().data<float>().ToArray();
        double u = random.NextDouble(), cumulative = 0;
        int next = probs.Length - 1;
        for (int k = 0; k < probs.Length; k++) { cumulative += probs[k]; if (u < cumulative) { next = k; break; } }
        bytes.Add((byte)next);
    }
    return Encoding.UTF8.GetString(bytes.ToArray()).Trim().Replace('\n', ' ');
}
