using SparseDsl.Examples.Gpt;
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
