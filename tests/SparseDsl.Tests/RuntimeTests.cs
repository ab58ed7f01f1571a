using static TorchSharp.torch;

namespace SparseDsl.Tests;

public class NativeLoadTests
{
    [Fact]
    public void A_TorchSharp_op_runs_on_this_host()
    {
        // Fails with TypeInitializationException where libLibTorchSharp.so cannot load (GLIBCXX_3.4.32 on Debian 12),
        // unless the build's native-load fix ran.
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var product = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }
}

public class DeviceSelectorTests
{
    [Fact]
    public void Cpu_resolves()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceSelector.Resolve("cpu").type);
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceSelector.Resolve(" CPU ").type);
    }

    [WithoutCudaFact]
    public void Cuda_without_a_gpu_is_a_clear_error_not_a_fallback()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve("cuda"));
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
    }

    [Fact]
    public void Unknown_device_is_an_error() =>
        Assert.Throws<ArgumentException>(() => DeviceSelector.Resolve("tpu"));

    [Theory]
    [InlineData(null, "cpu")]
    [InlineData("", "cpu")]
    [InlineData("  ", "cpu")]
    [InlineData("cuda", "cuda")]
    [InlineData(" cuda:1 ", "cuda:1")]
    public void SPARSEDSL_DEVICE_names_the_default_device_and_unset_is_the_cpu(string? value, string expected) =>
        Assert.Equal(expected, DeviceSelector.NameOrCpu(value));
}

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_then_linear_decay_to_a_tenth()
    {
        Assert.Equal(0.1, LearningRateSchedule.WarmupLinearDecay(1, 100), 12);   // 1/10 of warm-up
        Assert.Equal(1.0, LearningRateSchedule.WarmupLinearDecay(10, 100), 12);  // peak at the end of warm-up
        Assert.Equal(0.55, LearningRateSchedule.WarmupLinearDecay(55, 100), 12); // halfway down from 1 to 0.1
        Assert.Equal(0.1, LearningRateSchedule.WarmupLinearDecay(100, 100), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupLinearDecay(0, 100));
    }

    [Fact]
    public void Applying_a_factor_keeps_the_group_ratios()
    {
        using var model = new ProbeModel(128, options: new ModelOptions { Sparsity = 0.5 });
        using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = 0.01 });
        var before = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        LearningRateSchedule.Apply(optimizer, 0.5);
        var after = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        Assert.Equal(before.Select(x => x * 0.5), after);
    }
}
