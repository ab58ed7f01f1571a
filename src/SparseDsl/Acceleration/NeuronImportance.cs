namespace SparseDsl;

/// <summary>
/// How SAT scores an MLP hidden neuron <c>i</c> (higher is kept first). <c>x</c> is the block's input over the
/// step's tokens, <c>W_e</c> each expanding projection's effective weight (<c>W ⊙ M</c>, rows = neurons). The paper
/// compares these families; the formulas are SparseDsl's reconstruction (docs/sat.md says why).
/// </summary>
public enum NeuronImportance
{
    /// <summary>Every neuron equally important: a uniformly random subset is kept.</summary>
    Uniform,

    /// <summary>Weights only: <c>Π_e ‖W_e[i, :]‖₂</c>.</summary>
    WeightMagnitude,

    /// <summary>Wanda, per neuron: <c>Π_e Σ_j |W_e[i, j]| · ‖x_{:, j}‖₂</c> (weights times input-feature norms).</summary>
    Wanda,

    /// <summary>
    /// Activation magnitude (the MaxIP family): <c>Σ_t |x_t · W_e[i, :]|</c> for the first expanding projection,
    /// i.e. the neuron's pre-activation size on this step's tokens. Costs one dense projection, without gradients.
    /// </summary>
    ActivationMagnitude,
}
