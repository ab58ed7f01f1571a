using System.IO.Compression;
using SparseDsl.Data;

namespace SparseDsl.Tests.Data;

/// <summary>The byte tokenizer, text corpora (plain, memory-mapped, gzip) and the step-keyed batches.</summary>
public sealed class DataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Text(int length) => Enumerable.Range(0, length).Select(i => (byte)('a' + i * 7 % 26)).ToArray();

    [Fact]
    public void Bytes_round_trip_through_the_tokenizer()
    {
        const string text = "State of the Union — 1790 ✓";
        var tokens = ByteTokenizer.Encode(text);
        Assert.All(tokens, t => Assert.InRange(t, 0, 255));
        Assert.Equal(text, ByteTokenizer.Decode(tokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteTokenizer.Decode([256]));
    }

    [Fact]
    public void A_mapped_file_a_gzip_file_and_memory_give_the_same_splits()
    {
        byte[] bytes = Text(20_000);
        string plain = Path.Combine(_folder, "text.txt");
        File.WriteAllBytes(plain, bytes);
        string gz = Path.Combine(_folder, "text.txt.gz");
        using (var file = File.Create(gz))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            gzip.Write(bytes);

        using var mapped = TextCorpus.Open(plain);
        using var unzipped = TextCorpus.Open(gz);
        using var memory = TextCorpus.FromBytes("memory", bytes);
        Assert.Equal(19_000, memory.Train.Length);
        Assert.Equal(1_000, memory.Validation.Length);
        foreach (var corpus in new[] { mapped, unzipped })
        {
            Assert.Equal(memory.Train.Length, corpus.Train.Length);
            var expected = new byte[300];
            var actual = new byte[300];
            memory.Validation.Read(500, expected);
            corpus.Validation.Read(500, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(bytes[19_500..19_800], actual);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => mapped.Validation.Read(900, new byte[200]));
    }

    [Fact]
    public void Missing_empty_short_and_corrupt_files_are_clear_errors()
    {
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => TextCorpus.Open(Path.Combine(_folder, "none.txt"))).Message);
        string empty = Path.Combine(_folder, "empty.txt");
        File.WriteAllBytes(empty, []);
        Assert.Equal($"Data file '{empty}' is empty.", Assert.Throws<InvalidDataException>(() => TextCorpus.Open(empty)).Message);
        string small = Path.Combine(_folder, "small.txt");
        File.WriteAllBytes(small, Text(500));
        Assert.Contains("at least 10,000 are needed", Assert.Throws<InvalidDataException>(() => TextCorpus.Open(small)).Message);
        string corrupt = Path.Combine(_folder, "corrupt.gz");
        File.WriteAllBytes(corrupt, Text(20_000));
        Assert.Contains("is not valid gzip", Assert.Throws<InvalidDataException>(() => TextCorpus.Open(corrupt)).Message);
    }

    [Fact]
    public void Batches_depend_on_seed_step_and_micro_step_only()
    {
        using var corpus = TextCorpus.FromBytes("memory", Text(50_000));
        var a = new NextTokenBatches(corpus, 4, 32, seed: 1);
        var b = new NextTokenBatches(corpus, 4, 32, seed: 1);
        _ = b.TrainingBatch(1, 0, TorchSharp.torch.CPU); // drawing other batches first changes nothing
        var (x, y) = a.TrainingBatch(7, 1, TorchSharp.torch.CPU);
        var (x2, _) = b.TrainingBatch(7, 1, TorchSharp.torch.CPU);
        Assert.True(x.eq(x2).all().item<bool>());
        Assert.Equal(new long[] { 4, 32 }, x.shape);
        Assert.True(x[.., 1..].eq(y[.., ..^1]).all().item<bool>(), "targets are the inputs shifted by one");
        Assert.False(x.eq(a.TrainingBatch(8, 1, TorchSharp.torch.CPU).Inputs).all().item<bool>());
        Assert.False(x.eq(a.TrainingBatch(7, 0, TorchSharp.torch.CPU).Inputs).all().item<bool>());
        Assert.False(x.eq(new NextTokenBatches(corpus, 4, 32, seed: 2).TrainingBatch(7, 1, TorchSharp.torch.CPU).Inputs).all().item<bool>());
        Assert.Contains("too few for windows of 2000 bytes",
            Assert.Throws<InvalidDataException>(() => new NextTokenBatches(corpus, 4, 2000, seed: 1)).Message);
    }
}
