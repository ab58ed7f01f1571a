using static TorchSharp.torch.utils.tensorboard;

namespace SparseDsl;

/// <summary>
/// Writes TensorBoard event files (TorchSharp's <c>SummaryWriter</c>): <c>train/loss</c>, <c>train/grad_norm</c>,
/// <c>train/lr</c>, <c>train/sat_omission_rate</c>, <c>train/sat_head_omission_rate</c>, <c>train/tokens_per_second</c>, <c>train/rss_mib</c> and
/// <c>validation/loss</c>; for models with expert banks also <c>train/aux_loss</c> and, per bank, <c>moe/{bank}/balance_loss</c>,
/// <c>moe/{bank}/z_loss</c> and <c>moe/{bank}/load_{e}</c> (each expert's share of the routing slots). View with <c>tensorboard --logdir DIR</c>.
/// </summary>
public sealed class TensorBoardMetricsWriter : ITrainingObserver
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;

    /// <summary>Writes event files under <paramref name="logDirectory"/> (created if missing).</summary>
    public TensorBoardMetricsWriter(string logDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        Directory.CreateDirectory(logDirectory);
        _writer = SummaryWriter(logDirectory);
    }

    /// <summary>Where the event files go.</summary>
    public string LogDirectory => _writer.LogDir;

    /// <inheritdoc />
    public void OnStep(StepMetrics metrics)
    {
        int step = checked((int)metrics.Step); // SummaryWriter takes an int step
        _writer.add_scalar("train/loss", (float)metrics.Loss, step);
        _writer.add_scalar("train/grad_norm", (float)metrics.GradientNorm, step);
        _writer.add_scalar("train/lr", (float)metrics.LearningRate, step);
        _writer.add_scalar("train/sat_omission_rate", (float)metrics.OmissionRate, step);
        _writer.add_scalar("train/sat_head_omission_rate", (float)metrics.HeadOmissionRate, step);
        _writer.add_scalar("train/tokens_per_second", (float)metrics.TokensPerSecond, step);
        _writer.add_scalar("train/rss_mib", (float)metrics.ResidentMiB, step);
        if (metrics.Routing.Count == 0) return;
        _writer.add_scalar("train/aux_loss", (float)metrics.AuxiliaryLoss, step);
        foreach (var bank in metrics.Routing)
        {
            _writer.add_scalar($"moe/{bank.BankName}/balance_loss", (float)bank.BalanceLoss, step);
            _writer.add_scalar($"moe/{bank.BankName}/z_loss", (float)bank.ZLoss, step);
            var load = bank.LoadFractions;
            for (int e = 0; e < load.Length; e++) _writer.add_scalar($"moe/{bank.BankName}/load_{e}", (float)load[e], step);
        }
    }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationMetrics metrics) =>
        _writer.add_scalar("validation/loss", (float)metrics.Loss, checked((int)metrics.Step));
}
