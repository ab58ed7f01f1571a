namespace SparseDsl.Data;

/// <summary>
/// Grayscale images with one class label each, as an image IDX file (<c>[count, rows, columns]</c>) and a label IDX file
/// (<c>[count]</c>) hold them: pixels 0–255, row-major, one image after another.
/// </summary>
public sealed class LabelledImages
{
    private readonly byte[] pixels;
    private readonly byte[] labels;

    /// <summary>Pairs an image file with its label file; <paramref name="source"/> names them in errors and reports.</summary>
    /// <exception cref="InvalidDataException">The images are not <c>[count, rows, columns]</c>, the labels not <c>[count]</c>, or the counts differ.</exception>
    public LabelledImages(IdxFile images, IdxFile labels, string source)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        if (images.Dimensions.Count != 3)
            throw new InvalidDataException($"{source}: images must have 3 dimensions (count, rows, columns), not [{string.Join(", ", images.Dimensions)}].");
        if (labels.Dimensions.Count != 1)
            throw new InvalidDataException($"{source}: labels must have 1 dimension (count), not [{string.Join(", ", labels.Dimensions)}].");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException($"{source}: {images.Dimensions[0]:N0} images but {labels.Dimensions[0]:N0} labels.");
        Source = source;
        Count = images.Dimensions[0];
        Rows = images.Dimensions[1];
        Columns = images.Dimensions[2];
        pixels = images.Data.ToArray();
        this.labels = labels.Data.ToArray();
    }

    private LabelledImages(string source, int rows, int columns, byte[] pixels, byte[] labels)
    {
        (Source, Rows, Columns, this.pixels, this.labels) = (source, rows, columns, pixels, labels);
        Count = labels.Length;
    }

    /// <summary>Where the images came from.</summary>
    public string Source { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Image height in pixels.</summary>
    public int Rows { get; }

    /// <summary>Image width in pixels.</summary>
    public int Columns { get; }

    /// <summary>Pixels 0–255 of every image, row-major, <see cref="Count"/> × <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public ReadOnlySpan<byte> Pixels => pixels;

    /// <summary>The label of every image.</summary>
    public ReadOnlySpan<byte> Labels => labels;

    /// <summary>One more than the largest label (0 when there are no images).</summary>
    public int Classes => labels.Length == 0 ? 0 : labels.Max() + 1;

    /// <summary>The first <paramref name="count"/> images (all of them when there are fewer).</summary>
    public LabelledImages Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= Count) return this;
        int size = Rows * Columns;
        return new LabelledImages($"{Source} (first {count:N0})", Rows, Columns, pixels[..(count * size)], labels[..count]);
    }

    /// <summary>How many images each label has, indexed by label.</summary>
    public int[] LabelCounts()
    {
        var counts = new int[Classes];
        foreach (byte label in labels) counts[label]++;
        return counts;
    }
}
