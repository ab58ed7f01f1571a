using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Llama;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Acceleration;

/// <summary>
/// SAT over attention heads, on both example attentions: the GPT's (one key/value head per query head, ALiBi) and the
/// Llama's (grouped-query, 4 query heads per key/value head, RoPE). Gathered forwards equal the full attention with
/// the omitted heads zeroed, omitted heads get no gradient and keep their weights and AdamW state bit for bit, masks
/// stay exact, and evaluation uses every head.
/// </summary>
public class HeadOmissionTests
{
    private static readonly Lazy<TextCorpus> Text = new(BundledCorpus.Open);

    private static NextTokenBatches Batches() => new(Text.Value, 4, 32, seed: 5, validationBatches: 2);

    private static SparsityAcceleration Constant(double rate, NeuronImportance metric = NeuronImportance.Wanda) =>
        new(new LadderSchedule(rate, 1, 1, 0), metric);

    /// <summary>An example attention block, its model and its head omission, for one of the two layouts.</summary>
    public sealed class Layout(string name) : IDisposable
    {
        // GPT at width 128: 4 heads of 32, 4 groups of one. Llama at width 256: 8 query heads, 2 key/value heads, so
        // 2 groups of 4 query heads (the smallest width at which a group can be omitted).
        private readonly nn.Module<Tensor, Tensor> _model = name == "gpt"
            ? new GptLm(128, seed: 2, options: new ModelOptions { Depth = 1, Sparsity = 0.5 })
            : new LlamaLm(256, seed: 2, options: new ModelOptions { Depth = 1, Sparsity = 0.5 });

        public string Name => name;

        public nn.Module<Tensor, Tensor> Model => _model;

        public nn.Module<Tensor, Tensor> Block => _model is GptLm g ? g.Blocks[0].Attention : ((LlamaLm)_model).Blocks[0].Attention;

        public HeadOmission Omission => (HeadOmission)((ISparsityAcceleratedBlock)Block).Omission;

        public ScaledLinear Query => Pick(g => g.Query, l => l.Query);

        public ScaledLinear Key => Pick(g => g.Key, l => l.Key);

        public ScaledLinear Value => Pick(g => g.Value, l => l.Value);

        public ScaledLinear Output => Pick(g => g.Output, l => l.Output);

        public ScaledAttention Attention => Block is CausalSelfAttention g ? g.Attention : ((GroupedQueryAttention)Block).Attention;

        public long Width => Query.Plan.InFeatures;

        public ITrainerLike CreateTrainer(TrainerSettings settings) => _model is GptLm g
            ? new TrainerLike<GptLm>(new GptLm.Trainer(g, settings, Batches()))
            : new TrainerLike<LlamaLm>(new LlamaLm.Trainer((LlamaLm)_model, settings, Batches()));

        private ScaledLinear Pick(Func<CausalSelfAttention, ScaledLinear> gpt, Func<GroupedQueryAttention, ScaledLinear> llama) =>
            Block is CausalSelfAttention g ? gpt(g) : llama((GroupedQueryAttention)Block);

        public void Dispose() => _model.Dispose();

        public override string ToString() => name;
    }

    public static TheoryData<string> Layouts() => ["gpt", "llama"];

    // The block in training mode at a constant head omission rate for step 1.
    private static HeadOmission Omitting(Layout layout, double rate, NeuronImportance metric = NeuronImportance.Wanda)
    {
        var omission = layout.Omission;
        omission.Settings = Constant(rate, metric);
        omission.BeginStep(1, 10);
        layout.Model.train();
        return omission;
    }

    private static Tensor Input(long width) => randn([2, 7, width], generator: new Generator(4, CPU));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_training_forward_runs_only_the_kept_heads_and_equals_the_full_attention_with_the_omitted_heads_zeroed(string name)
    {
        using var layout = new Layout(name);
        var omission = Omitting(layout, 0.5);
        using var x = Input(layout.Width);
        using var y = layout.Block.call(x);
        var keptHeads = omission.KeptHeads!;
        long heads = omission.Heads, perGroup = omission.HeadsPerGroup;
        Assert.Equal(name == "gpt" ? 1 : 4, perGroup);
        Assert.Equal(heads / 2, keptHeads.shape[0]);
        // Whole groups: the kept query heads are exactly the kept groups' query heads.
        Assert.Equal(omission.Kept!.data<long>().SelectMany(g => Enumerable.Range(0, (int)perGroup).Select(j => g * perGroup + j)), keptHeads.data<long>());
        // The projections compute the kept heads only: gathered, not masked, activations.
        using (no_grad())
        {
            Assert.Equal(keptHeads.shape[0] * 32, layout.Query.call(x).shape[^1]);
            Assert.Equal(omission.KeptCount * 32, layout.Key.call(x).shape[^1]);
            Assert.Equal(omission.KeptCount * 32, layout.Value.call(x).shape[^1]);
        }

        layout.Model.eval();
        using var _ = no_grad();
        var context = layout.Attention.call(layout.Query.call(x), layout.Key.call(x), layout.Value.call(x));
        Assert.Equal(heads * 32, context.shape[^1]); // eval runs every head
        var keep = zeros(heads).index_fill_(0, keptHeads, 1.0).repeat_interleave(32);
        var reference = layout.Output.call(context * keep);
        // float32: the gathered and the zeroed forward differ only in the order of their sums (over at most 256 terms
        // of size ~1), a few ulps of the outputs; 1e-4 relative and 1e-5 absolute is ~100× that, while dropping a head
        // moves the output by ~0.1 (checked below), so a wrong head or slope could not pass.
        Assert.True(y.allclose(reference, rtol: 1e-4, atol: 1e-5), $"{name}: SAT forward differs from the full attention with the omitted heads zeroed (max {(y - reference).abs().max().item<float>()})");
        var dense = layout.Output.call(context);
        Assert.True((y - dense).abs().max().item<float>() > 1e-2, "omitting half the heads must change the output");
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Evaluation_and_rate_zero_use_every_head_exactly(string name)
    {
        using var layout = new Layout(name);
        using var x = Input(layout.Width);
        layout.Model.train();
        using var dense = layout.Block.call(x).detach();

        var omission = Omitting(layout, 0.5);
        layout.Model.eval();
        Assert.True(layout.Block.call(x).eq(dense).all().item<bool>(), "eval must ignore the omission");
        layout.Model.train();
        Assert.False(layout.Block.call(x).eq(dense).all().item<bool>(), "a training forward at rate 0.5 must differ");

        omission.Settings = SparsityAcceleration.Off;
        omission.BeginStep(1, 10);
        Assert.False(omission.IsOmitting);
        Assert.True(layout.Block.call(x).eq(dense).all().item<bool>(), "rate 0 must be the dense path bit for bit");
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Gradients_reach_only_kept_heads_and_never_masked_weights(string name)
    {
        using var layout = new Layout(name);
        var omission = Omitting(layout, 0.5);
        using var x = Input(layout.Width);
        layout.Block.call(x).square().sum().backward();

        foreach (var (layer, role) in omission.Projections)
        {
            long dim = role == OmissionRole.Expanding ? 0 : 1;
            var kept = omission.KeptIndices(layer)!;
            var omitted = Complement(kept, layer.Weight.shape[dim]);
            var grad = layer.Weight.grad!;
            Assert.Equal(0.0, grad.index_select(dim, omitted).abs().sum().item<float>());
            // Every kept row/column gets a gradient (it has some unmasked weight)...
            var keptGrad = grad.index_select(dim, kept).abs().sum(1 - dim);
            Assert.Equal(kept.shape[0], keptGrad.gt(0).sum().item<long>());
            // ...and masked weights get none.
            Assert.Equal(0.0, grad.mul(layer.Mask!.eq(0)).abs().sum().item<float>());
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_trainer_step_leaves_omitted_heads_weights_and_AdamW_state_untouched_and_masks_exact(string name)
    {
        using var layout = new Layout(name);
        // Two steps with every head, so every head has momentum; then each step keeps a random half of the groups.
        var settings = new TrainerSettings { Steps = 10, HeadAcceleration = SparsityAcceleration.Off };
        using var trainer = layout.CreateTrainer(settings);
        trainer.Step();
        trainer.Step();
        var omission = layout.Omission;
        omission.Settings = Constant(0.5, NeuronImportance.Uniform);

        var states = StatesOf(trainer.Optimizer);
        var before = omission.Projections.ToDictionary(p => p.Layer, p => Snapshot(p.Layer.Weight, states));
        var metrics = trainer.Step();
        Assert.Equal(0.5, metrics.HeadOmissionRate);

        foreach (var (layer, role) in omission.Projections)
        {
            long dim = role == OmissionRole.Expanding ? 0 : 1;
            var kept = omission.KeptIndices(layer)!;
            var omitted = Complement(kept, layer.Weight.shape[dim]);
            var after = Snapshot(layer.Weight, states);
            for (int t = 0; t < after.Length; t++)
            {
                Assert.True(after[t].index_select(dim, omitted).eq(before[layer][t].index_select(dim, omitted)).all().item<bool>(),
                    $"{layer.Plan.Name}: omitted slice of tensor {t} (weight, exp_avg, exp_avg_sq) changed");
                Assert.False(after[t].index_select(dim, kept).eq(before[layer][t].index_select(dim, kept)).all().item<bool>(),
                    $"{layer.Plan.Name}: kept slice of tensor {t} did not change");
            }
            // Without the guard AdamW would have moved them: their momentum from the dense steps is not zero.
            Assert.True(before[layer][1].index_select(dim, omitted).abs().sum().item<float>() > 0);
        }

        foreach (var layer in layout.Model.modules().OfType<ScaledLinear>().Where(l => l.Mask is not null))
            Assert.Equal(0, layer.Weight.mul(layer.Mask!.eq(0)).count_nonzero().item<long>());
    }

    [Fact]
    public void Heads_follow_their_own_override_and_Off_is_the_dense_baseline_for_both()
    {
        using var model = new GptLm(128, seed: 2, options: new ModelOptions { Depth = 1 });
        var heads = new SparsityAcceleration(new LadderSchedule(0.5, 2, 0.5, 0.25));
        using (var trainer = new GptLm.Trainer(model, new TrainerSettings { Steps = 8, HeadAcceleration = heads }, Batches()))
        {
            var steps = Enumerable.Range(0, 8).Select(_ => trainer.TrainStep()).ToArray();
            Assert.Equal([0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0, 0], steps.Select(s => s.HeadOmissionRate));
            // The MLP keeps its declared ladder (0.5 to 50%, 0.25 to 80%, then dense).
            Assert.Equal(steps.Select(s => SparsityAcceleration.Default.Schedule.Rate(s.Step, 8)), steps.Select(s => s.OmissionRate));
        }

        // Off is the dense baseline: the head blocks follow it unless HeadAcceleration says otherwise.
        using (var dense = new GptLm.Trainer(model, new TrainerSettings { Steps = 2, Acceleration = SparsityAcceleration.Off }, Batches()))
            Assert.All(dense.Omissions, o => Assert.True(o.Settings.IsOff));
        using (var headsOnly = new GptLm.Trainer(model, new TrainerSettings { Steps = 2, Acceleration = SparsityAcceleration.Off, HeadAcceleration = heads }, Batches()))
        {
            Assert.True(headsOnly.Omissions.OfType<NeuronOmission>().Single().Settings.IsOff);
            Assert.Equal(heads, headsOnly.Omissions.OfType<HeadOmission>().Single().Settings);
        }

        // The example declares its heads at rate 0: without an override every head trains.
        using var plain = new GptLm.Trainer(model, new TrainerSettings { Steps = 1 }, Batches());
        Assert.Equal(0, plain.TrainStep().HeadOmissionRate);
    }

    [Fact]
    public void Asking_for_head_omission_on_a_model_without_a_head_block_is_an_error()
    {
        using var model = new ProbeModel(64);
        var error = Assert.Throws<ArgumentException>(() => new Trainer<ProbeModel>(model, new TrainerSettings { HeadAcceleration = SparsityAcceleration.Default }, Batches()));
        Assert.Contains("no [SparsityAccelerated(Heads = true)] block", error.Message);
    }

    [Fact]
    public void Heads_are_scored_per_group_from_the_query_key_and_value_rows()
    {
        using var layout = new Layout("llama");
        var omission = Omitting(layout, 0.5, NeuronImportance.WeightMagnitude);
        using var x = Input(layout.Width);
        using (no_grad()) layout.Block.call(x);
        // Weight magnitude per group: the product over Q, K, V of the sum of the group's row norms.
        double Group(ScaledLinear layer, long group)
        {
            var norms = layer.EffectiveWeight().square().sum(1).sqrt();
            long rows = norms.shape[0] / omission.Units;
            return norms.narrow(0, group * rows, rows).sum().item<float>();
        }
        var scores = Enumerable.Range(0, (int)omission.Units).Select(g => Group(layout.Query, g) * Group(layout.Key, g) * Group(layout.Value, g)).ToArray();
        long best = Array.IndexOf(scores, scores.Max());
        Assert.Equal([best], omission.Kept!.data<long>().ToArray());
    }

    private static Tensor Complement(Tensor kept, long size) =>
        ones(size, ScalarType.Bool).index_fill_(0, kept, false).nonzero().flatten();

    private static Dictionary<IntPtr, AdamW.State> StatesOf(AdamW optimizer)
    {
        var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters).ToList();
        var states = optimizer.state_dict().State;
        return parameters.Select((p, i) => (p.Handle, (AdamW.State)states[i])).ToDictionary(x => x.Handle, x => x.Item2);
    }

    private static Tensor[] Snapshot(Parameter weight, Dictionary<IntPtr, AdamW.State> states)
    {
        var state = states[weight.Handle];
        return [weight.detach().clone(), state.exp_avg.clone(), state.exp_avg_sq.clone()];
    }

    /// <summary>A trainer of either example model.</summary>
    public interface ITrainerLike : IDisposable
    {
        AdamW Optimizer { get; }

        StepMetrics Step();
    }

    private sealed class TrainerLike<TModel>(Trainer<TModel> trainer) : ITrainerLike where TModel : nn.Module<Tensor, Tensor>, IScaledModel
    {
        public AdamW Optimizer => trainer.Optimizer;

        public StepMetrics Step() => trainer.TrainStep();

        public void Dispose() => trainer.Dispose();
    }
}
