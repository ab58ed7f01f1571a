using System;
using System.Collections.Generic;
using System.Linq;

namespace SparseDsl.Generators.KindChecks;

/// <summary>Every <see cref="KindDescription"/> in this assembly, by attribute metadata name.</summary>
internal static class KindRegistry
{
    private static readonly Dictionary<string, KindDescription> ByAttribute = typeof(KindDescription).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(KindDescription).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (KindDescription)Activator.CreateInstance(t)!)
        .ToDictionary(k => k.AttributeName, StringComparer.Ordinal);

    /// <summary>All kinds the generator knows, in a stable order.</summary>
    public static IReadOnlyList<KindDescription> All { get; } = ByAttribute.Values.OrderBy(k => k.AttributeName, StringComparer.Ordinal).ToList();

    /// <summary>The description of an attribute's kind; a kind defined elsewhere (a user's own) gets <see cref="CustomKind"/>.</summary>
    public static KindDescription For(string attributeName) => ByAttribute.TryGetValue(attributeName, out var kind) ? kind : new CustomKind(attributeName);

    /// <summary>The kind SDSL101 suggests for a raw TorchSharp type (metadata name), or null.</summary>
    public static KindDescription? Replacing(string rawType) => All.FirstOrDefault(k => k.Replaces.Contains(rawType));

    /// <summary>
    /// A layer attribute from outside SparseDsl: the generator builds it like any other and leaves every check to its
    /// runtime <c>Describe</c>; it reads <c>In</c> and <c>Out</c> when they are there, for the analyzers.
    /// </summary>
    private sealed class CustomKind : KindDescription
    {
        public CustomKind(string attributeName) => AttributeName = attributeName;

        public override string AttributeName { get; }

        public override KindShape Read(KindArguments arguments) =>
            new(arguments.Has("In") ? arguments.Dimension("In", "") : null, arguments.Has("Out") ? arguments.Dimension("Out", "") : null);
    }
}
