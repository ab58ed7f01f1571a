using System.Diagnostics;
using System.Text.Json;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;
using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>
/// Runs only when PyTorch can be found, unless <c>SPARSEDSL_SKIP_PYTORCH=1</c> opts out on purpose (CI never sets it):
/// the skip is then reported with its reason. Without the opt-out a missing PyTorch fails the test, saying how to install it.
/// </summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public const string OptOut = "SPARSEDSL_SKIP_PYTORCH";

    public PyTorchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(OptOut) == "1") Skip = $"{OptOut}=1: the plain-PyTorch cross-check was skipped on purpose.";
    }
}

/// <summary>
/// The proof that an export leaves nothing behind in SparseDsl: briefly trained example LMs, exported folded, give the
/// same logits in a plain PyTorch transformer (scripts/pytorch_crosscheck.py: nn.Embedding, nn.Linear, 1/√d_head
/// attention), and exported unfolded, the same logits with the metadata's multipliers applied by hand in Python.
/// </summary>
public sealed class PyTorchCrossCheckTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    // max |ours − theirs| / max |theirs|: float32 logits computed in another order differ by a few ulps of the largest.
    private const double Tolerance = 1e-4;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [PyTorchFact]
    public void Folded_and_unfolded_exports_give_the_same_logits_in_plain_PyTorch()
    {
        string python = PythonWithTorch();
        var checks = new List<string>();
        using (var tied = ExportModels.TrainedTiedGpt2(_folder.Path))
            checks.AddRange(Exports(tied, "tied-gpt2", 50_257));
        using (var untied = ExportModels.TrainedUntiedBytes())
            checks.AddRange(Exports(untied, "untied-bytes", 256));
        // Sparse storage: the default file is dense; --sparse-pattern's CSR tensors are read with torch.sparse_csr_tensor.
        using (var stored = ExportModels.TrainedUntiedBytes(storage: WeightStorage.Sparse))
        {
            Assert.Contains(stored.modules().OfType<ScaledLinear>(), l => l.IsSparseStorage);
            checks.AddRange(Exports(stored, "sparse-stored", 256));
            string pattern = _folder.File("sparse-stored.pattern.safetensors");
            WeightExport.Write(stored, pattern, new ExportOptions { SparsePattern = true });
            checks.AddRange([pattern, checks[^1]]);
        }

        var (code, output, error) = RunScript(python, checks);
        log.WriteLine(output);
        Assert.True(code == 0, $"the cross-check failed (exit {code}):\n{output}\n{error}");
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(7, results.Count);
        Assert.Equal([true, false, true, false, true, false, false], results.Select(r => r.GetProperty("folded").GetBoolean()));
        Assert.All(results, r => Assert.InRange(r.GetProperty("relative").GetDouble(), 0, Tolerance));
        Assert.Equal([2, 24, 50_257], results[0].GetProperty("logits").EnumerateArray().Select(x => x.GetInt32()));
    }

    [PyTorchFact]
    public void The_cross_check_fails_when_the_weights_are_not_the_ones_that_made_the_logits()
    {
        string python = PythonWithTorch();
        using var model = ExportModels.TrainedUntiedBytes(steps: 2);
        using var later = ExportModels.TrainedUntiedBytes(steps: 3);
        string reference = Reference(model, "early", 256);
        string weights = _folder.File("later.safetensors");
        WeightExport.Write(later, weights, new ExportOptions { Fold = true });
        var (code, output, _) = RunScript(python, [weights, reference]);
        Assert.Equal(1, code);
        Assert.True(JsonDocument.Parse(output.Trim()).RootElement.GetProperty("relative").GetDouble() > Tolerance);
    }

    /// <remarks>
    /// The same seed builds the same weights under every depth rule (no init carries a depth factor), so the model
    /// without a rule differs from the CompleteP one only in m_L^(−α) on its branches: the script must apply the
    /// exported multiplier to match CompleteP's logits, and must not match them from the file that lacks it.
    /// </remarks>
    [PyTorchFact]
    public void An_unfolded_export_under_a_depth_rule_gives_the_same_logits_with_its_residual_multiplier()
    {
        string python = PythonWithTorch();
        using var deep = new GptLm(64, TestDevice.Current, seed: 3, options: new ModelOptions { DepthRule = DepthRule.CompleteP, Depth = 4 });
        using var plain = new GptLm(64, TestDevice.Current, seed: 3, options: new ModelOptions { Depth = 4 });
        string reference = Reference(deep, "completep", 256);
        string weights = _folder.File("completep.safetensors"), withoutRule = _folder.File("none.safetensors");
        WeightExport.Write(deep, weights);
        WeightExport.Write(plain, withoutRule);

        var (code, output, error) = RunScript(python, [weights, reference]);
        log.WriteLine(output);
        Assert.True(code == 0, $"the cross-check failed (exit {code}):\n{output}\n{error}");
        Assert.InRange(JsonDocument.Parse(output.Trim()).RootElement.GetProperty("relative").GetDouble(), 0, Tolerance);

        var (otherCode, otherOutput, _) = RunScript(python, [withoutRule, reference]);
        Assert.Equal(1, otherCode);
        Assert.True(JsonDocument.Parse(otherOutput.Trim()).RootElement.GetProperty("relative").GetDouble() > Tolerance);
    }

    private string[] Exports(nn.Module<Tensor, Tensor> model, string name, int vocabulary)
    {
        string reference = Reference(model, name, vocabulary);
        string folded = _folder.File($"{name}.folded.safetensors"), unfolded = _folder.File($"{name}.safetensors");
        WeightExport.Write(model, folded, new ExportOptions { Fold = true });
        WeightExport.Write(model, unfolded);
        return [folded, reference, unfolded, reference];
    }

    // The tokens and the logits SparseDsl computes for them, for the script to compare against.
    private string Reference(nn.Module<Tensor, Tensor> model, string name, int vocabulary)
    {
        string path = _folder.File($"{name}.reference.safetensors");
        using var tokens = ExportModels.Tokens(vocabulary);
        using var logits = ExportModels.Logits(model, tokens);
        SafeTensors.Write(path, [("tokens", tokens), ("logits", logits)]);
        return path;
    }

    private static (int Code, string Output, string Error) RunScript(string python, IReadOnlyList<string> pairs)
    {
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Export", "pytorch_crosscheck.py"), "--tolerance", Tolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
        for (int i = 0; i < pairs.Count; i += 2) arguments.AddRange(["--check", pairs[i], pairs[i + 1]]);
        return Run(python, arguments, TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// A Python that imports torch: <c>SPARSEDSL_PYTHON</c> when set, else Debian's <c>/usr/bin/python3</c> (where
    /// <c>apt-get install python3-torch</c> puts it, even when another python3 comes first on PATH), else <c>python3</c>.
    /// </summary>
    private static string PythonWithTorch()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("SPARSEDSL_PYTHON"), "/usr/bin/python3", "python3" }.OfType<string>().Distinct();
        var tried = new List<string>();
        foreach (string python in candidates)
        {
            try
            {
                var (code, _, error) = Run(python, ["-c", "import torch"], TimeSpan.FromMinutes(2));
                if (code == 0) return python;
                tried.Add($"{python}: {error.Trim().Split('\n').LastOrDefault()}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                tried.Add($"{python}: {e.Message}");
            }
        }
        Assert.Fail("The plain-PyTorch cross-check needs python3 with PyTorch, and none was found (" + string.Join("; ", tried) + "). "
            + "Install Debian's package: 'sudo apt-get install -y --no-install-recommends python3-torch' (.ci/run does this), "
            + $"or point SPARSEDSL_PYTHON at a python that has torch. To skip this test on purpose, set {PyTorchFactAttribute.OptOut}=1.");
        return "";
    }

    private static (int Code, string Output, string Error) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish in {timeout.TotalMinutes} minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
