using System.Text;
using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Tokenization;
using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Tokenization;

/// <summary>Token files: tokenized once, memory-mapped, the tokenizer in the header, every damage a clear error.</summary>
public sealed class TokenFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // The first 300 KB of the bundled corpus, cut at a line start: real text, quick to tokenize.
    private static readonly Lazy<byte[]> Sample = new(() =>
    {
        using var corpus = BundledCorpus.Open();
        byte[] bytes = new byte[300_000];
        corpus.Text.Read(0, bytes);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        return bytes[..end];
    });

    private static long[] Values(Tensor t) => t.data<long>().ToArray();

    private static TextCorpus SampleCorpus() => TextCorpus.FromBytes("sample", Sample.Value);

    [Fact]
    public void A_token_file_of_bytes_gives_exactly_the_batches_of_its_text()
    {
        using var text = SampleCorpus();
        string path = _folder.File("bytes.tokens");
        var header = TokenFile.Write(path, ByteTokenizer.Instance, text);
        Assert.Equal(("bytes", 256, 2), (header.Tokenizer, header.VocabularySize, header.TokenBytes));
        Assert.Equal((text.Train.Length, text.Validation.Length), (header.TrainTokens, header.ValidationTokens));

        using var tokens = TokenFile.Open(path);
        var fromText = new NextTokenBatches(text, batchSize: 3, context: 32, seed: 7, validationBatches: 2);
        var fromTokens = new NextTokenBatches(tokens, batchSize: 3, context: 32, seed: 7, validationBatches: 2);
        foreach (long step in new long[] { 1, 2, 50 })
        {
            var (a, b) = (fromText.TrainingBatch(step, 0, CPU), fromTokens.TrainingBatch(step, 0, CPU));
            Assert.Equal(Values(a.Inputs), Values(b.Inputs));
            Assert.Equal(Values(a.Targets), Values(b.Targets));
        }
        foreach (var (a, b) in fromText.ValidationBatches(CPU).Zip(fromTokens.ValidationBatches(CPU)))
        {
            Assert.Equal(Values(a.Inputs), Values(b.Inputs));
            Assert.Equal(Values(a.Targets), Values(b.Targets));
        }
        Assert.Equal(1.0 / Math.Log(2), header.BitsPerByte(1.0), 12); // a byte per token
    }

    [Theory]
    [InlineData("gpt2", 2)]
    [InlineData("cl100k", 4)]
    public void Chunked_tokenization_equals_tokenizing_each_part_whole(string name, int tokenBytes)
    {
        var tokenizer = Tokenizers.Named(name);
        using var text = SampleCorpus();
        string path = _folder.File($"{name}.tokens");
        // 4 KiB chunks: dozens of cuts, each of which must leave the BPE pieces as the whole text has them.
        var header = TokenFile.Write(path, tokenizer, text, chunkBytes: 4096, progress: null, CancellationToken.None);

        long split = header.TrainBytes;
        Assert.InRange(split - text.Train.Length, 0, 3); // moved to a character boundary at most
        string train = Encoding.UTF8.GetString(Sample.Value, 0, (int)split), validation = Encoding.UTF8.GetString(Sample.Value, (int)split, Sample.Value.Length - (int)split);
        var expectedTrain = tokenizer.Encode(train);
        var expectedValidation = tokenizer.Encode(validation);
        Assert.Equal((name, tokenizer.VocabularySize, tokenBytes), (header.Tokenizer, header.VocabularySize, header.TokenBytes));
        Assert.Equal((expectedTrain.Count, expectedValidation.Count), ((int)header.TrainTokens, (int)header.ValidationTokens));
        Assert.Equal(Sample.Value.Length, header.TrainBytes + header.ValidationBytes);
        Assert.Equal(TokenFile.DataOffset + (header.TrainTokens + header.ValidationTokens) * tokenBytes, new FileInfo(path).Length);

        using var file = TokenFile.Open(path);
        Assert.Equal(header, file.Header);
        long[] read = new long[header.TrainTokens];
        file.Train.Read(0, read);
        Assert.Equal(expectedTrain.Select(t => (long)t), read);
        read = new long[header.ValidationTokens];
        file.Validation.Read(0, read);
        Assert.Equal(expectedValidation.Select(t => (long)t), read);
        Assert.Equal(validation, tokenizer.Decode(read));
    }

    [Fact]
    public void Writing_is_atomic_and_a_cancelled_write_keeps_the_previous_file()
    {
        using var text = SampleCorpus();
        string path = _folder.File("keep.tokens");
        TokenFile.Write(path, ByteTokenizer.Instance, text);
        byte[] before = File.ReadAllBytes(path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => TokenFile.Write(path, Tokenizers.Named("gpt2"), text, cancellation: cancelled.Token));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["keep.tokens"], _folder.Files());
    }

    [Fact]
    public void Damaged_files_are_refused_with_the_file_and_the_problem()
    {
        using var text = SampleCorpus();
        string good = _folder.File("good.tokens");
        TokenFile.Write(good, Tokenizers.Named("gpt2"), text);
        byte[] bytes = File.ReadAllBytes(good);

        string Variant(string name, byte[] content)
        {
            string path = _folder.File(name);
            File.WriteAllBytes(path, content);
            return path;
        }

        void Refused(string path, string message)
        {
            var e = Assert.Throws<InvalidDataException>(() => TokenFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(message, e.Message);
        }

        Refused(Variant("text.tokens", Sample.Value[..5000]), "is not a SparseDsl token file");
        Refused(Variant("short.tokens", bytes[..(bytes.Length - 1)]), "is truncated or damaged");
        byte[] version = (byte[])bytes.Clone();
        version[8] = 9;
        Refused(Variant("version.tokens", version), "has format version 9");
        byte[] header = (byte[])bytes.Clone();
        int at = Encoding.ASCII.GetString(header, 0, 400).IndexOf("\"token_bytes\":2", StringComparison.Ordinal);
        header[at + "\"token_bytes\":".Length] = (byte)'3';
        Refused(Variant("width.tokens", header), "has 3-byte tokens");
        Assert.Throws<FileNotFoundException>(() => TokenFile.Open(_folder.File("missing.tokens")));

        // A token past the vocabulary is found when it is read.
        byte[] token = (byte[])bytes.Clone();
        token[TokenFile.DataOffset] = 0xFF;
        token[TokenFile.DataOffset + 1] = 0xFF;
        using var file = TokenFile.Open(Variant("token.tokens", token));
        var e = Assert.Throws<InvalidDataException>(() => file.Train.Read(0, new long[4]));
        Assert.Contains("holds token 65535 at 0, outside its vocabulary of 50257", e.Message);
    }
}
