using System.Text.Json.Serialization;

namespace SparseDsl;

/// <summary>
/// Source-generated JSON metadata for every type the runtime writes (checkpoint headers, recipes, metrics), so
/// serialization is reflection-free and trimming-safe. Enums are written by name.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CheckpointHeader))]
[JsonSerializable(typeof(ModelRecipe))]
internal sealed partial class SparseDslJsonContext : JsonSerializerContext;
