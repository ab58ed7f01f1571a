using System.CommandLine;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Moe;

namespace SparseDsl.Examples.Cli;

/// <summary>The options that choose the LM (model, width, depth, sparsity, parameterization, depth rule, base hyperparameters, seed), shared by <c>train</c> and <c>describe</c>.</summary>
internal sealed class ModelArguments
{
    public Option<int> Width { get; } = CliOptions.Positive("--width", "Model width; the base (proxy) width is 256", 128);
    public Option<int> Depth { get; } = CliOptions.Positive("--depth", "Transformer blocks", 2);
    public Option<double?> Sparsity { get; } = CliOptions.Checked(
        new Option<double?>("--sparsity") { Description = "Every sparse layer's sparsity (default: as declared, 0.875)" },
        v => v is >= 0 and < 1, "a number in [0, 1)");
    public Option<Parameterization> Parameterization { get; } = new("--parameterization")
    {
        Description = CliOptions.ParameterizationChoices("or"),
        HelpName = string.Join("|", ParameterizationNames.All.Select(CliOptions.ParameterizationArgument)),
        DefaultValueFactory = _ => SparseDsl.Parameterization.SuPar,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (ParameterizationNames.TryParse(text, out var parameterization)) return parameterization;
            result.AddError($"--parameterization expects {CliOptions.ParameterizationChoices("or")}, got '{text}'.");
            return default;
        },
    };
    public Option<DepthRule> DepthRule { get; } = CliOptions.DepthRuleOption();
    public Option<double> LearningRate { get; } = CliOptions.PositiveReal("--lr", "Base learning rate η_base (the paper's 0.0162)", BaseHyperparameters.Paper.LearningRate);
    public Option<double> InitStd { get; } = CliOptions.PositiveReal("--init-std", "σ_base", BaseHyperparameters.Paper.InitStd);
    public Option<double> InputAlpha { get; } = CliOptions.PositiveReal("--input-alpha", "α_input", BaseHyperparameters.Paper.InputAlpha);
    public Option<double> OutputAlpha { get; } = CliOptions.PositiveReal("--output-alpha", "α_output", BaseHyperparameters.Paper.OutputAlpha);
    public Option<double> RouterAlpha { get; } = CliOptions.PositiveReal("--router-alpha", "α_router: multiplier on an expert bank's router logits (÷ m_d under μP and SμPar; MoeLm only)", BaseHyperparameters.Paper.RouterAlpha);
    public Option<double?> BalanceLoss { get; } = CliOptions.Checked(
        new Option<double?>("--balance-loss") { Description = $"The expert banks' load-balancing loss coefficient (default: as declared, {new ExpertsAttribute().BalanceLoss.ToString(System.Globalization.CultureInfo.InvariantCulture)}; MoeLm only)" },
        v => v is >= 0 && double.IsFinite(v.Value), "a finite number ≥ 0");
    public Option<string> Model { get; } = ModelOption();
    public Option<bool> Untied { get; } = new("--untied") { Description = $"Untied, zero-initialised readout instead of the paper's tied one (short for --model {nameof(GptLmUntied)})" };
    public Option<WeightStorage> Storage { get; } = CliOptions.StorageOption();
    public Option<long> Seed { get; } = new("--seed") { Description = "Seed for weights, masks and batches", DefaultValueFactory = _ => 1 };

    /// <summary>
    /// <c>--model</c>: a name or short name of <see cref="LanguageModels"/>, ignoring case; every command that builds an LM
    /// takes it (train, describe, coord-check, sweep). <see cref="LanguageModels.Named"/> turns it into the model's name.
    /// </summary>
    public static Option<string> ModelOption() => CliOptions.Checked(
        new Option<string>("--model") { Description = $"The LM: {LanguageModels.Choices}", DefaultValueFactory = _ => LanguageModels.Default.Name },
        v => LanguageModels.Find(v) is not null, $"one of {LanguageModels.Choices}");

    /// <summary>
    /// The axis "which kind of LM": <c>moe</c> for a model with an expert bank (<see cref="MoeLm"/>), <c>dense</c> for the
    /// others. <c>--router-alpha</c> and <c>--balance-loss</c> apply to the first only.
    /// </summary>
    public ModeAxis KindAxis(string command) => new("model", [
        new("dense", $"{command} of an LM without experts ({string.Join(", ", LanguageModels.All.Where(m => m.Name != nameof(MoeLm)).Select(m => m.Name))})"),
        new("moe", $"{command} --model {nameof(MoeLm)}", "--model", nameof(MoeLm))],
        r => LanguageModels.Find(CommandModes.Value(r, Model) ?? "") is { } entry
            ? entry.Name == nameof(MoeLm) ? "moe" : "dense"
            : throw new InvalidOperationException("--model did not parse"));

    /// <summary>Declares which of these options apply to which kind of LM (<see cref="KindAxis"/>).</summary>
    public void Restrict(CommandModes modes, ModeAxis kind) => modes.Only([RouterAlpha, BalanceLoss], kind, "moe");

    public IEnumerable<Option> All => [Model, Width, Depth, Sparsity, Parameterization, DepthRule, LearningRate, InitStd, InputAlpha, OutputAlpha, RouterAlpha, BalanceLoss, Untied, Storage, Seed];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The model part of a run config from the parsed options.</summary>
    public RunConfig Bind(ParseResult result, RunConfig config) => config with
    {
        Width = result.GetValue(Width),
        Depth = result.GetValue(Depth),
        Sparsity = result.GetValue(Sparsity),
        Parameterization = result.GetValue(Parameterization),
        DepthRule = result.GetValue(DepthRule),
        LearningRate = result.GetValue(LearningRate),
        InitStd = result.GetValue(InitStd),
        InputAlpha = result.GetValue(InputAlpha),
        OutputAlpha = result.GetValue(OutputAlpha),
        RouterAlpha = result.GetValue(RouterAlpha),
        BalanceLoss = result.GetValue(BalanceLoss),
        Model = ModelName(result),
        Seed = result.GetValue(Seed),
        Storage = result.GetValue(Storage),
    };

    // --untied predates --model; it stays as a short form, and a --model that says otherwise is refused.
    private string ModelName(ParseResult result)
    {
        string name = LanguageModels.Named(result.GetRequiredValue(Model)).Name;
        if (!result.GetValue(Untied)) return name;
        if (result.Given(Model) && name != nameof(GptLmUntied))
            throw new ArgumentException($"--untied asks for {nameof(GptLmUntied)} but --model asks for {name}; give one of them.");
        return nameof(GptLmUntied);
    }
}
