using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;
using SparseDsl.Tests.SmallModels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// Every tensor of every kind follows the model: <c>model.to(...)</c> converts each parameter and buffer (masks
/// included), the layers' own accessors and <c>ScaledParameters()</c> (where optimizer groups come from) see the
/// converted tensors, and a model built with a device puts everything there, [Unscaled] layers included. No CUDA here,
/// so the move is proven with a dtype change (float64) and with PyTorch's <c>meta</c> device, which every build has.
/// </summary>
public class ModelToTests
{
    public static TheoryData<string> Kinds => new()
    {
        "linear+sparse+embedding",   // ProbeModel: embedding, dense and sparse linears with masks, untied readout
        "gpt",                       // norm, attention, SwiGLU blocks, tied readout
        "conv", "parameter", "experts", "unscaled",
    };

    private static (Module<Tensor, Tensor> Model, Func<ScalarType, Tensor> Input) Build(string kind, Device? device = null) => kind switch
    {
        "linear+sparse+embedding" => (new ProbeModel(64, device, seed: 1), _ => Ids(2, 4)),
        "gpt" => (new GptLm(64, device, seed: 1), _ => Ids(2, 8)),
        "conv" => (new TinyConvNet(16, device, seed: 1), dtype => TinyConvNet.Batch(0, 2).Images.to(dtype)),
        "parameter" => (new TinyVit(16, device, seed: 1), dtype => randn(2, 1, 8, 8).to(dtype)),
        "experts" => (new TinyMoeLm(16, device, seed: 1), _ => Ids(2, 8)),
        "unscaled" => (new WithUnscaledLayer(16, device, seed: 1), _ => Ids(1, 10)),
        _ => throw new ArgumentException(kind),
    };

    private static Tensor Ids(long batch, long time) => arange(batch * time, ScalarType.Int64).remainder(10).view(batch, time);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_tensor_follows_model_to_float64(string kind)
    {
        var (model, input) = Build(kind);
        using var _ = model;
        model.to(ScalarType.Float64);
        AssertEverywhere(model, t => t.dtype == ScalarType.Float64, "float64");

        // The converted model runs in float64 end to end.
        using var x = input(ScalarType.Float64);
        using var y = model.call(x);
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_tensor_follows_model_to_another_device(string kind)
    {
        var (model, _) = Build(kind);
        using var __ = model;
        model.to(new Device(DeviceType.META));
        AssertEverywhere(model, t => t.device_type == DeviceType.META, "on the meta device");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_model_built_on_a_device_has_every_tensor_there(string kind)
    {
        var (model, _) = Build(kind, new Device(DeviceType.META));
        using var __ = model;
        AssertEverywhere(model, t => t.device_type == DeviceType.META, "on the meta device");
    }

    // Sparse storage (kept values, int32 pattern buffers) is CPU float32 only: its kernels refuse anything else.
    private static TinyByteLm SparseStored(long seed = 3) =>
        new(32, seed: seed, options: new ModelOptions { Depth = 1, Sparsity = 0.875, Storage = WeightStorage.Sparse });

    private static List<ScaledLinear> SparseLayers(nn.Module model)
    {
        var layers = model.modules().OfType<ScaledLinear>().Where(l => l.IsSparseStorage).ToList();
        Assert.NotEmpty(layers);
        return layers;
    }

    private static Tensor Logits(nn.Module<Tensor, Tensor> model)
    {
        using var _ = no_grad();
        using var ids = Ids(2, 8);
        return model.call(ids).detach().clone();
    }

    [Fact]
    public void A_sparse_stored_layer_follows_float64_its_pattern_stays_the_registered_int32_buffers_and_forward_refuses()
    {
        using var model = SparseStored();
        using var before = Logits(model);
        model.to(ScalarType.Float64);
        // Floating tensors convert; the index buffers keep int32 (TorchSharp converts only floating types) and stay on the CPU.
        AssertEverywhere(model, t => t.is_floating_point() ? t.dtype == ScalarType.Float64 : t.dtype == ScalarType.Int32, "float64 (indices int32)");
        AssertPatternIsRegistered(model);

        using var ids = Ids(2, 8);
        var refused = Assert.Throws<InvalidOperationException>(() => model.call(ids));
        Assert.Contains("float32 only", refused.Message);
        Assert.Contains("Float64", refused.Message);

        // Back in float32 the model is the one it was: the forward reads the rebound pattern (and its rebuilt transpose) ...
        model.to(ScalarType.Float32);
        AssertPatternIsRegistered(model);
        using var after = Logits(model);
        Assert.True(before.equal(after).all().item<bool>(), "the logits changed across to(float64) and back");

        // ... and so do the backward pass (the transposed pattern) and the training step built on it.
        using var fresh = SparseStored();
        foreach (var m in new[] { model, fresh })
        {
            using var logits = m.call(ids);
            using var loss = logits.square().mean();
            loss.backward();
        }
        foreach (var (moved, untouched) in SparseLayers(model).Zip(SparseLayers(fresh)))
            Assert.True(moved.Values!.grad!.equal(untouched.Values!.grad!).all().item<bool>(), $"{moved.Plan.Name}: another value gradient after the round trip");
    }

    [Fact]
    public void Weights_imported_into_a_converted_sparse_model_reach_its_pattern()
    {
        // Before the pattern followed the registry, to(...) disposed the arrays the pattern held, and an import (or a
        // checkpoint load) wrote into the registered buffers the kernels no longer read.
        using var folder = new TempFolder();
        using var source = SparseStored(seed: 4);
        string path = folder.File("other.safetensors");
        WeightExport.Write(source, path, new ExportOptions { SparsePattern = true });
        using var expected = Logits(source);

        using var model = SparseStored(seed: 3);
        model.to(ScalarType.Float64).to(ScalarType.Float32);
        WeightImport.Load(WeightImport.Open(path), model);
        AssertPatternIsRegistered(model);
        using var loaded = Logits(model);
        Assert.True(expected.equal(loaded).all().item<bool>(), "the imported model computes other logits than the exported one");
        foreach (var (a, b) in SparseLayers(source).Zip(SparseLayers(model)))
        {
            using var wa = a.EffectiveWeight();
            using var wb = b.EffectiveWeight();
            Assert.True(wa.equal(wb).all().item<bool>(), $"{b.Plan.Name}: the imported pattern did not reach the layer");
        }
    }

    [Fact]
    public void A_sparse_stored_model_moved_off_the_CPU_moves_its_pattern_buffers_and_refuses_to_read_them()
    {
        using var model = SparseStored();
        model.to(new Device(DeviceType.META));
        AssertEverywhere(model, t => t.device_type == DeviceType.META, "on the meta device");
        foreach (var layer in SparseLayers(model))
        {
            var refused = Assert.Throws<InvalidOperationException>(() => layer.Pattern);
            Assert.Contains(layer.Plan.Name, refused.Message);
            Assert.Contains("CPU", refused.Message);
            // The layer itself (the embedding's lookup has no meta kernel, so the whole model cannot get this far).
            using var x = zeros([2, layer.Plan.InFeatures], ScalarType.Float32, new Device(DeviceType.META));
            var forward = Assert.Throws<InvalidOperationException>(() => layer.call(x));
            Assert.Contains("stored sparse", forward.Message);
        }
    }

    // The pattern the kernels read is the state dict's: the same tensor objects as the registered buffers.
    private static void AssertPatternIsRegistered(nn.Module model)
    {
        foreach (var layer in SparseLayers(model))
        {
            var pattern = layer.Pattern!;
            Assert.Same(layer.get_buffer(LayerTensors.RowStartsName("weight")), pattern.RowStart);
            Assert.Same(layer.get_buffer(LayerTensors.ColumnsName("weight")), pattern.Column);
            Assert.Equal(ScalarType.Int32, pattern.RowStart.dtype);
            Assert.Equal(DeviceType.CPU, pattern.Column.device_type);
            Assert.Same(layer.get_parameter(LayerTensors.ValuesName("weight")), layer.Values);
        }
    }

    private static void AssertEverywhere(Module<Tensor, Tensor> model, Func<Tensor, bool> ok, string what)
    {
        var registered = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.NotEmpty(registered);
        foreach (var (name, p) in registered)
            Assert.True(ok(p), $"parameter {name} is {p.dtype} on {p.device}, not {what}");
        foreach (var (name, b) in model.named_buffers())
            Assert.True(ok(b), $"buffer {name} is {b.dtype} on {b.device}, not {what}");

        // Optimizer groups come from ScaledParameters: they must be the registered (converted) tensors, not stale ones.
        var scaled = ((IScaledModel)model).ScaledParameters().ToList();
        Assert.Equal(registered.Count, scaled.Count);
        foreach (var s in scaled)
        {
            Assert.True(ok(s.Parameter), $"ScaledParameters' {s.Name} is {s.Parameter.dtype} on {s.Parameter.device}, not {what}");
            Assert.True(ReferenceEquals(registered[s.Name], s.Parameter) || registered[s.Name].Handle == s.Parameter.Handle,
                $"ScaledParameters' {s.Name} is not the registered tensor");
        }

        // The layers' own accessors (what forward reads) see the converted tensors too, masks included.
        int masks = 0;
        foreach (var (name, module) in model.named_modules())
        {
            foreach (var (label, t) in Accessors(module))
            {
                Assert.True(ok(t), $"{name}.{label} is {t.dtype} on {t.device}, not {what}");
                if (label == "Mask") masks++;
            }
        }
        int registeredMasks = model.named_buffers().Count(b => b.name.EndsWith("mask", StringComparison.Ordinal));
        Assert.Equal(registeredMasks, masks);
    }

    private static IEnumerable<(string, Tensor)> Accessors(Module module)
    {
        switch (module)
        {
            case ScaledLinear { IsSparseStorage: true } sparse:
                yield return ("Values", sparse.Values!);
                if (sparse.Bias is { } sb) yield return ("Bias", sb);
                break;
            case ScaledLinear l:
                yield return ("Weight", l.Weight);
                if (l.Bias is { } b) yield return ("Bias", b);
                if (l.Mask is { } m) yield return ("Mask", m);
                break;
            case ScaledConv c:
                yield return ("Weight", c.Weight);
                if (c.Bias is { } cb) yield return ("Bias", cb);
                if (c.Mask is { } cm) yield return ("Mask", cm);
                break;
            case ScaledEmbedding e: yield return ("Weight", e.Weight); break;
            case ScaledRouter r: yield return ("Weight", r.Weight); break;
            case ScaledTensor t: yield return ("Value", t.Value); break;
            case ScaledNorm n:
                yield return ("Weight", n.Weight);
                if (n.Bias is { } nb) yield return ("Bias", nb);
                break;
        }
    }
}
