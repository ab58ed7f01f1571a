using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators;

/// <summary>
/// Every SparseDsl diagnostic, in one place. IDs: SDSL0xx declarations the generator cannot turn into a model.
/// Each has a help page at docs/diagnostics/ID.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SparseDsl";
    // Relative to the repository root: the docs ship with the source and the package.
    private const string HelpBase = "docs/diagnostics/";

    public static readonly DiagnosticDescriptor ModelNotPartial = Error(
        "SDSL001", "Model class must be partial",
        "'{0}' has [{1}] but is not partial: the generator cannot add its constructor and layers. Add the 'partial' modifier.");

    public static readonly DiagnosticDescriptor LayerNotPartialProperty = Error(
        "SDSL002", "DSL layer must be a partial get-only property",
        "'{0}' has [{1}] but is not a partial property declaration with only a getter; declare it as 'public partial {2} {0} {{ get; }}'");

    public static readonly DiagnosticDescriptor LayerWrongType = Error(
        "SDSL003", "DSL layer has the wrong type",
        "'{0}' has [{1}] and must be of type SparseDsl.{2}, not '{3}'");

    public static readonly DiagnosticDescriptor BadDimension = Error(
        "SDSL004", "Dimension expression does not parse",
        "{0} = \"{1}\" on '{2}' is not a dimension: {3}. Use an integer (\"784\"), \"width\", width times/divided by integers (\"4*width\", \"width/2\"), or \"vocab\" (the model's vocabulary).");

    public static readonly DiagnosticDescriptor SparsityOutOfRange = Error(
        "SDSL005", "Sparsity must be in [0, 1)",
        "Sparsity = {0} on '{1}' is outside [0, 1): it is the fraction of weights masked to zero");

    public static readonly DiagnosticDescriptor BaseWidthNotPositive = Error(
        "SDSL006", "Base width must be positive",
        "[Width(Base = {0})] on '{1}': the base width is the proxy model's width and must be positive");

    public static readonly DiagnosticDescriptor ReadoutNotFinite = Error(
        "SDSL007", "Readout and embedding vocabularies must be finite",
        "{0} on '{1}' must be a finite size (a vocabulary or number of classes), not \"{2}\"");

    public static readonly DiagnosticDescriptor UnsupportedModelShape = Error(
        "SDSL008", "Model class shape not supported",
        "'{0}' cannot be a SparseDsl model: {1}");

    public static readonly DiagnosticDescriptor SeveralLayerAttributes = Error(
        "SDSL009", "More than one DSL attribute on a layer",
        "'{0}' has several layer attributes ({1}); keep exactly one");

    public static readonly DiagnosticDescriptor BlockWrongType = Error(
        "SDSL010", "Block member must be a [Block] class",
        "'{0}' has [{1}] and must be of type {2}, not '{3}'");

    public static readonly DiagnosticDescriptor BadTie = Error(
        "SDSL011", "Tied readout must name a matching embedding",
        "'{0}' is tied to '{1}', but {2}");

    public static readonly DiagnosticDescriptor LayerOptionOutOfRange = Error(
        "SDSL012", "Layer option out of range",
        "{0} on '{1}': {2}");

    public static readonly DiagnosticDescriptor LayerNameClash = Error(
        "SDSL014", "DSL property name clashes",
        "'{0}' {1}; rename the property");

    public static readonly DiagnosticDescriptor RouterDeclaredTwice = Error(
        "SDSL015", "Expert bank's router declared twice",
        "{0} is a second router for expert bank '{1}': it maps {2} to {3} outputs, and [Experts] already declares the bank's router ('{4}.router', output-like under μP and SμPar); remove it");

    // SDSL1xx: analyzers — code that compiles but escapes the scaling.

    public static readonly DiagnosticDescriptor UnscaledLayer = Warning(
        "SDSL101", "Layer escapes the SμPar scaling",
        "'{0}' is a raw TorchSharp {1} inside SparseDsl model '{2}': it gets no SμPar init, learning rate or multiplier, and the model's optimizers refuse it. Declare it as a partial property with [{3}], or mark it [Unscaled] to train it as built with SP rules.");

    public static readonly DiagnosticDescriptor RawOptimizer = Warning(
        "SDSL102", "Optimizer built over the model's raw parameters",
        "{0} over '{1}.parameters()' gives every parameter the same learning rate and loses the μP/SμPar per-group scaling; use '{1}.CreateAdamW(...)' (or ScaledOptimizers)");

    public static readonly DiagnosticDescriptor HandWrittenAttentionScale = Warning(
        "SDSL103", "Attention scaled by 1/√d_head by hand",
        "Square root of '{0}' inside SparseDsl model '{1}': μP and SμPar scale attention logits by 1/d_head, not 1/√d_head. Use Plan.Rules.AttentionScale({0}).");

    public static readonly DiagnosticDescriptor FewWeightsPerNeuron = Info(
        "SDSL104", "Few non-zero weights per neuron",
        "'{0}' keeps {1:0.#} non-zero weights per output neuron at the base width ({2} inputs × density {3}); SμPar's variance argument assumes many (threshold {4}). Lower the sparsity or raise the base width.");

    public static readonly DiagnosticDescriptor SparseInputLikeLayer = Warning(
        "SDSL105", "Sparse layer whose fan-in does not scale with width",
        "'{0}' reads the finite dimension {1}: μP treats it as an input-like layer, so its density multiplier is not applied. Make it dense (Sparsity = 0, or [Linear] instead of [{2}]) or give it a width-scaled fan-in.");

    public static readonly DiagnosticDescriptor MissingInputOrReadout = Warning(
        "SDSL106", "Model has no input-like layer or no readout",
        "SparseDsl model '{0}' has no {1}: μP needs {2} to scale the model's ends. Declare one with {3}.");

    public static readonly DiagnosticDescriptor ChainedDimensionMismatch = Error(
        "SDSL107", "Chained layers have inconsistent dimensions",
        "'{0}' reads {1} but is fed the output of '{2}', which writes {3}; make '{2}'.Out and '{0}'.In the same dimension expression");

    public static readonly DiagnosticDescriptor ResidualWithoutHelper = Warning(
        "SDSL108", "Residual branch added without Residual.Add",
        "'{0}' is added to the residual stream '{1}' with a plain add in '{2}', a block of a [Repeat] stack: a depth rule (depth-μP, CompleteP) cannot multiply the branch by m_L^(−α). Write 'Residual.Add(this, {1}, …)'.");

    public static readonly DiagnosticDescriptor BadSparsityAcceleratedBlock = Error(
        "SDSL013", "[SparsityAccelerated] needs an MLP or attention block",
        "[SparsityAccelerated] on '{0}': {1}");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = new()
    {
        [ModelNotPartial.Id] = ModelNotPartial,
        [LayerNotPartialProperty.Id] = LayerNotPartialProperty,
        [LayerWrongType.Id] = LayerWrongType,
        [BadDimension.Id] = BadDimension,
        [SparsityOutOfRange.Id] = SparsityOutOfRange,
        [BaseWidthNotPositive.Id] = BaseWidthNotPositive,
        [ReadoutNotFinite.Id] = ReadoutNotFinite,
        [UnsupportedModelShape.Id] = UnsupportedModelShape,
        [SeveralLayerAttributes.Id] = SeveralLayerAttributes,
        [BlockWrongType.Id] = BlockWrongType,
        [BadTie.Id] = BadTie,
        [LayerOptionOutOfRange.Id] = LayerOptionOutOfRange,
        [BadSparsityAcceleratedBlock.Id] = BadSparsityAcceleratedBlock,
        [LayerNameClash.Id] = LayerNameClash,
        [RouterDeclaredTwice.Id] = RouterDeclaredTwice,
        [UnscaledLayer.Id] = UnscaledLayer,
        [RawOptimizer.Id] = RawOptimizer,
        [HandWrittenAttentionScale.Id] = HandWrittenAttentionScale,
        [FewWeightsPerNeuron.Id] = FewWeightsPerNeuron,
        [SparseInputLikeLayer.Id] = SparseInputLikeLayer,
        [MissingInputOrReadout.Id] = MissingInputOrReadout,
        [ChainedDimensionMismatch.Id] = ChainedDimensionMismatch,
        [ResidualWithoutHelper.Id] = ResidualWithoutHelper,
    };

    public static DiagnosticDescriptor ById(string id) => All[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Warning(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Info(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Info);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
}
