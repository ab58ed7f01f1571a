using System.Text;

namespace SparseDsl;

/// <summary>
/// The checkpoint file layout (format version 1), in order:
/// <list type="number">
/// <item>magic <c>SDSLCKPT</c> (8 ASCII bytes) and the format version (int32);</item>
/// <item>the <see cref="CheckpointHeader"/> as UTF-8 JSON, prefixed by its byte length (int32);</item>
/// <item>the model's parameters and buffers, as TorchSharp's <c>Module.save</c> writes them;</item>
/// <item>torch's CPU RNG state, prefixed by its byte length (int32);</item>
/// <item>a flag (bool) and, when set, the optimizer state as TorchSharp's <c>save_state_dict</c> writes it;</item>
/// <item>the end marker <c>SDSLEND!</c> (8 ASCII bytes).</item>
/// </list>
/// The RNG state precedes the optimizer state so that a load without an optimizer can stop before it: TorchSharp's
/// optimizer state has no length of its own and cannot be skipped.
/// </summary>
internal static class CheckpointFormat
{
    public static ReadOnlySpan<byte> Magic => "SDSLCKPT"u8;

    // Written last, so a file cut off anywhere (a full disk, a killed copy) lacks it.
    public static ReadOnlySpan<byte> EndMarker => "SDSLEND!"u8;

    /// <summary>Magic, version and the header's length: no valid file is shorter than this plus the end marker.</summary>
    public const int MinimumLength = 8 + sizeof(int) + sizeof(int) + 8;

    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One error shape for every bad file, so a user always learns which file and what is wrong.</summary>
    public static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"Checkpoint '{path}' {problem}", inner);
}
