using System.Text.Json;

namespace SparseDsl;

/// <summary>
/// Writes one JSON object per line for every step and evaluation (<c>{"step":…,"split":"train","loss":…}</c>), the
/// format pandas, jq and most plotting scripts read directly. Lines are flushed as they are written, so a crashed
/// run keeps its metrics.
/// </summary>
public sealed class JsonlMetricsWriter : ITrainingObserver, IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>
    /// Opens <paramref name="path"/>. A fresh run (<paramref name="continueAfterStep"/> null) starts a new file; a
    /// resumed run keeps the records up to its checkpoint's step and drops later ones, which the interrupted run
    /// wrote after its last checkpoint and the resumed run is about to write again.
    /// </summary>
    public JsonlMetricsWriter(string path, long? continueAfterStep = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        if (continueAfterStep is { } step && File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(line => StepOf(line) is { } s && s <= step).ToList();
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                foreach (var line in kept) writer.WriteLine(line);
            });
            _writer = new StreamWriter(path, append: true) { AutoFlush = true };
        }
        else
        {
            _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        }
    }

    private static long? StepOf(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("step", out var step) && step.TryGetInt64(out long value) ? value : null;
        }
        catch (JsonException)
        {
            return null; // a line cut short by a crash: dropped
        }
    }

    /// <inheritdoc />
    public void OnStep(StepMetrics metrics) => Write(metrics.Step, "train", json =>
    {
        json.WriteNumber("loss", metrics.Loss);
        json.WriteNumber("grad_norm", metrics.GradientNorm);
        json.WriteNumber("lr", metrics.LearningRate);
        json.WriteNumber("sat_omission_rate", metrics.OmissionRate);
        json.WriteNumber("sat_head_omission_rate", metrics.HeadOmissionRate);
        json.WriteNumber("tokens", metrics.Tokens);
        json.WriteNumber("tokens_per_second", Math.Round(metrics.TokensPerSecond, 1));
        json.WriteNumber("elapsed_seconds", Math.Round(metrics.Elapsed.TotalSeconds, 3));
        json.WriteNumber("rss_mib", Math.Round(metrics.ResidentMiB, 1));
        if (metrics.Routing.Count > 0) WriteRouting(json, metrics);
    });

    // Only models with expert banks get these fields, so every other model's lines stay as they were.
    private static void WriteRouting(Utf8JsonWriter json, StepMetrics metrics)
    {
        json.WriteNumber("aux_loss", metrics.AuxiliaryLoss);
        json.WriteStartObject("balance_loss");
        foreach (var bank in metrics.Routing) json.WriteNumber(bank.BankName, bank.BalanceLoss);
        json.WriteEndObject();
        json.WriteStartObject("z_loss");
        foreach (var bank in metrics.Routing) json.WriteNumber(bank.BankName, bank.ZLoss);
        json.WriteEndObject();
        json.WriteStartObject("expert_load");
        foreach (var bank in metrics.Routing)
        {
            json.WriteStartArray(bank.BankName);
            foreach (double fraction in bank.LoadFractions) json.WriteNumberValue(Math.Round(fraction, 5));
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationMetrics metrics) => Write(metrics.Step, "validation", json => json.WriteNumber("loss", metrics.Loss));

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    private void Write(long step, string split, Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", step);
            json.WriteString("split", split);
            fields(json);
            json.WriteEndObject();
        }
        _writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
