using System.Text.Json.Serialization;

namespace SparseDsl;

/// <summary>
/// Source-generated JSON metadata for every type the runtime writes (checkpoint headers, recipes, metrics), so
/// serialization is reflection-free and trimming-safe. Enums are written by name.
/// </summary>
/// <remarks>
/// Reading is strict: by default System.Text.Json fills a missing constructor parameter with its default and accepts
/// <c>null</c> for a non-nullable reference, so a damaged header would come back with a null <c>Recipe</c> and fail
/// far from the file. With these two options it fails as a <see cref="System.Text.Json.JsonException"/> on reading.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CheckpointHeader))]
[JsonSerializable(typeof(ModelRecipe))]
[JsonSerializable(typeof(Data.TokenFileHeader))]
internal sealed partial class SparseDslJsonContext : JsonSerializerContext;
