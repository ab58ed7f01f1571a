using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Acceleration;

/// <summary>
/// SAT on the example's sparse SwiGLU MLP: gathered forwards, gradients only for kept neurons, omitted neurons and
/// their optimizer state untouched, SμPar masks exact, and the full MLP in evaluation.
/// </summary>
public class NeuronOmissionTests
{
    private static readonly Lazy<TextCorpus> Text = new(BundledCorpus.Open);

    private static NextTokenBatches Batches() => new(Text.Value, 4, 32, seed: 5, validationBatches: 2);

    private static GptLm Model(double sparsity = 0.5) => new(64, TestDevice.Current, seed: 2, options: new ModelOptions { Depth = 1, Sparsity = sparsity });

    private static SparsityAcceleration Constant(double rate, NeuronImportance metric = NeuronImportance.Wanda) =>
        new(new LadderSchedule(rate, 1, 1, 0), metric);

    // The model's one MLP, in training mode, at a constant omission rate for step 1.
    private static SwiGluMlp Omitting(GptLm model, double rate)
    {
        var mlp = model.Blocks[0].Mlp;
        mlp.Omission.Settings = Constant(rate);
        mlp.Omission.BeginStep(1, 10);
        model.train();
        return mlp;
    }

    private static Tensor Input() => randn([2, 5, 64], generator: new Generator(4, CPU)).to(TestDevice.Current);

    [Fact]
    public void A_training_forward_multiplies_only_the_kept_neurons_and_equals_the_dense_MLP_without_the_omitted_ones()
    {
        using var model = Model();
        var mlp = Omitting(model, 0.75);
        using var x = Input();
        using var y = mlp.call(x);
        var kept = mlp.Omission.Kept!;
        Assert.Equal(64, kept.shape[0]); // 256 hidden neurons, a quarter kept
        Assert.Equal(64, mlp.Gate.call(x).shape[^1]); // a gathered [2, 5, 64] hidden layer, not a masked [2, 5, 256] one

        model.eval();
        using var _ = no_grad();
        var hidden = nn.functional.silu(mlp.Gate.call(x)) * mlp.Up.call(x);
        Assert.Equal(256, hidden.shape[^1]); // eval is the full MLP
        var keep = zeros(256).index_fill_(0, kept, 1.0);
        var reference = mlp.Down.call(hidden * keep);
        Assert.True(y.allclose(reference, rtol: 1e-4, atol: 1e-5), "SAT forward differs from the dense MLP with the omitted neurons zeroed");
    }

    [Fact]
    public void Evaluation_and_rate_zero_use_the_full_MLP_exactly()
    {
        using var model = Model();
        var mlp = model.Blocks[0].Mlp;
        using var x = Input();
        model.train();
        using var dense = mlp.call(x).detach();

        mlp.Omission.Settings = Constant(0.5);
        mlp.Omission.BeginStep(1, 10);
        model.eval();
        Assert.True(TestDevice.Same(dense, mlp.call(x)), "eval must ignore the omission");
        model.train();
        Assert.False(mlp.call(x).eq(dense).all().item<bool>(), "a training forward at rate 0.5 must differ");

        mlp.Omission.Settings = SparsityAcceleration.Off;
        mlp.Omission.BeginStep(1, 10);
        Assert.False(mlp.Omission.IsOmitting);
        Assert.True(TestDevice.Same(dense, mlp.call(x)), "rate 0 must be the dense path (bit for bit on the CPU)");
    }

    [Fact]
    public void Gradients_reach_only_kept_neurons_and_never_masked_weights()
    {
        using var model = Model();
        var mlp = Omitting(model, 0.5);
        using var x = Input();
        mlp.call(x).square().sum().backward();
        var kept = mlp.Omission.Kept!;
        var omitted = mlp.Omission.Omitted!;
        Assert.Equal(256, kept.shape[0] + omitted.shape[0]);

        foreach (var (layer, role) in mlp.Omission.Projections)
        {
            long dim = role == OmissionRole.Expanding ? 0 : 1;
            var grad = layer.Weight.grad!;
            Assert.Equal(0.0, grad.index_select(dim, omitted).abs().sum().item<float>());
            // Every kept neuron gets a gradient (its row/column has some unmasked weight)...
            var keptGrad = grad.index_select(dim, kept).abs().sum(1 - dim);
            Assert.Equal(kept.shape[0], keptGrad.gt(0).sum().item<long>());
            // ...and masked weights get none.
            Assert.Equal(0.0, grad.mul(layer.Mask!.eq(0)).abs().sum().item<float>());
        }
    }

    [Fact]
    public void A_trainer_step_leaves_omitted_weights_and_their_AdamW_state_untouched_and_masks_exact()
    {
        using var model = Model(sparsity: 0.75);
        // Uniform importance: each step keeps a fresh random half, so omitted neurons carry momentum from earlier steps.
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 10, Acceleration = Constant(0.5, NeuronImportance.Uniform) }, Batches());
        for (int i = 0; i < 3; i++) trainer.TrainStep();

        var mlp = model.Blocks[0].Mlp;
        var states = StatesOf(trainer.Optimizer);
        var before = mlp.Omission.Projections.ToDictionary(p => p.Layer, p => Snapshot(p.Layer.Weight, states));
        trainer.TrainStep();
        var omitted = mlp.Omission.Omitted!;
        var kept = mlp.Omission.Kept!;

        foreach (var (layer, role) in mlp.Omission.Projections)
        {
            long dim = role == OmissionRole.Expanding ? 0 : 1;
            var after = Snapshot(layer.Weight, states);
            for (int t = 0; t < after.Length; t++)
            {
                Assert.True(after[t].index_select(dim, omitted).eq(before[layer][t].index_select(dim, omitted)).all().item<bool>(),
                    $"{layer.Plan.Name}: omitted slice of tensor {t} (weight, exp_avg, exp_avg_sq) changed");
                Assert.False(after[t].index_select(dim, kept).eq(before[layer][t].index_select(dim, kept)).all().item<bool>(),
                    $"{layer.Plan.Name}: kept slice of tensor {t} did not change");
            }
            // Without the guard AdamW would have moved them: their momentum from earlier steps is not zero.
            Assert.True(before[layer][1].index_select(dim, omitted).abs().sum().item<float>() > 0);
        }

        foreach (var layer in model.modules().OfType<ScaledLinear>().Where(l => l.Mask is not null))
            Assert.Equal(0, layer.Weight.mul(layer.Mask!.eq(0)).count_nonzero().item<long>());
    }

    [Fact]
    public void The_trainer_follows_the_ladder_and_trains_the_full_MLP_after_the_run()
    {
        using var model = Model();
        var ladder = new SparsityAcceleration(new LadderSchedule(0.5, 2, 0.5, 0.25));
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 8, Acceleration = ladder }, Batches());
        var rates = Enumerable.Range(0, 8).Select(_ => trainer.TrainStep().OmissionRate).ToArray();
        Assert.Equal([0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0, 0], rates);

        // A later trainer without an override goes back to the declared settings, whatever an earlier run set.
        using var plain = model.CreateTrainer(new TrainerSettings { Steps = 2 }, Batches());
        var mlp = plain.Omissions.OfType<NeuronOmission>().Single();
        Assert.Equal(SparsityAcceleration.Default, mlp.Settings);
        plain.Run();
        Assert.False(mlp.IsOmitting);
    }

    [Fact]
    public void Asking_for_SAT_on_a_model_without_a_SAT_block_is_an_error()
    {
        using var model = new ProbeModel(64);
        var error = Assert.Throws<ArgumentException>(() => new Trainer<ProbeModel>(model, new TrainerSettings { Acceleration = SparsityAcceleration.Default }, Batches()));
        Assert.Contains("no [SparsityAccelerated] block", error.Message);
        using var dense = new Trainer<ProbeModel>(model, new TrainerSettings { Acceleration = SparsityAcceleration.Off }, Batches());
        Assert.Empty(dense.Omissions);
    }

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
}
