using static TorchSharp.torch;

namespace SparseDsl.Tests.Acceleration;

/// <summary>Importance metrics against their formulas written out by hand, and the kept/omitted split.</summary>
public class NeuronImportanceTests
{
    // Two tokens of three features; two expanding projections of four neurons.
    private static readonly float[,] X = { { 1, -2, 0.5f }, { 3, 0, -1 } };
    private static readonly float[,] Gate = { { 1, 0, 0 }, { 0, 2, 0 }, { 0.5f, 0.5f, 0.5f }, { 0, 0, -3 } };
    private static readonly float[,] Up = { { 2, 0, 0 }, { 0, 1, 0 }, { 1, 1, 1 }, { 0, 0, 0.1f } };

    private static Tensor T(float[,] values) => tensor(values);

    private static double[] Scores(NeuronImportance metric, params float[][,] weights) =>
        NeuronImportanceScores.Compute(metric, T(X).unsqueeze(0), [.. weights.Select(T)]).data<float>().Select(v => (double)v).ToArray();

    private static double Row(float[,] w, int i, Func<int, double> term) => Enumerable.Range(0, w.GetLength(1)).Sum(term);

    [Fact]
    public void Wanda_is_the_product_over_projections_of_weights_times_input_feature_norms()
    {
        double FeatureNorm(int j) => Math.Sqrt(Enumerable.Range(0, 2).Sum(t => X[t, j] * (double)X[t, j]));
        double Wanda(float[,] w, int i) => Row(w, i, j => Math.Abs(w[i, j]) * FeatureNorm(j));
        var expected = Enumerable.Range(0, 4).Select(i => Wanda(Gate, i) * Wanda(Up, i)).ToArray();
        Assert.Equal(expected, Scores(NeuronImportance.Wanda, Gate, Up), new Close());
    }

    [Fact]
    public void Weight_magnitude_is_the_product_of_row_norms()
    {
        double Norm(float[,] w, int i) => Math.Sqrt(Row(w, i, j => w[i, j] * (double)w[i, j]));
        var expected = Enumerable.Range(0, 4).Select(i => Norm(Gate, i) * Norm(Up, i)).ToArray();
        Assert.Equal(expected, Scores(NeuronImportance.WeightMagnitude, Gate, Up), new Close());
    }

    [Fact]
    public void Activation_magnitude_sums_the_first_projections_absolute_pre_activations_over_tokens()
    {
        double PreActivation(int t, int i) => Row(Gate, i, j => X[t, j] * (double)Gate[i, j]);
        var expected = Enumerable.Range(0, 4).Select(i => Math.Abs(PreActivation(0, i)) + Math.Abs(PreActivation(1, i))).ToArray();
        Assert.Equal(expected, Scores(NeuronImportance.ActivationMagnitude, Gate, Up), new Close());
    }

    [Fact]
    public void Top_k_keeps_the_highest_scores_in_ascending_order_and_omits_the_rest()
    {
        using var generator = new Generator(1, CPU);
        var (kept, omitted) = NeuronSelector.Split(tensor(new[] { 0.3f, 5f, 0.1f, 2f, 9f }), 3, NeuronSelection.TopK, generator);
        Assert.Equal([1L, 3, 4], kept.data<long>().ToArray());
        Assert.Equal([0L, 2], omitted.data<long>().ToArray());
    }

    [Fact]
    public void Sampling_draws_distinct_neurons_in_proportion_to_their_scores()
    {
        // Neuron 0 holds 90% of the mass: drawn alone (k = 1) it should win about 90% of 2,000 seeded draws.
        var scores = tensor(new[] { 9f, 0.25f, 0.25f, 0.25f, 0.25f });
        int wins = 0;
        for (int draw = 0; draw < 2000; draw++)
        {
            using var generator = new Generator((ulong)draw, CPU);
            var (kept, omitted) = NeuronSelector.Split(scores, 1, NeuronSelection.Sample, generator);
            if (kept.item<long>() == 0) wins++;
            Assert.Equal(4, omitted.shape[0]);
        }
        Assert.InRange(wins / 2000.0, 0.87, 0.93);

        using var g = new Generator(7, CPU);
        var (k3, o3) = NeuronSelector.Split(scores, 3, NeuronSelection.Sample, g);
        var all = k3.data<long>().Concat(o3.data<long>()).Order().ToArray();
        Assert.Equal([0L, 1, 2, 3, 4], all);
    }

    [Fact]
    public void Uniform_importance_keeps_a_different_random_subset_per_seed_with_equal_odds()
    {
        var counts = new int[8];
        var subsets = new HashSet<string>();
        for (int draw = 0; draw < 800; draw++)
        {
            using var scores = NeuronImportanceScores.Compute(NeuronImportance.Uniform, ones(1, 3), [zeros(8, 3)]);
            using var generator = new Generator((ulong)draw, CPU);
            var (kept, _) = NeuronSelector.Split(scores, 2, NeuronSelection.TopK, generator, random: true);
            var ids = kept.data<long>().ToArray();
            foreach (var id in ids) counts[id]++;
            subsets.Add(string.Join(",", ids));
        }
        Assert.All(counts, c => Assert.InRange(c, 150, 250)); // 800·2/8 = 200 each
        Assert.True(subsets.Count > 20);
    }

    [Fact]
    public void Keeping_none_or_more_than_all_is_refused()
    {
        using var generator = new Generator(1, CPU);
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuronSelector.Split(ones(4), 0, NeuronSelection.TopK, generator));
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuronSelector.Split(ones(4), 5, NeuronSelection.TopK, generator));
        Assert.Throws<ArgumentException>(() => NeuronImportanceScores.Compute(NeuronImportance.Wanda, ones(2, 5), [ones(4, 3)]));
    }

    private sealed class Close : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }
}
