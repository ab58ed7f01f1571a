using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Complete training checkpoints in one file: the header (what to rebuild, how far it trained), the model's
/// parameters and buffers (masks included), the optimizer state and torch's CPU RNG state, so a resumed run continues
/// as if never stopped. Files are replaced atomically (<see cref="AtomicFile"/>): a crash mid-save keeps the previous one.
/// </summary>
public static class Checkpoint
{
    /// <summary>Writes a checkpoint to <paramref name="path"/>, replacing any previous one only once the new one is on disk.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="header">What the model is and how far it trained.</param>
    /// <param name="model">The model whose parameters and buffers are saved.</param>
    /// <param name="optimizer">The optimizer whose state (e.g. Adam moments, step counts, learning rates) is saved;
    /// null for a checkpoint meant only for inference.</param>
    public static void Save(string path, CheckpointHeader header, nn.Module model, OptimizerHelper? optimizer) =>
        Save(path, header, model, optimizer, wrapStream: stream => stream);

    /// <summary>As the public overload; <paramref name="wrapStream"/> lets tests fail the write part way.</summary>
    internal static void Save(string path, CheckpointHeader header, nn.Module model, OptimizerHelper? optimizer, Func<Stream, Stream> wrapStream)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(model);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, SparseDslJsonContext.Default.CheckpointHeader);
        byte[] rng = RngState.Capture();

        AtomicFile.Write(path, file =>
        {
            using var writer = new BinaryWriter(wrapStream(file), CheckpointFormat.Utf8, leaveOpen: true);
            writer.Write(CheckpointFormat.Magic);
            writer.Write(CheckpointHeader.CurrentFormatVersion);
            writer.Write(json.Length);
            writer.Write(json);
            model.save(writer);
            writer.Write(rng.Length);
            writer.Write(rng);
            writer.Write(optimizer is not null);
            // AdamW creates its moments (zeros) and step counts when it is built, so this works before the first step too.
            optimizer?.save_state_dict(writer);
            writer.Write(CheckpointFormat.EndMarker);
            writer.Flush();
        });
    }

    /// <summary>
    /// Reads only the header of the checkpoint at <paramref name="path"/> (after checking that the file is a whole
    /// checkpoint of a format this build reads), e.g. to rebuild its model from <see cref="CheckpointHeader.Recipe"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated, or has another format version.</exception>
    public static CheckpointHeader ReadHeader(string path)
    {
        using var file = CheckpointReader.Open(path);
        return file.Header;
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> (parameters and buffers) and
    /// <paramref name="optimizer"/> (when given), then restores torch's CPU RNG state. The model's type is not
    /// checked here: callers compare <see cref="ModelRecipe.ModelType"/> first.
    /// </summary>
    /// <remarks>
    /// A file that is not a whole checkpoint, or whose tensors' names, dtypes or shapes differ from the model's, is
    /// refused before the model is touched. A file that fits the model but not the optimizer (other parameter groups)
    /// leaves the model loaded and the optimizer possibly part loaded: rebuild both before trying again.
    /// </remarks>
    /// <returns>The checkpoint's header.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole checkpoint of this format, or does not fit the
    /// model or optimizer; the message names the file and the problem.</exception>
    public static CheckpointHeader Load(string path, nn.Module model, OptimizerHelper? optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var file = CheckpointReader.Open(path);
        file.LoadModel(model, optimizer);
        byte[] rng = file.ReadRngState();
        file.LoadOptimizer(optimizer);
        // Last, so that a failed load does not also change the random stream.
        file.RestoreRngState(rng);
        return file.Header;
    }
}
