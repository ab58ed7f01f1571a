using System.Diagnostics;
using System.Globalization;
using SparseDsl;
using SparseDsl.Examples;
using SparseDsl.Examples.CoordinateCheck;
using SparseDsl.Examples.Gpt;
using SparseDsl.Examples.Training;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "train";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
try
{
    return command switch
    {
        "train" => Train(ExampleOptions.Parse(rest)),
        "describe" => Describe(ExampleOptions.Parse(rest)),
        "coord-check" => CoordinateCheckCommand.Run(rest),
        _ => throw new ArgumentException($"Unknown command '{command}': use train, describe or coord-check. See --help."),
    };
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int Describe(ExampleOptions options)
{
    if (options.Help) { Console.WriteLine(ExampleOptions.Usage); return 0; }
    using var model = LanguageModel.Create(!options.Untied, options.Width, DeviceSelector.Resolve(options.Device), options.Seed, options.ModelOptions);
    var plan = ((IScaledModel)model).Plan;
    Console.Write(options.Json ? plan.DescribeJson() + "\n" : plan.Describe());
    return 0;
}

static int Train(ExampleOptions options)
{
    if (options.Help) { Console.WriteLine(ExampleOptions.Usage); return 0; }
    var device = DeviceSelector.Resolve(options.Device);
    var corpus = options.Data is null ? Corpus.Bundled() : Corpus.FromFile(options.Data);
    using var model = LanguageModel.Create(!options.Untied, options.Width, device, options.Seed, options.ModelOptions);
    var scaled = (IScaledModel)model;

    Console.WriteLine($"Data: {corpus.Source} ({corpus.Train.Length:N0} training bytes, {corpus.Validation.Length:N0} validation bytes)");
    Console.Write(scaled.Plan.Describe());

    using var optimizer = ScaledOptimizers.AdamW(scaled, new AdamWSettings { LearningRate = options.LearningRate });
    var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >>> 32)))); // folds any long seed, deterministically
    long tokensPerStep = (long)options.Batch * options.Context;
    var watch = Stopwatch.StartNew();
    for (int step = 1; step <= options.Steps; step++)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets) = Corpus.Sequences(corpus.Train, options.Batch, options.Context, random, device);
        var loss = LmTraining.Step(model, optimizer, inputs, targets, LearningRateSchedule.WarmupLinearDecay(step, options.Steps));
        if (step == 1 || step % options.LogEvery == 0 || step == options.Steps)
        {
            float value = loss.item<float>(); // the only host sync, and only on logged steps
            if (!float.IsFinite(value))
            {
                Console.Error.WriteLine($"error: loss became {value} at step {step}; lower --lr.");
                return 3;
            }
            double tokensPerSecond = step * tokensPerStep / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"step {step,5}/{options.Steps}  loss {value:0.0000}  {tokensPerSecond:N0} tokens/s");
        }
    }

    double validation = LmTraining.ValidationLoss(model, corpus.Validation, batches: 20, batch: 16, options.Context, device);
    Console.WriteLine($"validation loss {validation:0.0000} nats/byte (uniform guess: {Math.Log(LanguageModel.Vocab):0.0000})");
    Console.WriteLine($"sample: {LmTraining.Sample(model, "The Congress ", 160, options.Context, device)}");
    return 0;
}
