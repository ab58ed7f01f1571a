using SparseDsl.Tests.Checkpoints;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// <c>[Experts]</c>: the scaling of router, experts and expert biases, exact masks per expert, the routed forward pass
/// against a dense reference that runs every expert, gradients, the auxiliary losses, the trainer, checkpoints.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class ExpertsTests
{
    private static readonly double Sigma = BaseHyperparameters.Paper.InitStd;

    [Theory]
    [InlineData(Parameterization.SuPar)]
    [InlineData(Parameterization.MuP)]
    [InlineData(Parameterization.Standard)]
    public void Describe_gives_the_router_the_readout_rule_and_each_expert_the_hidden_rule_of_one_expert(Parameterization p)
    {
        // Width 64 against base 16: m_d = 4 for the router and the experts' up projections, (2·64)/(2·16) = 4 for down.
        using var model = new TinyMoeLm(64, options: new ModelOptions { Parameterization = p });
        var rows = model.Plan.DescribeParameters().ToDictionary(r => r.Name);
        double effective = p switch { Parameterization.SuPar => 4 * 0.5, Parameterization.MuP => 4, _ => 1 };

        var router = rows["blocks.0.mixture.router.weight"];
        Assert.Equal(ParameterRole.Router, router.Role);
        Assert.Equal([4L, 64], router.Shape);
        Assert.Equal(64, router.FanIn);
        Assert.Equal(1.0, router.Density);
        Assert.Equal(Sigma, router.InitStd, 12);
        Assert.Equal(1.0, router.LearningRateMultiplier, 12);
        Assert.Equal(p == Parameterization.Standard ? 1.0 : 0.25, router.ForwardMultiplier, 12);
        Assert.True(router.WeightDecay);

        for (int e = 0; e < 4; e++)
        {
            var up = rows[$"blocks.0.mixture.experts.{e}.up.weight"];
            Assert.Equal(ParameterRole.Hidden, up.Role);
            Assert.Equal([128L, 64], up.Shape);
            Assert.Equal(0.5, up.Density);
            Assert.Equal(Sigma / Math.Sqrt(effective), up.InitStd, 12);
            Assert.Equal(1 / effective, up.LearningRateMultiplier, 12);
            Assert.Equal(1.0, up.ForwardMultiplier, 12);
            var down = rows[$"blocks.0.mixture.experts.{e}.down.weight"];
            Assert.Equal(128, down.FanIn);
            Assert.Equal(Sigma / Math.Sqrt(effective), down.InitStd, 12);
            Assert.Equal(1 / effective, down.LearningRateMultiplier, 12);
            foreach (var bias in new[] { rows[$"blocks.0.mixture.experts.{e}.up.bias"], rows[$"blocks.0.mixture.experts.{e}.down.bias"] })
            {
                Assert.Equal(ParameterRole.Bias, bias.Role);
                Assert.Equal(ParameterInit.Zeros, bias.Init);
                Assert.Equal(1.0, bias.LearningRateMultiplier, 12);
                Assert.False(bias.WeightDecay);
            }
        }
        Assert.DoesNotContain(rows.Keys, k => k.Contains("experts.4.", StringComparison.Ordinal));

        // Every row is a tensor of the built model, with that shape.
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        foreach (var row in rows.Values.Where(r => r.TiedTo is null)) Assert.Equal(row.Shape, state[row.Name]);
        Assert.Contains("blocks.0.mixture.experts.3.down.mask", state.Keys);

        string text = model.Describe();
        Assert.Contains("blocks.0.mixture: 4 experts, top-2 (k/E 0.5), dropless, balance loss x 0.01, z-loss x 0.001", text);
        using var json = System.Text.Json.JsonDocument.Parse(model.DescribeJson());
        var bank = json.RootElement.GetProperty("experts")[0];
        Assert.Equal("blocks.0.mixture", bank.GetProperty("name").GetString());
        Assert.Equal(4, bank.GetProperty("count").GetInt32());
        Assert.Equal(2, bank.GetProperty("topK").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("parameters").EnumerateArray(),
            r => r.GetProperty("name").GetString() == "blocks.0.mixture.router.weight" && r.GetProperty("role").GetString() == "Router");
    }

    [Fact]
    public void Each_expert_has_its_own_exact_seeded_mask_and_zero_weights_outside_it()
    {
        using var model = new TinyMoeLm(32, seed: 7);
        var bank = model.Blocks[0].Mixture;
        var masks = new List<Tensor>();
        foreach (var expert in bank.Experts)
            foreach (var layer in new[] { expert.Up, expert.Down })
            {
                var mask = layer.Mask!;
                Assert.Equal((long)Math.Round(0.5 * mask.numel()), (long)mask.sum().item<float>());
                Assert.Equal(0f, layer.Weight.detach().mul(mask.neg().add(1)).abs().sum().item<float>());
                masks.Add(mask);
            }
        // The four experts' up masks (and down masks) are four different draws.
        for (int i = 0; i < masks.Count; i++)
            for (int j = i + 2; j < masks.Count; j += 2)
                Assert.False(masks[i].eq(masks[j]).all().item<bool>(), $"masks {i} and {j} are the same draw");

        // The same seed draws the same masks again.
        using var again = new TinyMoeLm(32, seed: 7);
        Assert.True(again.Blocks[0].Mixture.Experts[2].Up.Mask!.eq(bank.Experts[2].Up.Mask!).all().item<bool>());
    }

    [Theory]
    [InlineData(Parameterization.SuPar, 3)]
    [InlineData(Parameterization.Standard, 4)]
    public void The_routed_bank_equals_a_dense_reference_that_runs_every_expert_and_masks_the_outputs(Parameterization p, long seed)
    {
        using var model = new TinyMoeLm(32, seed: seed, options: new ModelOptions { Parameterization = p });
        var bank = model.Blocks[0].Mixture;
        using var scope = NewDisposeScope();
        using var generator = new Generator(20 + (ulong)seed);
        var x = randn([3, 10, 32], generator: generator);
        bank.eval();
        var routed = bank.call(x);

        // The reference: every expert on every token, each output weighted by a gate that is zero unless the expert is
        // among the token's two most probable, renormalised over those two — worked out here in doubles, not by TopKRouting.
        var tokens = x.reshape(30, 32);
        var probabilities = nn.functional.softmax(bank.Router.call(tokens), 1).data<float>().ToArray();
        var gates = new float[30 * 4];
        for (int n = 0; n < 30; n++)
        {
            var top = Enumerable.Range(0, 4).OrderByDescending(e => probabilities[n * 4 + e]).ThenBy(e => e).Take(2).ToArray();
            double sum = top.Sum(e => (double)probabilities[n * 4 + e]);
            foreach (int e in top) gates[n * 4 + e] = (float)(probabilities[n * 4 + e] / sum);
        }
        var gate = tensor(gates).reshape(30, 4);
        var reference = zeros(30, 32);
        for (int e = 0; e < 4; e++) reference += gate.narrow(1, e, 1) * bank.Experts[e].call(tokens);
        reference = reference.reshape(3, 10, 32);

        // Each output is two gate-weighted expert outputs, each a float32 chain of dot products of length ≤ 64; the routed
        // pass runs each expert on a subset of rows, so MKL may block the sums differently: a few ε·64 ≈ 4e-6 relative
        // to the largest output. 1e-4 leaves a factor 25 and is still far below what a wrong route changes.
        double scale = reference.abs().max().item<float>();
        double error = (routed - reference).abs().max().item<float>();
        Assert.True(error <= 1e-4 * scale, $"routed vs dense reference: max |Δ| {error} with max |y| {scale}");

        // The comparison can fail: the mean of all four experts (no routing) is far from both.
        var unrouted = Enumerable.Range(0, 4).Select(e => bank.Experts[e].call(tokens)).Aggregate((a, b) => a + b) / 4;
        Assert.True((unrouted.reshape(3, 10, 32) - reference).abs().max().item<float>() > 100 * 1e-4 * scale);
    }

    [Fact]
    public void Gradients_reach_the_router_and_only_the_experts_the_token_was_routed_to()
    {
        using var model = new TinyMoeLm(32, seed: 5);
        var bank = model.Blocks[0].Mixture;
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var x = randn([1, 1, 32], generator: generator);
        bank.train();
        bank.call(x).square().sum().backward();
        bank.TakeAuxiliaryLoss()?.Dispose(); // recorded in training mode; not part of this gradient

        var probabilities = nn.functional.softmax(bank.Router.call(x.reshape(1, 32)), 1).data<float>().ToArray();
        var routedTo = Enumerable.Range(0, 4).OrderByDescending(e => probabilities[e]).Take(2).ToHashSet();
        Assert.True(bank.Router.Weight.grad is { } routerGradient && routerGradient.abs().sum().item<float>() > 0);
        for (int e = 0; e < 4; e++)
            foreach (var layer in new[] { bank.Experts[e].Up, bank.Experts[e].Down })
            {
                var gradient = layer.Weight.grad;
                if (!routedTo.Contains(e))
                {
                    Assert.True(gradient is null || gradient.abs().sum().item<float>() == 0, $"expert {e} was not routed to but got a gradient");
                    continue;
                }
                Assert.NotNull(gradient);
                Assert.True(gradient.abs().sum().item<float>() > 0, $"expert {e} was routed to but got no gradient");
                Assert.Equal(0f, gradient.mul(layer.Mask!.neg().add(1)).abs().sum().item<float>()); // masked entries stay frozen
            }
    }

    [Fact]
    public void Top_k_routing_renormalises_the_chosen_probabilities()
    {
        using var scope = NewDisposeScope();
        var route = TopKRouting.Route(tensor(new float[] { 2, 1, 0, -1, 0, 0, 3, 0 }).reshape(2, 4), 2);
        Assert.Equal(new long[] { 0, 1 }, route.Experts[0].data<long>().ToArray());
        Assert.Equal(2, route.Experts[1, 0].item<long>());
        // Row 0: e²/(e² + e¹) = 1/(1 + e⁻¹) = 0.7310586, and its complement.
        Assert.Equal(0.7310586, route.Weights[0, 0].item<float>(), 6);
        Assert.Equal(0.2689414, route.Weights[0, 1].item<float>(), 6);
        // Row 1: e³/(e³ + 1) = 0.9525741 for expert 2; the runner-up is one of the tied zeros.
        Assert.Equal(0.9525741, route.Weights[1, 0].item<float>(), 6);
        Assert.Equal(1.0, route.Weights.sum(1)[1].item<float>(), 6);
    }

    [Fact]
    public void The_balance_loss_and_z_loss_match_values_worked_out_by_hand()
    {
        using var scope = NewDisposeScope();
        // Two tokens, three experts, top-1: token 0 → expert 0, token 1 → expert 1. f = (1/2, 1/2, 0);
        // P = mean of the rows = (0.4, 0.4, 0.2); E·Σ f·P = 3·(0.2 + 0.2 + 0) = 1.2.
        var probabilities = tensor(new float[] { 0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f }).reshape(2, 3);
        Assert.Equal(1.2, RoutingLosses.Balance(probabilities, tensor(new long[] { 1, 1, 0 })).item<float>(), 6);
        // Uniform probabilities and uniform load score exactly 1, whatever k: 4 experts, 4 tokens, top-2 → 2 slots each.
        Assert.Equal(1.0, RoutingLosses.Balance(full(4, 4, 0.25f), tensor(new long[] { 2, 2, 2, 2 })).item<float>(), 6);
        // logsumexp(0, 0) = ln 2, logsumexp(ln 3, 0) = ln 4: mean of squares = (0.480453 + 1.921812)/2 = 1.2011325.
        var logits = tensor(new float[] { 0, 0, (float)Math.Log(3), 0 }).reshape(2, 2);
        Assert.Equal(1.2011325, RoutingLosses.ZLoss(logits).item<float>(), 5);
    }

    [Fact]
    public void The_trainer_adds_the_banks_auxiliary_loss_to_the_gradient_and_reports_the_expert_load()
    {
        // On the CPU whatever SPARSEDSL_DEVICE says: the trainer's gradient is compared bit for bit with one by hand.
        var settings = new TrainerSettings { Steps = 4, GradientClipNorm = null, Optimizer = new AdamWSettings { LearningRate = 0.01 } };
        var batches = TinyText.Batches(4, 16, seed: 3, validationBatches: 1);
        var (inputs, targets) = batches.TrainingBatch(1, 0, CPU);

        // The trainer's gradient of the router equals cross-entropy + the bank's weighted losses, by hand...
        using var trained = new TinyMoeLm(32, seed: 2);
        using var trainer = trained.CreateTrainer(settings, batches);
        var metrics = trainer.TrainStep(inputs, targets);
        var trainerGradient = trained.Blocks[0].Mixture.Router.Weight.grad!.clone();

        using var byHand = new TinyMoeLm(32, seed: 2);
        var loss = LanguageModelLoss.NextToken(byHand.call(inputs), targets);
        using var auxiliary = byHand.Blocks[0].Mixture.TakeAuxiliaryLoss()!;
        (loss + auxiliary).div(1).backward();
        Assert.True(SmallRun.Same(trainerGradient, byHand.Blocks[0].Mixture.Router.Weight.grad!));
        Assert.Equal(loss.item<float>(), metrics.Loss); // the logged loss is the cross-entropy alone
        Assert.Equal(auxiliary.item<float>(), metrics.AuxiliaryLoss, 6);

        // ...and not the cross-entropy's alone.
        using var withoutAuxiliary = new TinyMoeLm(32, seed: 2);
        LanguageModelLoss.NextToken(withoutAuxiliary.call(inputs), targets).backward();
        Assert.False(SmallRun.Same(trainerGradient, withoutAuxiliary.Blocks[0].Mixture.Router.Weight.grad!));

        // The step's routing: 4 × 16 tokens × top-2 = 128 slots over 4 experts; the weighted sum is the auxiliary loss.
        var routing = Assert.Single(metrics.Routing);
        Assert.Equal("blocks.0.mixture", routing.BankName);
        Assert.Equal(128, routing.SlotsPerExpert.Sum());
        Assert.Equal(1.0, routing.LoadFractions.Sum(), 12);
        Assert.InRange(routing.BalanceLoss, 0.5, 4.0); // 1 when balanced; E = 4 when every slot and all probability go to one expert
        Assert.Equal(0.01 * routing.BalanceLoss + 0.001 * routing.ZLoss, metrics.AuxiliaryLoss, 5);
    }

    [Fact]
    public void The_metrics_file_holds_the_expert_load_histogram_and_the_losses()
    {
        using var folder = new TempFolder();
        string path = folder.File("metrics.jsonl");
        using var model = new TinyMoeLm(32, TestDevice.Current, seed: 1);
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 2 }, TinyText.Batches(2, 16, seed: 1, validationBatches: 1));
        using (var writer = new JsonlMetricsWriter(path)) trainer.Run(writer);
        var step = File.ReadLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).First(r => r.GetProperty("split").GetString() == "train");
        var load = step.GetProperty("expert_load").GetProperty("blocks.0.mixture").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(4, load.Length);
        Assert.Equal(1.0, load.Sum(), 4);
        Assert.InRange(step.GetProperty("balance_loss").GetProperty("blocks.0.mixture").GetDouble(), 0.5, 4.0);
        Assert.True(step.GetProperty("z_loss").GetProperty("blocks.0.mixture").GetDouble() > 0);
        Assert.True(step.GetProperty("aux_loss").GetDouble() > 0);
    }

    [Fact]
    public void A_checkpoint_restores_router_experts_masks_and_optimizer_state()
    {
        using var folder = new TempFolder();
        string path = folder.File("moe.ckpt");
        var settings = new TrainerSettings { Steps = 6 };
        var batches = TinyText.Batches(2, 16, seed: 4, validationBatches: 1);
        using var saved = new TinyMoeLm(32, TestDevice.Current, seed: 1);
        using var savedTrainer = saved.CreateTrainer(settings, batches);
        for (int i = 0; i < 3; i++) savedTrainer.TrainStep();
        savedTrainer.SaveCheckpoint(path);

        // Another seed draws other weights and masks: loading must bring back all of them, and Adam's moments.
        using var loaded = new TinyMoeLm(32, TestDevice.Current, seed: 99);
        Assert.False(SmallRun.Same(saved.Blocks[0].Mixture.Experts[1].Up.Mask!, loaded.Blocks[0].Mixture.Experts[1].Up.Mask!));
        using var loadedTrainer = loaded.CreateTrainer(settings, batches);
        loadedTrainer.LoadCheckpoint(path);
        SmallRun.AssertSameState(saved.state_dict(), loaded.state_dict());
        TestDevice.AssertSameLoss(savedTrainer.TrainStep().Loss, loadedTrainer.TrainStep().Loss);
        SmallRun.AssertSameState(saved.state_dict(), loaded.state_dict());
    }

    [Fact]
    public void The_cost_counts_k_of_E_experts_per_token()
    {
        // Width 32: each expert's up and down are 64×32 = 2,048 MACs; 4 experts at k/E = 1/2 → 8,192 per token. The
        // router is 4×32 = 128; the tied readout 256×32 = 8,192.
        var plan = TinyMoeLm.Declaration is var d ? ModelPlan.Create(d, TinyMoeLm.BaseWidth, 32) : null!;
        var costs = ModelCost.Layers(plan, context: 16).ToDictionary(c => c.Name, c => c.MultiplyAccumulates);
        Assert.Equal(128, costs["blocks.0.mixture.router"], 9);
        Assert.Equal(2048 * 0.5, costs["blocks.0.mixture.experts.0.up"], 9);
        Assert.Equal(2 * 2048 * 4 * 0.5 + 128 + 8192, ModelCost.MultiplyAccumulatesPerToken(plan, 16), 9);
    }
}
