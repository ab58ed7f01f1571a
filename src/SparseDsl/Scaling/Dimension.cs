namespace SparseDsl;

/// <summary>
/// A layer dimension: finite (a fixed size such as a number of classes, or the model's vocabulary, whose size is set
/// at run time) or a rational multiple of the model width (<c>Numerator · width / Denominator</c>).
/// </summary>
public readonly record struct Dimension
{
    private Dimension(int fixedSize, int numerator, int denominator, bool isVocabulary = false)
    {
        FixedSize = fixedSize;
        Numerator = numerator;
        Denominator = denominator;
        IsVocabulary = isVocabulary;
    }

    /// <summary>The size of a fixed finite dimension; 0 for a width-scaled one and for <see cref="Vocabulary"/>.</summary>
    public int FixedSize { get; }

    /// <summary>
    /// Whether this is the model's vocabulary (<c>"vocab"</c>): finite, so it never scales with width, but sized at run
    /// time (<see cref="ModelOptions.Vocabulary"/>, else <see cref="WidthAttribute.Vocab"/>), e.g. from a tokenizer.
    /// </summary>
    public bool IsVocabulary { get; }

    /// <summary>The model's vocabulary, <c>"vocab"</c> in a dimension expression.</summary>
    public static Dimension Vocabulary { get; } = new(0, 0, 1, isVocabulary: true);

    /// <summary>Multiplier on the width (0 for a finite dimension).</summary>
    public int Numerator { get; }

    /// <summary>Divisor of the width (1 for a finite dimension).</summary>
    public int Denominator { get; }

    /// <summary>Whether this dimension scales with the model width.</summary>
    public bool ScalesWithWidth => Numerator > 0;

    /// <summary>A finite dimension of the given size.</summary>
    public static Dimension Fixed(int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "A dimension must be positive.");
        return new(size, 0, 1);
    }

    /// <summary>The dimension <c>numerator · width / denominator</c>.</summary>
    public static Dimension OfWidth(int numerator = 1, int denominator = 1)
    {
        if (numerator <= 0) throw new ArgumentOutOfRangeException(nameof(numerator), numerator, "Must be positive.");
        if (denominator <= 0) throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "Must be positive.");
        return new(0, numerator, denominator);
    }

    /// <summary>Parses a dimension expression (<c>"784"</c>, <c>"width"</c>, <c>"4*width"</c>, <c>"width/2"</c>).</summary>
    /// <exception cref="ArgumentException">The text is not a dimension expression; the message says why.</exception>
    public static Dimension Parse(string text)
    {
        if (!DimensionExpression.TryParse(text, out int fixedSize, out int numerator, out int denominator, out bool vocabulary, out string error))
            throw new ArgumentException($"'{text}' is not a dimension expression: {error}.", nameof(text));
        return vocabulary ? Vocabulary : numerator > 0 ? OfWidth(numerator, denominator) : Fixed(fixedSize);
    }

    /// <summary>The size at the given model width. Throws when the width does not divide evenly, and for <see cref="Vocabulary"/> (use the overload that takes it).</summary>
    public int Resolve(int width) => Resolve(width, vocabulary: null);

    /// <summary>The size at the given model width and vocabulary size. Throws when the width does not divide evenly, or for <see cref="Vocabulary"/> when <paramref name="vocabulary"/> is null.</summary>
    /// <exception cref="ArgumentException">The size is not a whole number, or the vocabulary is needed and not known.</exception>
    public int Resolve(int width, int? vocabulary)
    {
        if (IsVocabulary)
        {
            return vocabulary is int v
                ? v > 0 ? v : throw new ArgumentOutOfRangeException(nameof(vocabulary), v, "The vocabulary must be positive.")
                : throw new ArgumentException($"'{DimensionExpression.Vocabulary}' has no size: set the model's vocabulary with [Width(Vocab = N)] or ModelOptions.Vocabulary.", nameof(vocabulary));
        }
        if (!ScalesWithWidth) return FixedSize;
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be positive.");
        long scaled = (long)width * Numerator;
        if (scaled % Denominator != 0)
            throw new ArgumentException($"Dimension {this} is not a whole number at width {width}: {width}·{Numerator} is not divisible by {Denominator}.", nameof(width));
        long size = scaled / Denominator;
        if (size > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(width), width, $"Dimension {this} overflows at width {width}.");
        return (int)size;
    }

    /// <inheritdoc />
    public override string ToString() => IsVocabulary ? DimensionExpression.Vocabulary : (ScalesWithWidth, Numerator, Denominator) switch
    {
        (false, _, _) => FixedSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        (true, 1, 1) => "width",
        (true, _, 1) => $"{Numerator}*width",
        (true, 1, _) => $"width/{Denominator}",
        _ => $"{Numerator}*width/{Denominator}",
    };
}
