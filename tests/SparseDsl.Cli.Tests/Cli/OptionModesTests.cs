using System.Collections;
using System.CommandLine;
using System.Globalization;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Cli;

/// <summary>
/// No option is silently ignored: every command refuses, when the command line is parsed, an option the user gave that
/// its chosen mode does not use, and accepts every option where it applies. The walk covers every command and option of
/// the CLI's System.CommandLine tree, so an option added later is covered without touching this test.
/// </summary>
public sealed class OptionModesTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-modes-");

    public void Dispose() => _folder.Dispose();

    // A value each option takes when parsed, where neither its default nor its type gives one.
    private static readonly Dictionary<string, string[]> Samples = new()
    {
        ["--tokenizer"] = ["bytes"],
        ["--shard"] = ["1/2"],
    };

    private static string[] Sample(Option option)
    {
        if (Samples.TryGetValue(option.Name, out var given)) return given;
        if (option.HasDefaultValue && option.GetDefaultValue() is { } value) return Format(value);
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type.IsArray) type = type.GetElementType()!;
        if (type == typeof(bool)) return ["true"];
        if (type == typeof(int) || type == typeof(long)) return ["2"];
        if (type == typeof(double)) return ["0.5"];
        if (type.IsEnum) return [Enum.GetNames(type)[0]];
        return ["x"];
    }

    private static string[] Format(object value) => value switch
    {
        bool b => [b ? "true" : "false"],
        string s => [s],
        IEnumerable values => values.Cast<object>().SelectMany(Format).ToArray(),
        IFormattable f => [f.ToString(null, CultureInfo.InvariantCulture)],
        _ => [value.ToString()!],
    };

    private static IEnumerable<(string[] Path, Command Command)> Commands(Command parent, string[] path)
    {
        foreach (var command in parent.Subcommands)
        {
            string[] here = [.. path, command.Name];
            yield return (here, command);
            foreach (var inner in Commands(command, here)) yield return inner;
        }
    }

    private static IEnumerable<IReadOnlyList<ModeValue>> Combinations(IReadOnlyList<ModeAxis> axes) =>
        axes.Aggregate((IEnumerable<IReadOnlyList<ModeValue>>)[[]], (done, axis) => done.SelectMany(c => axis.Values.Select(v => (IReadOnlyList<ModeValue>)[.. c, v])));

    [Fact]
    public void Every_option_is_refused_where_its_mode_ignores_it_and_accepted_where_it_applies()
    {
        var root = CliApp.CreateRoot();
        var failures = new List<string>();
        int refused = 0, accepted = 0, modesSeen = 0;
        foreach (var (path, command) in Commands(root, []))
        {
            var modes = CommandModes.Of(command);
            var options = command.Options.Where(o => o is not (System.CommandLine.Help.HelpOption or VersionOption)).ToList();
            string[] required =
            [
                .. options.Where(o => o.Required).SelectMany(o => (string[])[o.Name, .. Sample(o)]),
                .. command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0).Select(_ => "x"),
            ];
            // What the command must do with args: accept them when every option given applies in the mode they choose,
            // else refuse them naming an option that does not; null when they are right. An option may itself choose the
            // mode (--resume, --json), so the mode is read from each parse.
            string? Judge(string[] args, out bool applies)
            {
                var result = root.Parse(args);
                var mode = modes?.ModeOf(result.CommandResult);
                var ignored = modes is null || mode is null ? [] : options.Where(o => result.GetResult(o) is { Implicit: false } && !modes.Applies(o, mode)).ToList();
                applies = ignored.Count == 0;
                string line = string.Join(" ", args);
                if (modes is not null && mode is null)
                    return result.Errors.Count > 0 ? null : $"'{line}' chose no mode but was accepted";
                if (applies)
                    return result.Errors.Count == 0 ? null : $"'{line}' should be accepted: {result.Errors[0].Message}";
                return result.Errors.Any(e => ignored.Any(o => e.Message.StartsWith($"{o.Name} does not apply to ", StringComparison.Ordinal))) ? null
                    : $"'{line}' should be refused ({string.Join(", ", ignored.Select(o => o.Name))} does not apply there): {(result.Errors.Count == 0 ? "accepted" : result.Errors[0].Message)}";
            }

            foreach (var combination in modes is null ? [[]] : Combinations(modes.Axes))
            {
                string[] selecting = [.. combination.SelectMany(v => v.Arguments)];
                string[] baseline = [.. path, .. required, .. selecting];
                if (Judge(baseline, out bool exists) is { } wrong) failures.Add(wrong);
                if (!exists || root.Parse(baseline).Errors.Count > 0) continue; // a combination that does not exist (train --resume --sat false) is refused, never run
                modesSeen++;
                foreach (var option in options.Where(o => !selecting.Contains(o.Name) && !o.Required))
                {
                    if (Judge([.. baseline, option.Name, .. Sample(option)], out bool applies) is { } failure) failures.Add(failure);
                    else if (applies) accepted++;
                    else refused++;
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused >= 30, $"only {refused} inapplicable (option, mode) pairs were refused");
        Assert.True(accepted >= 200, $"only {accepted} pairs were accepted");
        Assert.True(modesSeen >= 20, $"only {modesSeen} modes were walked");
    }

    public static TheoryData<string[], string> Inapplicable() => new()
    {
        { ["coord-check", "--sweep", "depth", "--depth", "3", "--out", "OUT"], "--depth does not apply to coord-check --sweep depth, only to coord-check --sweep width-density; remove --depth." },
        { ["coord-check", "--sweep", "depth", "--widths", "64", "128", "--out", "OUT"], "--widths does not apply to coord-check --sweep depth" },
        { ["coord-check", "--sweep", "depth", "--width-density", "0.5", "--out", "OUT"], "--width-density does not apply to coord-check --sweep depth" },
        { ["coord-check", "--depths", "1", "2", "--out", "OUT"], "--depths does not apply to coord-check --sweep width-density, only to coord-check --sweep depth" },
        { ["coord-check", "--model", "vit", "--tokenizer", "bytes", "--out", "OUT"], "--tokenizer does not apply to coord-check --model vit" },
        { ["coord-check", "--model", "convnet", "--sweep", "depth", "--out", "OUT"], "--sweep depth is for the LMs; convnet and vit have no depth rule." },
        { ["sweep", "--depths", "1", "2", "--depth", "3", "--out", "OUT"], "--depth does not apply to sweep --depths" },
        { ["train", "--sat", "false", "--sat-rate", "0.25", "--out", "OUT"], "--sat-rate does not apply to train --sat false" },
        { ["train", "--router-alpha", "2", "--out", "OUT"], "--router-alpha does not apply to train of an LM without experts" },
        { ["train", "--model", "moe", "--sat-rate", "0.5", "--out", "OUT"], "--sat-rate does not apply to train --model MoeLm" },
        { ["describe", "--json", "--context", "64"], "--context does not apply to describe --json" },
        { ["vision-sweep", "--model", "convnet", "--depth", "2", "--out", "OUT"], "--depth does not apply to vision-sweep --model convnet" },
    };

    [Theory]
    [MemberData(nameof(Inapplicable))]
    public void An_inapplicable_option_is_one_error_line_and_exit_code_2_before_anything_is_written(string[] args, string message)
    {
        string output = _folder.File("out");
        AssertBadInput(Invoke([.. args.Select(a => a == "OUT" ? output : a)]), message);
        Assert.False(Path.Exists(output));
    }

    [Fact]
    public void The_depth_sweep_names_the_first_ignored_option_of_several()
    {
        var result = Invoke("coord-check", "--sweep", "depth", "--widths", "64", "--width-density", "0.5", "--depth", "2", "--out", _folder.File("out"));
        AssertBadInput(result, "--widths does not apply to coord-check --sweep depth, only to coord-check --sweep width-density; remove --widths.");
        Assert.False(Path.Exists(_folder.File("out")));
    }
}
