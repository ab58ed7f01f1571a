using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;

namespace SparseDsl.Examples.Cli;

/// <summary>One value of a <see cref="ModeAxis"/>: its name, how an error names it, and the arguments that choose it.</summary>
/// <param name="Name">The value's name, as <see cref="ModeAxis.Select"/> returns it.</param>
/// <param name="Phrase">How a person reads the mode, in an error: "coord-check --sweep depth".</param>
/// <param name="Arguments">Arguments that choose this value on the command line (none for the default).</param>
public sealed record ModeValue(string Name, string Phrase, params string[] Arguments);

/// <summary>
/// One way a command's options choose what it does (which model family, which sweep, a new run or a resumed one): its
/// values and how the parsed command line picks one.
/// </summary>
/// <param name="Name">The axis, for messages and tests.</param>
/// <param name="Values">Every value; the first is the one chosen when the user gives none of its arguments.</param>
/// <param name="Select">The value's name from the parsed command; an <see cref="ArgumentException"/> refuses the combination.</param>
public sealed record ModeAxis(string Name, IReadOnlyList<ModeValue> Values, Func<CommandResult, string> Select)
{
    /// <summary>The value named <paramref name="name"/>.</summary>
    public ModeValue Value(string name) => Values.Single(v => v.Name == name);
}

/// <summary>
/// The modes of one command (the product of its <see cref="ModeAxis"/> values) and the options that apply only in some of
/// them. Every command that has modes declares them here, and one check, run when the command line is parsed, refuses an
/// option the user gave that the chosen mode would ignore: one <c>error: …</c> line, exit code 2, before anything runs.
/// An option not named in <see cref="Only"/> applies in every mode.
/// </summary>
public sealed class CommandModes
{
    private static readonly ConditionalWeakTable<Command, CommandModes> Registered = new();

    private readonly string _command;
    private readonly List<ModeAxis> _axes = [];
    private readonly Dictionary<Option, List<(ModeAxis Axis, HashSet<string> Values)>> _only = [];

    private CommandModes(string command) => _command = command;

    /// <summary>The axes of the command's modes.</summary>
    public IReadOnlyList<ModeAxis> Axes => _axes;

    /// <summary>The options restricted to some modes.</summary>
    public IEnumerable<Option> Restricted => _only.Keys;

    /// <summary>The modes declared for <paramref name="command"/>, or null when it has only one.</summary>
    public static CommandModes? Of(Command command) => Registered.TryGetValue(command, out var modes) ? modes : null;

    /// <summary>Declares the modes of <paramref name="command"/> and adds the check that refuses inapplicable options.</summary>
    public static CommandModes For(Command command, params ModeAxis[] axes)
    {
        var modes = new CommandModes(command.Name);
        modes._axes.AddRange(axes);
        Registered.AddOrUpdate(command, modes);
        command.Validators.Add(modes.Check);
        return modes;
    }

    /// <summary>Declares that <paramref name="option"/> applies only where <paramref name="axis"/> is one of <paramref name="values"/>.</summary>
    public CommandModes Only(Option option, ModeAxis axis, params string[] values)
    {
        if (!_axes.Contains(axis)) throw new ArgumentException($"{axis.Name} is not an axis of {_command}.", nameof(axis));
        foreach (string value in values) _ = axis.Value(value); // a typo in a declaration fails the first test that builds the CLI
        if (!_only.TryGetValue(option, out var restrictions)) _only[option] = restrictions = [];
        restrictions.Add((axis, values.ToHashSet()));
        return this;
    }

    /// <summary>Declares that each of <paramref name="options"/> applies only where <paramref name="axis"/> is one of <paramref name="values"/>.</summary>
    public CommandModes Only(IEnumerable<Option> options, ModeAxis axis, params string[] values)
    {
        foreach (var option in options) Only(option, axis, values);
        return this;
    }

    /// <summary>Whether <paramref name="option"/> applies in <paramref name="mode"/> (one value name per axis).</summary>
    public bool Applies(Option option, IReadOnlyDictionary<ModeAxis, string> mode) =>
        !_only.TryGetValue(option, out var restrictions) || restrictions.All(r => r.Values.Contains(mode[r.Axis]));

    /// <summary>
    /// The value of <paramref name="option"/> in <paramref name="result"/>, for a <see cref="ModeAxis.Select"/>: while the
    /// command line is validated an option the user did not give reads as default(T), not as its default value.
    /// </summary>
    public static T? Value<T>(CommandResult result, Option<T> option) =>
        result.GetResult(option) is null && option.HasDefaultValue ? (T?)option.GetDefaultValue() : result.GetValue(option);

    /// <summary>The mode <paramref name="result"/> chose (one value name per axis), or null when it chose none (see <see cref="Check"/>).</summary>
    public IReadOnlyDictionary<ModeAxis, string>? ModeOf(CommandResult result) => Select(result, out _);

    private Dictionary<ModeAxis, string>? Select(CommandResult result, out string? refusal)
    {
        refusal = null;
        var mode = new Dictionary<ModeAxis, string>();
        foreach (var axis in _axes)
        {
            try
            {
                mode[axis] = axis.Select(result);
            }
            catch (InvalidOperationException)
            {
                return null; // an option the mode depends on did not parse; its own error is reported
            }
            catch (ArgumentException e)
            {
                refusal = e.Message; // a combination of modes that does not exist
                return null;
            }
        }
        return mode;
    }

    private void Check(CommandResult result)
    {
        var mode = Select(result, out string? refusal);
        if (refusal is not null) result.AddError(refusal);
        if (mode is null) return;
        // In the order the user typed them, so the first inapplicable option is the one named.
        var given = result.Children.OfType<OptionResult>().Where(o => !o.Implicit && _only.ContainsKey(o.Option)).Select(o => o.Option);
        foreach (var option in given)
        {
            foreach (var (axis, values) in _only[option])
            {
                if (values.Contains(mode[axis])) continue;
                string allowed = string.Join(" or ", axis.Values.Where(v => values.Contains(v.Name)).Select(v => v.Phrase));
                result.AddError($"{option.Name} does not apply to {axis.Value(mode[axis]).Phrase}, only to {allowed}; remove {option.Name}.");
                return;
            }
        }
    }
}
