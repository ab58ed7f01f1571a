using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Finds a model's SAT blocks (<see cref="ISparsityAcceleratedBlock"/>) and gives each the run's omission settings,
/// refusing settings that ask for SAT the model does not declare.
/// </summary>
internal static class SparsityAccelerationSetup
{
    // Every trainer sets every block's settings, so an earlier run's override never leaks into this one. MLP blocks
    // follow Acceleration; head blocks follow HeadAcceleration, and Acceleration only when it is Off (the dense baseline).
    public static UnitOmission[] Configure(nn.Module model, TrainerSettings settings)
    {
        var blocks = model.modules().OfType<ISparsityAcceleratedBlock>().Select(b => b.Omission).ToArray();
        var (acceleration, heads) = (settings.Acceleration, settings.HeadAcceleration);
        if (acceleration is { IsOff: false } && !blocks.OfType<NeuronOmission>().Any())
            throw new ArgumentException($"The settings ask for SAT ({acceleration}) but {model.GetType().Name} has no [SparsityAccelerated] block over MLP neurons.", nameof(settings));
        if (heads is { IsOff: false } && !blocks.OfType<HeadOmission>().Any())
            throw new ArgumentException($"The settings ask for SAT over attention heads ({heads}) but {model.GetType().Name} has no [SparsityAccelerated(Heads = true)] block.", nameof(settings));
        foreach (var block in blocks)
        {
            block.Settings = block is HeadOmission
                ? heads ?? (acceleration is { IsOff: true } ? SparsityAcceleration.Off : block.Declared)
                : acceleration ?? block.Declared;
        }
        return blocks;
    }
}
