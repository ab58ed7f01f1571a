using SparseDsl.Data;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Vision;

/// <summary>The embedded Fashion-MNIST subset through <see cref="FashionMnist"/>, and the batches made from it.</summary>
public sealed class FashionMnistTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-fmnist-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_embedded_subset_loads_as_the_first_images_of_the_real_set()
    {
        var (train, test) = FashionMnist.Load(VisionData.Directory);
        Assert.Equal((1000, 28, 28), (train.Count, train.Rows, train.Columns));
        Assert.Equal((500, 28, 28), (test.Count, test.Rows, test.Columns));
        // Upstream's first labels (ankle boot, T-shirt, T-shirt, dress, …), and every class present in both splits.
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, train.Labels[..10].ToArray());
        Assert.Equal(new byte[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, test.Labels[..10].ToArray());
        Assert.Equal(10, train.Classes);
        Assert.All(train.LabelCounts(), n => Assert.InRange(n, 80, 120));
        Assert.All(test.LabelCounts(), n => Assert.InRange(n, 35, 70));
        // The first training image (an ankle boot): 784 pixels summing to 76,247, the brightest 255.
        Assert.Equal(76247, train.Pixels[..784].ToArray().Sum(p => p));
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[train.Labels[0]]);
    }

    [Fact]
    public void Limits_keep_the_first_images()
    {
        var (train, test) = FashionMnist.Load(VisionData.Directory, trainLimit: 10, testLimit: 2000);
        Assert.Equal(10, train.Count);
        Assert.Equal(500, test.Count); // fewer than asked: all of them
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, train.Labels.ToArray());
    }

    [Fact]
    public void A_missing_folder_says_how_to_get_the_files()
    {
        string missing = Path.Combine(_folder, "no-such-folder");
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("github.com/zalandoresearch/fashion-mnist", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        foreach (string name in Directory.GetFiles(VisionData.Directory, "*.gz").Where(f => !f.Contains("t10k-labels")))
            File.Copy(name, Path.Combine(_folder, Path.GetFileName(name)));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_folder));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Plain_files_are_read_as_well_as_gzip()
    {
        foreach (string name in Directory.GetFiles(VisionData.Directory, "*.gz"))
            IdxFile.Read(name).Write(Path.Combine(_folder, Path.GetFileNameWithoutExtension(name)));
        var (train, _) = FashionMnist.Load(_folder);
        var (embedded, _) = FashionMnist.Load(VisionData.Directory);
        Assert.Equal(embedded.Pixels.ToArray(), train.Pixels.ToArray());
    }

    [Fact]
    public void Mismatched_counts_and_wrong_image_sizes_are_refused()
    {
        var images = new IdxFile([3, 2, 2], new byte[12]);
        Assert.Contains("3 images but 2 labels", Assert.Throws<InvalidDataException>(() => new LabelledImages(images, new IdxFile([2], new byte[2]), "x")).Message);
        Assert.Contains("labels must have 1 dimension", Assert.Throws<InvalidDataException>(() => new LabelledImages(images, images, "x")).Message);
        foreach (string name in Directory.GetFiles(VisionData.Directory, "*.gz")) File.Copy(name, Path.Combine(_folder, Path.GetFileName(name)));
        new IdxFile([3, 2, 2], new byte[12]).Write(Path.Combine(_folder, "t10k-images-idx3-ubyte.gz"));
        new IdxFile([3], [0, 1, 2]).Write(Path.Combine(_folder, "t10k-labels-idx1-ubyte.gz"));
        Assert.Contains("images are 2×2, not 28×28", Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_folder)).Message);
    }

    [Fact]
    public void Batches_are_normalised_a_function_of_the_step_and_cover_each_epoch_once()
    {
        var (train, test) = FashionMnist.Load(VisionData.Directory);
        using var batches = new ImageBatches(train, test, batchSize: 100, seed: 3);
        Assert.Equal(10, batches.StepsPerEpoch);
        Assert.InRange(batches.Mean, 0.25, 0.32); // Fashion-MNIST's pixel mean is 0.286, its std 0.353
        Assert.InRange(batches.Std, 0.32, 0.39);

        using var _ = NewDisposeScope();
        var seen = new List<long>();
        var allImages = new List<Tensor>();
        for (long step = 1; step <= 10; step++)
        {
            var (images, labels) = batches.TrainingBatch(step, 0, CPU);
            Assert.Equal(new long[] { 100, 1, 28, 28 }, images.shape);
            Assert.Equal(ScalarType.Int64, labels.dtype);
            seen.AddRange(batches.Order(0).Skip((int)(step - 1) * 100).Take(100));
            allImages.Add(images);
        }
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), seen.Order());
        var epoch = cat(allImages, 0);
        Assert.InRange(epoch.mean().item<float>(), -1e-3, 1e-3);
        Assert.InRange(epoch.std().item<float>(), 0.999, 1.001);

        // The same step gives the same batch, from a fresh instance too; the next epoch is another order.
        using var again = new ImageBatches(train, test, batchSize: 100, seed: 3);
        Assert.True(batches.TrainingBatch(7, 0, CPU).Inputs.eq(again.TrainingBatch(7, 0, CPU).Inputs).all().item<bool>());
        Assert.NotEqual(batches.Order(0), batches.Order(1));
        using var otherSeed = new ImageBatches(train, test, 100, seed: 4);
        Assert.NotEqual(batches.Order(0), otherSeed.Order(0));

        // The test set comes in order, in evaluation batches.
        var validation = Assert.Single(batches.ValidationBatches(CPU));
        Assert.Equal(new long[] { 9, 2, 1 }, validation.Targets.narrow(0, 0, 3).data<long>().ToArray());
    }
}
