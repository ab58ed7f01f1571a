using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// TorchSharp's AdamW step, operation for operation and so bit for bit, with every scalar operand made once and
/// disposed. TorchSharp's own <see cref="AdamW.step"/> converts each <see cref="double"/> operand to a native
/// <see cref="Scalar"/> that only a .NET finalizer frees: nine per parameter per step (eight operands, and the alpha of
/// 1 that TorchSharp 0.107's <c>add_(Scalar)</c> makes itself). Left to the GC's pace, those
/// small objects sit between libtorch's large buffers in glibc's heap and keep its pages resident, so a run's RSS
/// grows for hundreds of steps while no tensor leaks (issue 24).
/// </summary>
public static class AdamWArithmetic
{
    /// <summary>
    /// Steps every parameter of <paramref name="optimizer"/> that has a gradient, as <c>optimizer.step()</c> would. Like
    /// it, leaves the gradients in place, so the next step zeroes and refills the same tensors instead of allocating.
    /// </summary>
    /// <exception cref="NotSupportedException">A group uses AMSGrad or maximize, or the optimizer is not AdamW.</exception>
    public static void Step(OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var states = States(optimizer);
        foreach (var (_, _, options) in states) StepScalars.EnsureSupported(options); // refuse before anything moves
        StepScalars? scalars = null;
        try
        {
            foreach (var (parameter, state, options) in states)
            {
                using var grad = parameter.grad;
                if (grad is null) continue; // like AdamW: a parameter without a gradient is not stepped
                long step = ++state.step;
                // A group's parameters share their options and, in a plain run, their step count: one set of scalars each.
                if (scalars is null || !scalars.Matches(options, step))
                {
                    scalars?.Dispose();
                    scalars = new StepScalars(options, step);
                }
                using (no_grad())
                using (NewDisposeScope())
                    scalars.Apply(parameter, grad, state.exp_avg, state.exp_avg_sq);
            }
        }
        finally
        {
            scalars?.Dispose();
        }
    }

    /// <summary>
    /// One AdamW update of <paramref name="weights"/> in place from <paramref name="grad"/> and the moments
    /// <paramref name="exp_avg"/> and <paramref name="exp_avg_sq"/> (also updated in place), at Adam step
    /// <paramref name="step"/> (already counted). The tensors may be a parameter and its state, or gathered slices of them.
    /// Call under <c>no_grad</c> and a dispose scope (the in-place operations return handles the scope disposes).
    /// </summary>
    /// <exception cref="NotSupportedException">The options ask for AMSGrad or maximize.</exception>
    public static void Apply(Tensor weights, Tensor grad, Tensor exp_avg, Tensor exp_avg_sq, long step, AdamW.Options options)
    {
        using var scalars = new StepScalars(options, step);
        scalars.Apply(weights, grad, exp_avg, exp_avg_sq);
    }

    // The step's scalar operands, made once and disposed rather than left to finalizers.
    private sealed class StepScalars : IDisposable
    {
        private readonly AdamW.Options _options;
        private readonly long _step;
        private readonly Scalar _keep, _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _root2, _epsilon, _stepSize, _one;

        public StepScalars(AdamW.Options options, long step)
        {
            EnsureSupported(options);
            _options = options;
            _step = step;
            double lr = options.LearningRate!.Value, beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
            double eps = options.eps!.Value, decay = options.weight_decay!.Value;
            // The same doubles TorchSharp's AdamW computes, so the same float32 operands reach the same kernels.
            _keep = (1 - lr * decay).ToScalar();
            _beta1 = beta1.ToScalar();
            _oneMinusBeta1 = (1 - beta1).ToScalar();
            _beta2 = beta2.ToScalar();
            _oneMinusBeta2 = (1 - beta2).ToScalar();
            _root2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
            _epsilon = eps.ToScalar();
            _stepSize = (-(lr / (1 - Math.Pow(beta1, step)))).ToScalar();
            _one = 1.0.ToScalar(); // add_(Scalar) alone makes its alpha of 1 as a finalizer-only Scalar
        }

        public static void EnsureSupported(AdamW.Options options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.amsgrad == true || options.maximize == true)
                throw new NotSupportedException("SparseDsl's AdamW step does not implement AMSGrad or maximize.");
        }

        // Options are mutable (the schedule sets the LR each step), so a set of scalars serves one step of one group.
        public bool Matches(AdamW.Options options, long step) => ReferenceEquals(options, _options) && step == _step;

        public void Apply(Tensor weights, Tensor grad, Tensor exp_avg, Tensor exp_avg_sq)
        {
            weights.mul_(_keep);
            exp_avg.mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
            exp_avg_sq.mul_(_beta2).addcmul_(grad, grad, value: _oneMinusBeta2);
            var denom = exp_avg_sq.sqrt().div_(_root2).add_(_epsilon, alpha: _one);
            weights.addcdiv_(exp_avg, denom, value: _stepSize);
        }

        public void Dispose()
        {
            foreach (var scalar in new[] { _keep, _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _root2, _epsilon, _stepSize, _one })
                scalar.Dispose();
        }
    }

    /// <summary>Every parameter of <paramref name="optimizer"/> with its AdamW state and its group's options.</summary>
    /// <remarks><c>state_dict()</c> lists the live state objects group by group, parameter by parameter, in the order of <c>ParamGroups</c>.</remarks>
    public static IReadOnlyList<(Parameter Parameter, AdamW.State State, AdamW.Options Options)> States(OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters.Select(p => (p, g.Options))).ToList();
        var states = optimizer.state_dict().State;
        if (states.Count != parameters.Count)
            throw new InvalidOperationException($"The optimizer lists {parameters.Count} parameters but {states.Count} states.");
        var result = new List<(Parameter, AdamW.State, AdamW.Options)>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (states[i] is not AdamW.State state || parameters[i].Options is not AdamW.Options options)
                throw new NotSupportedException($"Expected AdamW, found {states[i].GetType().DeclaringType?.Name ?? states[i].GetType().Name}.");
            result.Add((parameters[i].p, state, options));
        }
        return result;
    }
}
