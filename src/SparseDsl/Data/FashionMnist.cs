namespace SparseDsl.Data;

/// <summary>
/// Zalando's Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; MIT licence): 60,000 training and 10,000 test images of 28×28
/// grayscale article photos in 10 classes, as four IDX files. SparseDsl does not ship it: it reads the files from a
/// folder, by default where Debian's and Ubuntu's <c>dataset-fashion-mnist</c> package installs them.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist/";

    /// <summary>The four file names, without the optional <c>.gz</c>.</summary>
    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte",
        TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Image height and width.</summary>
    public const int ImageSize = 28;

    /// <summary>How to get the files, for an error message.</summary>
    public const string HowToGet =
        "Install them with `apt-get install dataset-fashion-mnist` (Debian, Ubuntu; files in " + DebianDirectory + "), or download the four " +
        "*-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist and pass their folder.";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Reads the training and test sets from <paramref name="directory"/>: each file as <c>NAME.gz</c> or <c>NAME</c>.
    /// </summary>
    /// <param name="directory">The folder holding the four files.</param>
    /// <param name="trainLimit">Keep only the first this many training images (null: all).</param>
    /// <param name="testLimit">Keep only the first this many test images (null: all).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message says how to get the files.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it and says how to get it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, not 28×28 images, or has labels outside 0–9.</exception>
    public static (LabelledImages Train, LabelledImages Test) Load(string directory, int? trainLimit = null, int? testLimit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (trainLimit is < 1) throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, "Must be positive.");
        if (testLimit is < 1) throw new ArgumentOutOfRangeException(nameof(testLimit), testLimit, "Must be positive.");
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Fashion-MNIST folder '{directory}' does not exist. {HowToGet}");
        var train = Split(directory, TrainImages, TrainLabels, "training");
        var test = Split(directory, TestImages, TestLabels, "test");
        return (trainLimit is int t ? train.Take(t) : train, testLimit is int s ? test.Take(s) : test);
    }

    private static LabelledImages Split(string directory, string images, string labels, string name)
    {
        var set = new LabelledImages(IdxFile.Read(Find(directory, images)), IdxFile.Read(Find(directory, labels)), $"Fashion-MNIST {name} set in {directory}");
        if (set.Rows != ImageSize || set.Columns != ImageSize)
            throw new InvalidDataException($"{set.Source}: images are {set.Rows}×{set.Columns}, not {ImageSize}×{ImageSize}.");
        if (set.Classes > ClassCount)
            throw new InvalidDataException($"{set.Source}: label {set.Classes - 1} is outside 0–{ClassCount - 1}.");
        return set;
    }

    private static string Find(string directory, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        string missing = Path.Combine(directory, name + ".gz");
        throw new FileNotFoundException($"Fashion-MNIST file '{missing}' (or '{name}') is missing. {HowToGet}", missing);
    }
}
